"""BagIt (RFC 8493) text files: bagit.txt, bag-info.txt and the SHA-256 manifests, written and parsed.

Paths in manifests are relative to the bag root, '/'-separated, NFC, with CR, LF and '%' percent-encoded
as the RFC requires.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from app.text import nfc, printable

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
PAYLOAD_MANIFEST = "manifest-sha256.txt"
TAG_MANIFEST = "tagmanifest-sha256.txt"
MANIFEST_SIGNATURE = "signatures/tagmanifest-sha256.txt.p7s"
TAG_FILES = ("bagit.txt", "bag-info.txt", PAYLOAD_MANIFEST)
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def encode_path(path: str) -> str:
    return nfc(path).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_path(path: str) -> str:
    return path.replace("%0D", "\r").replace("%0d", "\r").replace("%0A", "\n").replace("%0a", "\n").replace("%25", "%")


def manifest_text(entries: dict[str, str]) -> bytes:
    """`sha256  path` lines sorted by path."""
    return "".join(f"{digest}  {encode_path(path)}\n" for path, digest in sorted(entries.items())).encode("utf-8")


def iter_manifest(data: bytes, name: str) -> Iterator[tuple[str, str]]:
    """(path, sha256) line by line, without holding the whole listing as text; ValueError names the bad line."""
    for number, raw in enumerate(io.BytesIO(data), start=1):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise ValueError(f"{name} không phải văn bản UTF-8 (dòng {number})") from None
        if not line.strip():
            continue
        digest, _, path = line.partition(" ")
        path = decode_path(path.lstrip(" *"))
        if not _SHA256.match(digest) or not path:
            raise ValueError(f"{name}, dòng {number} không đúng dạng 'mã-băm  đường-dẫn'")
        yield nfc(path), digest.lower()


def parse_manifest(data: bytes, name: str) -> dict[str, str]:
    """{path: sha256}; ValueError names the bad line or a path listed twice."""
    entries: dict[str, str] = {}
    for path, digest in iter_manifest(data, name):
        if path in entries:
            raise ValueError(f"{name} liệt kê hai lần tệp '{printable(path, 120)}'")
        entries[path] = digest
    return entries


def bag_info_text(fields: list[tuple[str, str]]) -> bytes:
    return "".join(f"{label}: {nfc(str(value)).replace(chr(10), ' ')}\n" for label, value in fields).encode("utf-8")


def parse_bag_info(data: bytes) -> dict[str, str]:
    """Labels to values (the last wins); continuation lines are joined."""
    fields: dict[str, str] = {}
    label = None
    for line in data.decode("utf-8", "replace").splitlines():
        if line[:1] in (" ", "\t") and label:
            fields[label] += " " + line.strip()
            continue
        label, sep, value = line.partition(":")
        if not sep:
            label = None
            continue
        label = label.strip()
        fields[label] = value.strip()
    return fields


def payload_oxum(total_bytes: int, count: int) -> str:
    return f"{total_bytes}.{count}"
