"""The dossier package: finalize (chốt hồ sơ), sign, package as a BagIt ZIP, verify, and deliver by USB or e-mail."""
