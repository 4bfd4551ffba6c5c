"""What must hold before the app asks for a certificate password or a token PIN, and the key the saved signing
settings name.

A token locks after three wrong PINs, and a PIN typed for an export that then fails on an unfinalized year
is a try spent for nothing. So: the year is finalized, a key (or ký ngoài) is chosen, and the final documents
exist — only then is the secret asked for.
"""

from __future__ import annotations

from pathlib import Path

from app.dossier.external import signed_documents_for_package
from app.dossier.final_documents import final_documents
from app.dossier.records import SigningSettings
from app.dossier.signing import Pkcs12Key, SigningKey, TokenKey
from app.errors import InputError
from app.progress import Progress
from app.storage.workspace import Workspace


def key_problem(settings: SigningSettings) -> str:
    """Why the saved settings name no usable key yet ("" when they do); ký ngoài needs no key."""
    if settings.method == "pkcs12":
        if not settings.pkcs12_path.strip():
            return "Chưa chọn tệp chứng thư số (.p12/.pfx)."
        if not Path(settings.pkcs12_path.strip()).is_file():
            return f"Không tìm thấy tệp chứng thư số '{settings.pkcs12_path.strip()}'."
    elif settings.method == "pkcs11":
        if not settings.pkcs11_module.strip():
            return "Chưa chọn thư viện PKCS#11 của thiết bị ký số."
        if not Path(settings.pkcs11_module.strip()).is_file():
            return f"Không tìm thấy thư viện PKCS#11 '{settings.pkcs11_module.strip()}'."
        if not settings.key_id.strip() and not settings.cert_serial.strip():
            return "Chưa chọn chứng thư số trên thiết bị (bấm \"Đọc thiết bị\" rồi chọn một dòng)."
    return ""


def check_before_signing(ws: Workspace, year: int, level: int | None, settings: SigningSettings,
                         progress: Progress | None = None) -> None:
    """Raise InputError naming what is missing: an unfinalized year, no key chosen, documents that cannot be
    made, or (ký ngoài) a final document without its imported signed copy. Renders the final documents once."""
    if not ws.year(year).locked:
        raise InputError(f"Hồ sơ năm {year} chưa chốt. Hãy chốt hồ sơ trước khi ký và lập gói.")
    problem = key_problem(settings)
    if problem:
        raise InputError(problem + " Hãy chọn ở thẻ Ký số.")
    final = final_documents(ws, year, level, progress=progress)
    if settings.method == "external":
        signed_documents_for_package(ws, year, final)


def signing_key(settings: SigningSettings, secret: str) -> SigningKey | None:
    """The key the settings name, opened with `secret` (password or PIN); None for ký ngoài.

    A token key is found by its key id, or by the certificate serial when the certificate has no key id."""
    if settings.method == "external":
        return None
    if settings.method == "pkcs12":
        return Pkcs12Key(Path(settings.pkcs12_path.strip()), secret)
    key_id = settings.key_id.strip() or None
    serial_text = "" if key_id else settings.cert_serial.strip()
    try:
        serial = int(serial_text, 16) if serial_text else None
    except ValueError:
        raise InputError(f"Số hiệu chứng thư '{serial_text}' phải ở hệ 16.") from None
    return TokenKey(Path(settings.pkcs11_module.strip()), secret, key_id=key_id, serial=serial)
