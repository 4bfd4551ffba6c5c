"""Digital signatures with pyHanko: PAdES on the dossier PDFs, a detached CAdES over the bag's tag manifest.

The key comes from a PKCS#12 file or a PKCS#11 USB token (chosen by key id or certificate serial). The
visible appearance follows NĐ 30/2020 for electronic documents: the organisation name and the signing time
in Vietnam time (ISO 8601), Times-like 10 pt (Liberation Serif), with optional seal and signature images.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.dossier.tokens import diagnose, find_certificate
from app.errors import InputError
from app.paths import FONTS_DIR

if TYPE_CHECKING:
    from asn1crypto import x509
    from PIL import Image
    from pkcs11 import Session
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
    from pyhanko.pdf_utils.writer import BasePdfFileWriter
    from pyhanko.pdf_utils.xref import ObjectStream
    from pyhanko.sign.fields import SigFieldSpec
    from pyhanko.sign.signers import PdfSigner, Signer, SimpleSigner
    from pyhanko.sign.signers.pdf_signer import PdfSigningSession
    from pyhanko.stamp import TextStampStyle
    from pypdf import PageObject

VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "+07:00")
STAMP_FONT = FONTS_DIR / "LiberationSerif-Regular.ttf"
ISO_VIETNAM_FORMAT = "%Y-%m-%dT%H:%M:%S+07:00"
#: The signing time on the visible stamp, always in Vietnam time whatever the PC's time zone (NĐ 30/2020:
#: hh:mm:ss, date, and the zone as in ISO 8601): "22:05:42 ngày 27/11/2026 (+07:00)".
STAMP_TIME_FORMAT = "%H:%M:%S ngày %d/%m/%Y (+07:00)"
SIGNATURE_FIELD = "ChuKySo"
#: The visible signature box (points): width × height, and the right and bottom margins used when the signer's
#: name cannot be found on the last page.
STAMP_SIZE = (230, 62)
STAMP_MARGINS = (57, 60)


def vietnam_now() -> dt.datetime:
    return dt.datetime.now(VIETNAM_TZ).replace(microsecond=0)


def iso_vietnam(moment: dt.datetime) -> str:
    """ISO 8601 in Vietnam time, e.g. 2026-02-10T09:15:00+07:00."""
    return moment.astimezone(VIETNAM_TZ).strftime(ISO_VIETNAM_FORMAT)


def stamp_time(moment: dt.datetime) -> str:
    """The signing time as the visible stamp shows it: '22:05:42 ngày 27/11/2026 (+07:00)' (Vietnam time)."""
    return moment.astimezone(VIETNAM_TZ).strftime(STAMP_TIME_FORMAT)


@dataclass(frozen=True)
class Pkcs12Key:
    """A signing key in a .p12/.pfx file, opened with its password."""

    path: Path
    password: str = field(repr=False)


@dataclass(frozen=True)
class TokenKey:
    """A signing key on a USB token, chosen by key id (CKA_ID, hex) or by certificate serial."""

    module: Path
    pin: str = field(repr=False)
    key_id: str | None = None
    serial: int | None = None


SigningKey = Pkcs12Key | TokenKey


@dataclass(frozen=True)
class Appearance:
    """What the visible signature shows: the organisation and time; optional seal and signature images."""

    organisation: str
    signer_name: str = ""
    seal_image: Path | None = None
    signature_image: Path | None = None
    reason: str = "Ký hồ sơ đề nghị công nhận"
    location: str = ""


@contextmanager
def open_signer(key: SigningKey) -> Iterator[Signer]:
    """A pyHanko Signer for the key; a token session is closed afterwards."""
    if isinstance(key, Pkcs12Key):
        yield _pkcs12_signer(key)
        return
    session = _token_session(key)
    try:
        from pyhanko.sign.pkcs11 import PKCS11Signer

        key_id = bytes.fromhex(session[1])
        yield PKCS11Signer(session[0], cert_id=key_id, key_id=key_id, other_certs_to_pull=None)
    finally:
        session[0].close()


def _pkcs12_signer(key: Pkcs12Key) -> SimpleSigner:
    from pyhanko.sign import signers

    path = Path(key.path)
    if not path.is_file():
        raise InputError(f"Không tìm thấy tệp chứng thư số '{path}'.")
    signer: SimpleSigner | None
    try:  # pyHanko leaves load_pkcs12 unannotated
        signer = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
            str(path), passphrase=key.password.encode("utf-8"))
    except Exception:  # noqa: BLE001 - a wrong password and a damaged file look alike
        signer = None
    if signer is None:
        raise InputError(f"Không mở được tệp chứng thư số '{path.name}': sai mật khẩu hoặc tệp không phải PKCS#12.")
    return signer


def _token_session(key: TokenKey) -> tuple[Session, str]:
    """Find the certificate without a PIN, then log in to that token only (a wrong PIN costs one of 3 tries)."""
    from pkcs11 import exceptions as p11

    from app.dossier.tokens import load_module

    slot, cert = find_certificate(diagnose(key.module), key.key_id, key.serial)
    if slot.pin_warning == "Mã PIN đã bị khóa":
        raise InputError("Mã PIN của thiết bị ký số đã bị khóa. Hãy liên hệ nhà cung cấp chứng thư số để mở khóa.")
    if not cert.key_id:
        raise InputError("Chứng thư số đã chọn không có mã khóa (CKA_ID) nên không xác định được khóa ký.")
    try:
        token = next(s.get_token() for s in load_module(key.module).get_slots(token_present=True)
                     if int(s.slot_id) == slot.slot_id)
        session = token.open(user_pin=key.pin)
    except p11.PinIncorrect:
        raise InputError("Mã PIN không đúng. Lưu ý: thiết bị ký số sẽ bị khóa sau 3 lần nhập sai liên tiếp.") from None
    except p11.PinLocked:
        raise InputError("Mã PIN của thiết bị ký số đã bị khóa.") from None
    except p11.PKCS11Error as exc:
        raise InputError(f"Không đăng nhập được thiết bị ký số: {type(exc).__name__}.") from None
    return session, cert.key_id


def certificate_name(cert: x509.Certificate) -> str:
    """The certificate holder as people read it: the common name, else the whole subject."""
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)


def signer_name(signer: Signer) -> str:
    return certificate_name(signer.signing_cert)


def _stamp_background(appearance: Appearance) -> Image.Image | None:
    """Seal over the left third of the signature image (NĐ 30, Art. 33), as one transparent image."""
    from PIL import Image

    images: list[Image.Image | None] = []
    for path in (appearance.signature_image, appearance.seal_image):
        if path is None:
            images.append(None)
            continue
        try:
            images.append(Image.open(path).convert("RGBA"))
        except (OSError, ValueError):
            raise InputError(f"Không đọc được ảnh '{Path(path).name}' (cần tệp PNG nền trong suốt).") from None
    signature, seal = images
    if signature is None and seal is None:
        return None
    height = 300
    scaled = [None if im is None else im.resize((max(1, im.width * height // im.height), height)) for im in images]
    signature, seal = scaled
    width = (signature.width if signature else 0) + (seal.width * 2 // 3 if seal and signature else (seal.width if seal else 0))
    canvas = Image.new("RGBA", (max(1, width), height), (255, 255, 255, 0))
    offset = 0
    if seal is not None and signature is not None:
        offset = seal.width * 2 // 3
    if signature is not None:
        canvas.alpha_composite(signature, (offset, 0))
    if seal is not None:
        canvas.alpha_composite(seal, (0, 0))
    return canvas


@functools.lru_cache(maxsize=1)
def _stamp_font_bytes() -> bytes:
    """Liberation Serif rescaled to 1000 units per em.

    pyHanko's glyph accumulator mixes font units with the PDF's 1/1000-em text space, so fonts with 2048
    units per em (Liberation, Times) come out with letters spread apart; a 1000-unit copy renders exactly.
    """
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(str(STAMP_FONT))
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _font_factory() -> GlyphAccumulatorFactory:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    class InMemoryGlyphAccumulatorFactory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer: BasePdfFileWriter,
                               obj_stream: ObjectStream | None = None) -> GlyphAccumulator:
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()  # type: ignore[no-untyped-call]  # unannotated in pyHanko
            return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(_stamp_font_bytes()),
                                    font_size=self.font_size, obj_stream=obj_stream)

    return InMemoryGlyphAccumulatorFactory(str(STAMP_FONT), font_size=10)


def _stamp_style(appearance: Appearance) -> TextStampStyle:
    import logging

    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset" is harmless noise
    background = _stamp_background(appearance)
    options: dict[str, Any] = {}
    if background is not None:
        options = dict(
            background=PdfImage(background), background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MIN,
                                                         y_align=layout.AxisAlignment.ALIGN_MID),
            inner_content_layout=layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MAX,
                                                            y_align=layout.AxisAlignment.ALIGN_MID),
        )
    return TextStampStyle(
        stamp_text="Ký bởi: %(org)s\nThời gian ký: %(ts)s",
        timestamp_format=STAMP_TIME_FORMAT,
        text_box_style=TextBoxStyle(font=_font_factory(), font_size=10),
        border_width=0,
        **options,
    )


def _text_lines(page: PageObject) -> list[tuple[str, float, float]]:
    """(text, x, baseline y) of each text run on a page, in PDF points."""
    lines: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font_dict: Any, font_size: float) -> None:
        if text.strip():
            lines.append((text.strip(), cm[4] + tm[4], cm[5] + tm[5]))

    page.extract_text(visitor_text=visit)
    return lines


def _stamp_box(page: PageObject, anchor: str) -> tuple[int, int, int, int]:
    """Between the signer's title and name when the name is found on the page (NĐ 30 signature place);
    otherwise at the bottom right above the margin."""
    box = page.mediabox
    width, height = STAMP_SIZE
    right = float(box.right) - STAMP_MARGINS[0]
    lines = _text_lines(page) if anchor.strip() else []
    names = [line for line in lines if line[0] == anchor.strip()]
    if names:
        _, x, y = names[-1]
        above = [ly for text, lx, ly in lines if ly > y + 4 and abs(lx - x) < 120]
        top = min(above) - 6 if above else y + 12 + height
        bottom = y + 14
        if top - bottom >= 40:
            left = max(x, right - width - max(0.0, (right - x - width) / 2))
            left = min(left, right - width)
            return int(left), int(bottom), int(left + width), int(min(top, bottom + height))
    return int(right - width), int(float(box.bottom) + STAMP_MARGINS[1]), int(right), \
        int(float(box.bottom) + STAMP_MARGINS[1] + height)


def _field_spec(data: bytes, anchor: str) -> tuple[str, SigFieldSpec | None]:
    """Sign into the document's own empty signature field when it has one; else a box on the last page."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields
    from pypdf import PdfReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    empty = [name for name, _, _ in fields.enumerate_sig_fields(reader, filled_status=False)]
    if empty:
        return empty[0], None
    pages = PdfReader(io.BytesIO(data)).pages
    spec = fields.SigFieldSpec(SIGNATURE_FIELD, on_page=len(pages) - 1, box=_stamp_box(pages[-1], anchor))
    return SIGNATURE_FIELD, spec


def _pdf_signer_class() -> type[PdfSigner]:
    from pyhanko.sign.signers import PdfSigner

    class VietnamTimePdfSigner(PdfSigner):
        """Records the signing time in Vietnam time, as the visible stamp and the CMS attribute both show it."""

        def init_signing_session(self, pdf_out: BasePdfFileWriter,
                                 existing_fields_only: bool = False) -> PdfSigningSession:
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = vietnam_now()
            return session

    return VietnamTimePdfSigner


def sign_pdf(signer: Signer, source: Path, target: Path, appearance: Appearance) -> None:
    """Add a PAdES signature with a visible NĐ 30 appearance; `target` is written whole or not at all."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from app.fileio import write_bytes_atomic

    data = Path(source).read_bytes()
    try:
        field_name, spec = _field_spec(data, appearance.signer_name)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
            reason=appearance.reason, location=appearance.location or None,
        )
        pdf_signer = _pdf_signer_class()(meta, signer, stamp_style=_stamp_style(appearance), new_field_spec=spec)
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        output = io.BytesIO()
        pdf_signer.sign_pdf(writer, output=output, appearance_text_params={"org": appearance.organisation})
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyHanko and token modules raise many kinds
        raise InputError(f"Không ký được văn bản '{Path(source).name}': {exc}.") from None
    write_bytes_atomic(target, output.getvalue())


def sign_detached(signer: Signer, data: bytes) -> bytes:
    """A detached CAdES signature (DER) over `data`, signing time in Vietnam time."""
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    attrs = PdfCMSSignedAttributes(signing_time=vietnam_now())
    try:
        content = asyncio.run(signer.async_sign_general_data(
            data, "sha256", detached=True, use_cades=True, signed_attr_settings=attrs))
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"Không ký được tệp kê khai của gói hồ sơ: {exc}.") from None
    der: bytes = content.dump()
    return der
