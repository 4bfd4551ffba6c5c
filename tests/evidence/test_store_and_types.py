"""The content-addressed store and the content-based type checks."""

from __future__ import annotations

import errno
import hashlib
import io
from pathlib import Path

import pytest

from app.errors import InputError, StorageError
from app.evidence.sniff import detect_kind, extension_note
from app.evidence.store import EvidenceStore, StoreFullError, evidence_root, hash_file, stored_path
from tests.evidence.conftest import (
    FIXTURES,
    docx_bytes,
    image_bytes,
    mp4_bytes,
    pdf_bytes,
    xlsx_bytes,
    zip_bytes,
)


def test_layout_is_data_dir_evidence_sha_prefix_sha(ws):
    sha = hashlib.sha256(b"x").hexdigest()
    assert evidence_root(ws) == ws.data_dir / "evidence"
    assert stored_path(ws, sha) == ws.data_dir / "evidence" / sha[:2] / sha


def test_put_hashes_while_copying_and_stores_same_content_once(tmp_path):
    store = EvidenceStore(tmp_path / "evidence")
    data = b"%PDF-1.4 " + bytes(range(256)) * 9000  # > 1 MiB, several chunks
    first = store.put(io.BytesIO(data), "a.pdf", 10 ** 9)
    second = store.put(io.BytesIO(data), "b.pdf", 10 ** 9)
    assert first.sha256 == hashlib.sha256(data).hexdigest() == second.sha256
    assert first.created and not second.created
    assert first.path.read_bytes() == data
    assert hash_file(first.path) == first.sha256
    assert list(store.stored_hashes()) == [first.sha256]
    assert store.temp_files() == []


class FailingFile(io.RawIOBase):
    """A temporary file on a disk that fills up after `room` bytes."""

    def __init__(self, path: Path, room: int) -> None:
        self.handle = open(path, "xb")
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.handle.write(data)

    def fileno(self) -> int:
        return self.handle.fileno()

    def close(self) -> None:
        self.handle.close()
        super().close()


def test_full_disk_midway_leaves_no_temporary_file(tmp_path):
    store = EvidenceStore(tmp_path / "evidence")
    with pytest.raises(StoreFullError) as caught:
        store.put(io.BytesIO(b"%PDF" + b"x" * 3_000_000), "Kế hoạch.pdf", 10 ** 9,
                  open_temp=lambda p: FailingFile(p, 1_500_000))
    assert "Ổ đĩa đã đầy" in caught.value.message and "Kế hoạch.pdf" in caught.value.message
    assert store.temp_files() == [] and list(store.stored_hashes()) == []


def test_other_write_errors_name_the_file(tmp_path):
    store = EvidenceStore(tmp_path / "evidence")

    def broken(path):
        raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(StorageError) as caught:
        store.put(io.BytesIO(b"abc"), "bao-cao.pdf", 100, open_temp=broken)
    assert not isinstance(caught.value, StoreFullError)
    assert "bao-cao.pdf" in caught.value.message


def test_size_limit_is_checked_while_reading(tmp_path):
    store = EvidenceStore(tmp_path / "evidence")
    with pytest.raises(InputError, match="lớn hơn giới hạn"):
        store.put(io.BytesIO(b"y" * 5000), "to.pdf", 4096)
    assert store.temp_files() == []


ACCEPTED = {
    "a.pdf": (pdf_bytes, "application/pdf"),
    "a.jpg": (lambda: image_bytes("JPEG"), "image/jpeg"),
    "a.png": (lambda: image_bytes("PNG"), "image/png"),
    "a.tif": (lambda: image_bytes("TIFF"), "image/tiff"),
    "a.docx": (docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "a.xlsx": (xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "a.mp4": (mp4_bytes, "video/mp4"),
    "ke-hoach.doc": (lambda: (FIXTURES / "ke-hoach.doc").read_bytes(), "application/msword"),
    "danh-sach.xls": (lambda: (FIXTURES / "danh-sach.xls").read_bytes(), "application/vnd.ms-excel"),
    "ke-hoach.odt": (lambda: (FIXTURES / "ke-hoach.odt").read_bytes(), "application/vnd.oasis.opendocument.text"),
    "danh-sach.ods": (lambda: (FIXTURES / "danh-sach.ods").read_bytes(),
                      "application/vnd.oasis.opendocument.spreadsheet"),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_every_accepted_type_is_recognised_by_content(name):
    make, mime = ACCEPTED[name]
    handle = io.BytesIO(make())
    assert detect_kind(handle, name).mime == mime
    assert handle.tell() == 0


def test_type_comes_from_content_not_extension():
    kind = detect_kind(io.BytesIO(image_bytes("PNG")), "anh.jpg")
    assert kind.mime == "image/png"
    assert "nội dung là Ảnh PNG" in extension_note("anh.jpg", kind)
    assert extension_note("anh.jpeg", detect_kind(io.BytesIO(image_bytes("JPEG")), "anh.jpeg")) == ""


REFUSED = {
    "windows program renamed": ("bao-cao.pdf", b"MZ\x90\x00\x03" + b"\x00" * 400, "chương trình"),
    "linux program renamed": ("anh.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 400, "chương trình"),
    "script": ("ke-hoach.pdf", b"#!/bin/sh\nrm -rf /\n", "chương trình"),
    "plain text": ("ghi-chu.pdf", "Biên bản họp".encode() * 20, "không thuộc loại được chấp nhận"),
    "plain zip": ("ho-so.docx", zip_bytes({"a.txt": b"hello"}), "tệp nén ZIP"),
    "presentation": ("slide.pptx", zip_bytes({"[Content_Types].xml": b"<x/>", "ppt/presentation.xml": b"<p/>"}),
                     "không phải Word (DOCX) hay Excel"),
    "opendocument presentation": ("slide.odp", zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.presentation"}),
                                  "chỉ nhận văn bản ODT"),
    "broken zip": ("hong.xlsx", b"PK\x03\x04" + b"\x00" * 200, "bị hỏng"),
    "broken ole2": ("hong.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600, "bị hỏng"),
    "gif image": ("anh.gif", b"GIF89a" + b"\x00" * 100, "không thuộc loại được chấp nhận"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_types_get_a_message_naming_the_file(case):
    name, data, expected = REFUSED[case]
    with pytest.raises(InputError) as caught:
        detect_kind(io.BytesIO(data), name)
    assert expected in caught.value.message
    assert f"'{name}'" in caught.value.message


def test_executable_renamed_pdf_message_is_explicit():
    with pytest.raises(InputError) as caught:
        detect_kind(io.BytesIO(b"MZ" + b"\x00" * 300), "quyet-dinh.pdf")
    assert caught.value.message.startswith("Tệp 'quyet-dinh.pdf' là chương trình")
    assert "dù có đuôi '.pdf'" in caught.value.message
