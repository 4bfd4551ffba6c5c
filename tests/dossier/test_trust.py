"""The bundled national trust anchors: exactly the accepted certificates, with the fingerprints the README lists."""

from __future__ import annotations

import re
import subprocess

import pytest

from app.dossier.trust import TRUST_DIR, bundled_anchors, fingerprint, normalise_fingerprint, trust_anchors
from app.errors import InputError

#: The accepted certificates and their SHA-256 fingerprints, checked against two independent public sources.
EXPECTED = {
    "vgca-rootca-g2.pem": "f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8",
    "vgca-cpca-g2.pem": "d8cab7a4aef92e6bb2509d7c61cee7b44f3731b2d21074963530277b366fae4b",
    "vgca-dcsca-g2.pem": "e4b402e3cb4cacc0a20d21fa49bce76beb4eb47ba7ffb7a8f71c554dbe561a81",
    "vgca-rootca-g1.pem": "f7bc89054cec7f12730d7b8cd3eb7955b163835087e5eb873edfb584763b3f90",
    "vgca-cpca-g1.pem": "75e969c07ba35c29c72bbc1bfb880f20f3891a619b00b77eb02ca6160736a1fe",
    "neac-vnrca-256.pem": "bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7",
    "neac-vnrca-g3.pem": "7b3269e7d79aebbfae5095f45bbb7074771e690cb7df02b441062b12f7690ece",
    "neac-vnrca-tsa.pem": "d343b3c5132f7d1676c3560025aefef036fceec073c33f18e075b3a21c8f8552",
    "neac-mic-nrca.pem": "ca918d635bb130bec97639e6aabf7edbc4eb1310f8058b9419f467ae0230ad8c",
}


def test_the_bundled_files_are_exactly_the_accepted_certificates():
    assert sorted(p.name for p in TRUST_DIR.glob("*.pem")) == sorted(EXPECTED)
    for name, expected in EXPECTED.items():
        printed = subprocess.run(["openssl", "x509", "-in", str(TRUST_DIR / name), "-noout", "-fingerprint",
                                  "-sha256"], capture_output=True, text=True, check=True).stdout
        assert printed.split("=", 1)[1].strip().replace(":", "").lower() == expected, name
    assert sorted(fingerprint(c) for c in bundled_anchors()) == sorted(EXPECTED.values())


def test_the_readme_lists_every_anchor_with_its_fingerprint_and_sources():
    readme = (TRUST_DIR / "README.md").read_text(encoding="utf-8")
    for name, expected in EXPECTED.items():
        rows = [line for line in readme.splitlines() if line.startswith(f"| `{name}`")]
        assert len(rows) == 2, name  # one row in the anchors table, one in the sources table
        assert f"`{expected}`" in rows[0]
        assert re.search(r"\w+/[\w.\-]+: `", rows[1]), rows[1]


def test_trust_adds_and_trust_only_replaces(pki):
    assert trust_anchors().bundled == 9 and trust_anchors().added == 0
    added = trust_anchors([pki.ca_pem])
    assert (added.bundled, added.added, len(added.certificates)) == (9, 1, 10)
    only = trust_anchors(only=[pki.ca_pem])
    assert (only.bundled, only.added, len(only.certificates)) == (0, 1, 1)
    assert trust_anchors(only=[]).certificates == ()
    assert "9 chứng thư gốc quốc gia" in added.describe() and "1 chứng thư do người kiểm tra" in added.describe()


def test_unreadable_trust_files_are_named(tmp_path):
    (tmp_path / "rac.pem").write_text("không phải chứng thư")
    with pytest.raises(InputError, match="rac.pem"):
        trust_anchors([tmp_path / "rac.pem"])
    with pytest.raises(InputError, match="Không tìm thấy"):
        trust_anchors([tmp_path / "khong-co.pem"])
    assert normalise_fingerprint("AB:" * 31 + "CD") == "ab" * 31 + "cd"
    with pytest.raises(InputError, match="64 chữ số"):
        normalise_fingerprint("abc")
