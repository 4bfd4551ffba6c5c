"""USB token (PKCS#11) diagnostics and key lookup by CKA_ID or certificate serial, never by label.

Vietnamese tokens often carry labels with diacritics or empty labels, which break lookups by label; the key
id (CKA_ID, shown in hex) and the certificate serial are stable. Listing reads only public objects, so it
needs no PIN and cannot lock the token (tokens lock after 3 wrong PINs).
"""

from __future__ import annotations

import datetime as dt
import platform
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import x509 as asn1_x509

from app.errors import InputError
from app.text import printable

if TYPE_CHECKING:
    from asn1crypto import x509
    from pkcs11 import Token
    from pkcs11._pkcs11 import lib as Pkcs11Library


@dataclass(frozen=True)
class TokenCertificate:
    subject: str
    issuer: str
    serial: int
    not_before: dt.datetime
    not_after: dt.datetime
    key_id: str  # CKA_ID in lowercase hex
    label: str
    holder: str = ""  # the subject's common name

    @property
    def serial_hex(self) -> str:
        return format(self.serial, "X")

    def valid_at(self, moment: dt.datetime) -> bool:
        return self.not_before <= moment <= self.not_after


@dataclass(frozen=True)
class TokenSlot:
    slot_id: int
    description: str
    token_label: str
    manufacturer: str
    model: str
    token_serial: str
    pin_warning: str
    certificates: tuple[TokenCertificate, ...] = ()


@dataclass(frozen=True)
class TokenReport:
    module: str
    app_bits: int
    slots: tuple[TokenSlot, ...] = field(default_factory=tuple)

    @property
    def certificates(self) -> list[tuple[TokenSlot, TokenCertificate]]:
        return [(slot, cert) for slot in self.slots for cert in slot.certificates]


def _text(value: object) -> str:
    """Text a token reports (labels, names): decoded, control characters removed, safe to print."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return printable(str(value or "").strip().rstrip("\x00")).strip()


def load_module(module: Path | str) -> Pkcs11Library:
    """Load a PKCS#11 module (the CA's .dll/.so) with a Vietnamese error that hints at 32/64-bit mismatches."""
    import pkcs11

    path = Path(module)
    if not path.is_file():
        raise InputError(f"Không tìm thấy thư viện PKCS#11 '{path}'. Hãy chọn tệp .dll/.so do nhà cung cấp chữ ký số cài đặt.")
    try:
        return pkcs11.lib(str(path))
    except Exception as exc:  # noqa: BLE001 - vendor modules fail in many ways
        bits = struct.calcsize("P") * 8
        raise InputError(
            f"Không nạp được thư viện PKCS#11 '{path.name}' ({exc}). Ứng dụng là {bits}-bit trên {platform.system()}; "
            f"thư viện của thiết bị ký số phải cùng loại {bits}-bit."
        ) from None


def _pin_warning(flags: int) -> str:
    from pkcs11.constants import TokenFlag

    if flags & TokenFlag.USER_PIN_LOCKED:
        return "Mã PIN đã bị khóa"
    if flags & TokenFlag.USER_PIN_FINAL_TRY:
        return "Chỉ còn 1 lần nhập PIN"
    if flags & TokenFlag.USER_PIN_COUNT_LOW:
        return "Đã nhập sai PIN, số lần thử còn ít"
    return ""


_NAME_LABELS = {
    "common_name": "Tên", "organization_name": "Tổ chức", "organizational_unit_name": "Đơn vị",
    "locality_name": "Địa phương", "state_or_province_name": "Tỉnh/Thành phố", "country_name": "Quốc gia",
    "email_address": "Thư điện tử", "title": "Chức danh", "serial_number": "Số định danh",
    "user_id": "Mã định danh",
}


def vietnamese_name(name: x509.Name) -> str:
    """A certificate's subject or issuer in Vietnamese labels, most specific first: 'Tên: …, Tổ chức: …'."""
    parts = []
    for key, value in reversed(list(name.native.items())):
        label = _NAME_LABELS.get(key, key.replace("_", " "))
        values = value if isinstance(value, list) else [value]
        parts += [f"{label}: {item}" for item in values]
    return ", ".join(parts)


def _certificates(token: Token) -> tuple[TokenCertificate, ...]:
    from pkcs11 import Attribute, ObjectClass

    found = []
    with token.open() as session:
        for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
            try:
                der = obj[Attribute.VALUE]
                key_id = bytes(obj[Attribute.ID] or b"").hex()
                label = _text(obj[Attribute.LABEL])
            except Exception:  # noqa: BLE001 - skip objects the module cannot describe
                continue
            cert = asn1_x509.Certificate.load(der)
            found.append(TokenCertificate(
                subject=_text(vietnamese_name(cert.subject)), issuer=_text(vietnamese_name(cert.issuer)),
                serial=cert.serial_number, not_before=cert.not_valid_before, not_after=cert.not_valid_after,
                key_id=key_id, label=label, holder=_text(cert.subject.native.get("common_name") or ""),
            ))
    return tuple(sorted(found, key=lambda c: (c.key_id, c.serial)))


def diagnose(module: Path | str) -> TokenReport:
    """Module, slots, tokens and certificates (subject, issuer, validity, key id); no PIN needed.

    Empty slots and uninitialised tokens are skipped; a token the module cannot read is listed with the reason.
    """
    from pkcs11.constants import TokenFlag

    lib = load_module(module)
    try:
        present = lib.get_slots(token_present=True)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"Không đọc được danh sách khe cắm qua '{Path(module).name}': {type(exc).__name__}.") from None
    slots = []
    for slot in present:
        try:
            token = slot.get_token()
            flags = int(token.flags)
            if not flags & TokenFlag.TOKEN_INITIALIZED:
                continue
            certificates, warning = _certificates(token), _pin_warning(flags)
        except Exception as exc:  # noqa: BLE001 - one faulty token must not hide the others
            slots.append(TokenSlot(int(slot.slot_id), _text(slot.slot_description), "", "", "", "",
                                   f"Không đọc được thiết bị: {type(exc).__name__}"))
            continue
        slots.append(TokenSlot(
            slot_id=int(slot.slot_id), description=_text(slot.slot_description),
            token_label=_text(token.label), manufacturer=_text(token.manufacturer_id), model=_text(token.model),
            token_serial=_text(token.serial), pin_warning=warning, certificates=certificates,
        ))
    return TokenReport(str(module), struct.calcsize("P") * 8, tuple(slots))


def find_certificate(report: TokenReport, key_id: str | None = None,
                     serial: int | None = None) -> tuple[TokenSlot, TokenCertificate]:
    """The certificate chosen by key id (hex) or serial; InputError lists what the token holds otherwise."""
    if not key_id and serial is None:
        raise InputError("Hãy chọn chứng thư số theo mã khóa (key id) hoặc số hiệu (serial).")
    wanted = (key_id or "").lower().replace(":", "").replace(" ", "")
    matches = [(slot, cert) for slot, cert in report.certificates
               if (wanted and cert.key_id == wanted) or (serial is not None and cert.serial == serial)]
    if not matches:
        listing = "; ".join(f"mã khóa {c.key_id or '(trống)'} — {c.subject}" for _, c in report.certificates)
        raise InputError("Không tìm thấy chứng thư số đã chọn trên thiết bị ký số. "
                         + (f"Thiết bị đang có: {listing}." if listing else "Thiết bị không có chứng thư nào."))
    return matches[0]
