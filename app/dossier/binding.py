"""Is the signer the commune the package speaks for? Matching a certificate subject to a commune and province.

Vietnamese CAs write the organisation into the subject's CN/O/OU/L/ST in several ways: "UBND xã Đồng Tiến",
"Ủy ban nhân dân xã Đồng Tiến, tỉnh Thái Nguyên", L=Thái Nguyên, ST=Tỉnh Thái Nguyên… Names are compared after NFC
with accents and case folded. The commune must appear as a whole unit name ("xã/phường/thị trấn/đặc khu NAME",
ended by the end of the value, a separator or the province), so "xã Kiến" never matches "xã Kiến Hưng"; the
province must appear as a whole value, a separated part, or after "tỉnh/thành phố".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.text import fold, nfc

if TYPE_CHECKING:
    from app.dossier.registry import Registry

_SPACES = re.compile(r"\s+")
_SEPARATOR = r"[,;/()\[\]\-–—:|]"
_ORGANISATION = r"(?:uy ban nhan dan|ubnd)"
_COMMUNE_UNIT = r"(?:xa|phuong|thi tran|dac khu)"
_PROVINCE_UNIT = r"(?:tinh|thanh pho|tp\.?)"
#: Subject attributes that can name the organisation or its place (not e-mail, serial number or country).
NAME_ATTRIBUTES = ("common_name", "organization_name", "organizational_unit_name", "locality_name",
                   "state_or_province_name", "title", "street_address")


def _folded(text: str) -> str:
    return _SPACES.sub(" ", fold(nfc(str(text)))).strip()


def commune_key(name: str) -> str:
    """'Ủy ban nhân dân xã Đồng Tiến' / 'xã Đồng Tiến' / 'Đồng Tiến' -> 'dong tien'."""
    text = re.sub(rf"^{_ORGANISATION}\s+", "", _folded(name))
    return re.sub(rf"^{_COMMUNE_UNIT}\s+", "", text)


def province_key(name: str) -> str:
    """'Tỉnh Thái Nguyên' / 'TP. Hà Nội' / 'Thái Nguyên' -> 'thai nguyen' / 'ha noi'."""
    return re.sub(rf"^{_PROVINCE_UNIT}\s*", "", _folded(name))


def same_place(a_commune: str, a_province: str, b_commune: str, b_province: str) -> bool:
    return commune_key(a_commune) == commune_key(b_commune) and province_key(a_province) == province_key(b_province)


def names_commune(value: str, commune: str) -> bool:
    """Does one subject value name the commune as a unit ('xã NAME'), not as part of a longer name?"""
    key = commune_key(commune)
    if not key:
        return False
    pattern = (rf"(?:^|{_SEPARATOR}|\s){_COMMUNE_UNIT}\s+{re.escape(key)}"
               rf"(?=$|\s*{_SEPARATOR}|\s+{_PROVINCE_UNIT}(?:\s|$))")
    return re.search(pattern, _folded(value)) is not None


def names_province(value: str, province: str) -> bool:
    """Does one subject value name the province: the whole value, a separated part, or 'tỉnh/thành phố NAME'?"""
    key = province_key(province)
    if not key:
        return False
    text = _folded(value)
    parts = [province_key(part) for part in re.split(_SEPARATOR, text)]
    if key in parts:
        return True
    return re.search(rf"(?:^|{_SEPARATOR}|\s){_PROVINCE_UNIT}\s*{re.escape(key)}(?=$|\s*{_SEPARATOR})", text) is not None


def subject_values(subject: dict[str, Any]) -> list[str]:
    """The text values of a certificate subject (asn1crypto `Name.native`) that may name a place."""
    values: list[str] = []
    for attribute in NAME_ATTRIBUTES:
        value = subject.get(attribute)
        if isinstance(value, list):
            values.extend(str(v) for v in value)
        elif value:
            values.append(str(value))
    return values


@dataclass(frozen=True)
class Binding:
    """Whether the signer is bound to the commune, and how ('name': the subject names it; 'registry': the
    recipient's register lists the certificate's fingerprint for it); `reason` says why not."""

    bound: bool
    by: str = ""
    reason: str = ""


def subject_names_commune(subject: dict[str, Any], commune: str, province: str) -> bool:
    values = subject_values(subject)
    return any(names_commune(v, commune) for v in values) and any(names_province(v, province) for v in values)


def bind_signer(subject: dict[str, Any], certificate_fingerprint: str, commune: str, province: str,
                registry: Registry | None = None) -> Binding:
    """Bind a signer certificate (its subject and fingerprint) to the commune and province of bag-info."""
    if not commune.strip() or not province.strip():
        return Binding(False, reason="gói không ghi tên xã hoặc tỉnh (bag-info.txt)")
    if subject_names_commune(subject, commune, province):
        return Binding(True, "name")
    if registry is not None and registry.binds(certificate_fingerprint, commune, province):
        return Binding(True, "registry")
    where = "sổ đăng ký xã của nơi nhận" if registry is not None else "sổ đăng ký xã (chưa dùng sổ nào)"
    return Binding(False, reason=f"chứng thư không ghi tên xã {commune}, {province} và dấu vân tay của nó "
                                 f"không có trong {where}")


__all__ = ["Binding", "bind_signer", "commune_key", "province_key", "names_commune", "names_province",
           "same_place", "subject_names_commune", "subject_values"]
