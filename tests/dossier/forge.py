"""What a forger does to a package: unzip, change, recompute the manifests, sign again with some key, re-zip."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from app.dossier.bag import MANIFEST_SIGNATURE, TAG_FILES, manifest_text


def entries(package: Path) -> tuple[str, dict[str, bytes]]:
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        root = names[0].split("/")[0]
        return root, {name: archive.read(name) for name in names}


def restamp(root: str, files: dict[str, bytes]) -> None:
    """Recompute both manifests and Payload-Oxum after changing files (the signatures cannot follow)."""
    def rel(name: str) -> str:
        return name[len(root) + 1:]

    payload = {rel(n): hashlib.sha256(d).hexdigest() for n, d in files.items() if rel(n).startswith("data/")}
    info = files[f"{root}/bag-info.txt"].decode()
    oxum = f"{sum(len(d) for n, d in files.items() if rel(n).startswith('data/'))}.{len(payload)}"
    files[f"{root}/bag-info.txt"] = "".join(
        f"Payload-Oxum: {oxum}\n" if line.startswith("Payload-Oxum:") else line + "\n"
        for line in info.splitlines()).encode()
    files[f"{root}/manifest-sha256.txt"] = manifest_text(payload)
    tags = {name: hashlib.sha256(files[f"{root}/{name}"]).hexdigest() for name in TAG_FILES}
    files[f"{root}/tagmanifest-sha256.txt"] = manifest_text(tags)


def resign_manifest(root: str, files: dict[str, bytes], key) -> None:
    """Sign the (recomputed) tag manifest again with `key`, as someone holding that key could."""
    from app.dossier.signing import open_signer, sign_detached

    with open_signer(key) as signer:
        files[f"{root}/{MANIFEST_SIGNATURE}"] = sign_detached(signer, files[f"{root}/tagmanifest-sha256.txt"])


def write_zip(files: dict[str, bytes], target: Path, compress: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(target, "w", compression=compress) as archive:
        for name in sorted(files):
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), files[name], compress_type=compress)
    return target


def tampered(package: Path, target: Path, change: Callable[[str, dict[str, bytes]], None], restamped: bool = False,
             resign_with=None, compress: int = zipfile.ZIP_STORED) -> Path:
    root, files = entries(package)
    change(root, files)
    if restamped or resign_with is not None:
        restamp(root, files)
    if resign_with is not None:
        resign_manifest(root, files, resign_with)
    return write_zip(files, target, compress)


def sign_pdf_bytes(data: bytes, key, field: str = "ChuKySo", organisation: str = "UBND") -> bytes:
    """Add a visible signature in a new field `field` (the app's signer, any key)."""
    import tempfile

    from app.dossier.signing import Appearance, open_signer, sign_pdf

    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "in.pdf", Path(folder) / "out.pdf"
        source.write_bytes(data)
        with open_signer(key) as signer:
            import app.dossier.signing as signing

            old = signing.SIGNATURE_FIELD
            signing.SIGNATURE_FIELD = field
            try:
                sign_pdf(signer, source, out, Appearance(organisation))
            finally:
                signing.SIGNATURE_FIELD = old
        return out.read_bytes()


def change_visible_text(data: bytes, text: bytes = b"Muc do 2: Dat") -> bytes:
    """An incremental update that draws new text on the first page (what a forger appends to a signed PDF)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    drawing = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 400 Td (" + text + b") Tj ET"))
    contents = page.raw_get("/Contents")
    existing = list(contents.get_object()) if isinstance(contents.get_object(), generic.ArrayObject) else [contents]
    page["/Contents"] = generic.ArrayObject(existing + [drawing])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_validation_data(data: bytes, ca_pem: Path) -> bytes:
    """A later revision that only adds a DSS (validation data), as long-term archiving tools do."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    ca = x509.Certificate.load(pem.unarmor(ca_pem.read_bytes())[2])
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    out = io.BytesIO(data)
    DocumentSecurityStore.add_dss(out, signature.pkcs7_content, certs=[ca])
    return out.getvalue()


def add_document_timestamp(data: bytes) -> bytes:
    """A later revision that only adds a document timestamp (from a throw-away TSA), as archiving tools do."""
    import datetime as dt

    from asn1crypto import keys, x509
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    now = dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "TSA thử nghiệm")])
    cert = (cx509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(cx509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(cx509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(key, hashes.SHA256()))
    stamper = DummyTimeStamper(
        x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        keys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption())))
    out = io.BytesIO()
    PdfTimeStamper(stamper).timestamp_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), "sha256", output=out)
    return out.getvalue()
