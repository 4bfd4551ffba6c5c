"""The package manifest carried inside a signed document, for dossiers signed outside the app ("ký ngoài").

When the official signs with the CA's own software, the app cannot add its CAdES signature over the bag's tag
manifest. So, before the documents leave the app, a manifest of everything else the package will hold is
attached (PDF EmbeddedFiles) to one document the official signs — the Danh mục minh chứng. Signing that
document signs the manifest. `verify` reads the attachment from the revision the signature covers (a later
update cannot slip in another one) and compares it with the package:

- every payload file outside data/documents/ (dataset JSON, Excel summary, evidence) by SHA-256;
- every other signed document: it must begin with exactly the bytes exported for signing (SHA-256 and size),
  so only the signature was added to it;
- bag-info.txt byte for byte, from the signed fields plus the Payload-Oxum of the package as built.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.dossier import bag
from app.errors import CdhtError, InputError
from app.fileio import parse_json

if TYPE_CHECKING:
    from pyhanko.pdf_utils.generic import DictionaryObject

ATTACHMENT = "bang-ke-goi-ho-so.json"
FORMAT = "cdht-signed-manifest/1"
CARRIER_STEM = "danh_muc_minh_chung"
OXUM = "Payload-Oxum"
MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class SignedManifest:
    """What the signer of the carrier document vouches for (paths relative to the bag root)."""

    package_uuid: str
    version: int
    year: int
    level: int
    carrier: str
    bag_info: tuple[tuple[str, str], ...]
    files: dict[str, str]
    documents: dict[str, tuple[str, int]]

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "package_uuid": self.package_uuid, "version": self.version, "year": self.year,
                "level": self.level, "carrier": self.carrier, "bag_info": [list(pair) for pair in self.bag_info],
                "files": dict(sorted(self.files.items())),
                "documents": {k: {"sha256": v[0], "size": v[1]} for k, v in sorted(self.documents.items())}}

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    def bag_info_text(self, oxum: str) -> bytes:
        """bag-info.txt as the package must carry it: the signed fields, with the package's Payload-Oxum."""
        return bag.bag_info_text([(label, oxum if label == OXUM else value) for label, value in self.bag_info])


def _fail(reason: str) -> ValueError:
    return ValueError(f"bảng kê ký kèm không hợp lệ: {reason}")


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise _fail(f"thiếu '{name}'")
    return value


def _hex(value: object, name: str) -> str:
    text = _text(value, name).lower()
    if len(text) != 64 or any(ch not in "0123456789abcdef" for ch in text):
        raise _fail(f"mã băm của '{name}' sai dạng")
    return text


def _number(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _fail(f"'{name}' phải là số nguyên không âm")
    return value


def parse(data: bytes) -> SignedManifest:
    """The manifest from the attachment's bytes; ValueError (Vietnamese) when it is not one."""
    try:
        document = parse_json(data.decode("utf-8"), "bảng kê ký kèm")
    except UnicodeDecodeError:
        raise _fail("không phải văn bản UTF-8") from None
    except CdhtError as exc:
        raise ValueError(exc.message) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _fail(f"không đúng định dạng {FORMAT}")
    pairs = document.get("bag_info")
    if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise _fail("thiếu các trường bag-info")
    files, documents = document.get("files"), document.get("documents")
    if not isinstance(files, dict) or not isinstance(documents, dict):
        raise _fail("thiếu danh sách tệp")
    signed_documents: dict[str, tuple[str, int]] = {}
    for path, entry in documents.items():
        if not isinstance(entry, dict):
            raise _fail(f"mục văn bản '{path}' sai dạng")
        signed_documents[path] = (_hex(entry.get("sha256"), path), _number(entry.get("size"), path))
    return SignedManifest(
        package_uuid=_text(document.get("package_uuid"), "package_uuid"),
        version=_number(document.get("version"), "version"), year=_number(document.get("year"), "year"),
        level=_number(document.get("level"), "level"), carrier=_text(document.get("carrier"), "carrier"),
        bag_info=tuple((_text(label, "bag_info"), _text(value, "bag_info")) for label, value in pairs),
        files={_text(path, "files"): _hex(digest, path) for path, digest in files.items()},
        documents=signed_documents,
    )


def carrier_of(names: list[str]) -> str:
    """Which document carries the manifest: the Danh mục minh chứng, else the first by name."""
    ordered = sorted(names)
    return next((n for n in ordered if Path(n).name.startswith(CARRIER_STEM)), ordered[0])


def embed(pdf: bytes, manifest: SignedManifest) -> bytes:
    """The PDF with the manifest attached, as an incremental update (the original bytes stay a prefix)."""
    from pyhanko.pdf_utils import embed as pdf_embed
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        stream = pdf_embed.EmbeddedFileObject.from_file_data(writer, manifest.to_bytes(), mime_type="application/json")
        pdf_embed.embed_file(writer, pdf_embed.FileSpec(
            file_spec_string=ATTACHMENT, file_name=ATTACHMENT, embedded_data=stream,
            description="Bảng kê mã băm các tệp của gói hồ sơ (CĐHT xã)"))
        out = io.BytesIO()
        writer.write(out)  # type: ignore[no-untyped-call]  # unannotated in pyHanko
    except Exception as exc:  # noqa: BLE001 - pyHanko raises many kinds for unusual PDFs
        raise InputError(f"Không đính kèm được bảng kê gói vào văn bản: {exc}.") from None
    return out.getvalue()


def _names_array(tree: DictionaryObject, depth: int = 0) -> list[Any]:
    """Flatten a PDF name tree's (name, value) pairs (bounded depth)."""
    if depth > 8:
        return []
    pairs = list(tree["/Names"]) if "/Names" in tree else []
    for kid in tree["/Kids"] if "/Kids" in tree else []:
        pairs += _names_array(kid.get_object(), depth + 1)
    return pairs


def _attachment(path: Path, signed: bool) -> bytes | None:
    from app.dossier.sigcheck import pdf_reader

    with open(path, "rb") as handle:
        try:
            reader = pdf_reader(handle, max_stream_bytes=MAX_ATTACHMENT_BYTES)
            if signed:
                signatures = list(reader.embedded_regular_signatures)
                if not signatures:
                    return None
                root = reader.get_historical_resolver(signatures[0].signed_revision).root
            else:
                root = reader.root
            pairs = _names_array(root["/Names"]["/EmbeddedFiles"].get_object())
        except (KeyError, TypeError, AttributeError):
            return None
        except Exception as exc:  # noqa: BLE001 - a damaged PDF fails in the parser in many ways
            raise ValueError(f"không đọc được tệp PDF ({exc})") from None
        for name, value in zip(pairs[::2], pairs[1::2], strict=False):
            if str(name) != ATTACHMENT:
                continue
            try:
                stream = value.get_object()["/EF"]["/F"].get_object()
                if int(stream["/Length"]) > MAX_ATTACHMENT_BYTES:
                    raise ValueError("bảng kê ký kèm quá lớn")
                data: bytes = stream.data
            except (KeyError, TypeError, AttributeError):
                return None
            except Exception as exc:  # noqa: BLE001 - pyHanko's decode limit, or a damaged stream
                raise ValueError(f"bảng kê ký kèm không đọc được hoặc quá lớn ({exc})") from None
            if len(data) > MAX_ATTACHMENT_BYTES:
                raise ValueError("bảng kê ký kèm quá lớn")
            return data
    return None


def signed_attachment(path: Path) -> bytes | None:
    """The manifest attachment as it was when the document was first signed (None when it had none then):
    read from the revision the first signature covers, so an attachment added later is never seen."""
    return _attachment(path, signed=True)


def attachment_of(path: Path) -> bytes | None:
    """The manifest attachment of a document as it is now (signed or not)."""
    return _attachment(path, signed=False)


__all__ = ["ATTACHMENT", "FORMAT", "SignedManifest", "parse", "carrier_of", "embed", "signed_attachment", "attachment_of"]
