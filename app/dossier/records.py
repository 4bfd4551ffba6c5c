"""What the workspace remembers about dossier packages: the stable package UUID of each year, every package
built (where, its hash and files), and the signing settings. Each change is audited in its transaction.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

from app.changes import Changes
from app.errors import InputError
from app.storage.workspace import Workspace
from app.text import nfc, utc_now

SIGNING_METHODS = {"pkcs12": "Tệp chứng thư số (PKCS#12)", "pkcs11": "Thiết bị ký số (USB token)",
                   "external": "Ký ngoài bằng phần mềm của nhà cung cấp"}


@dataclass(frozen=True)
class PackageRecord:
    id: int
    year: int
    package_uuid: str
    version: int
    level: int
    built_at: str
    path: str
    size: int
    sha256: str
    signing_method: str
    signer: str
    files: dict[str, str]


@dataclass(frozen=True)
class SigningSettings:
    method: str = "pkcs12"
    pkcs12_path: str = ""
    pkcs11_module: str = ""
    key_id: str = ""
    cert_serial: str = ""
    seal_image: str = ""
    signature_image: str = ""


def package_uuid(ws: Workspace, year: int) -> str:
    """The year's package UUID, created once and kept for every re-send and every later version."""
    with ws.transaction():
        ws.year(year)
        row = ws.db.execute("SELECT package_uuid FROM package_ids WHERE year = ?", [year]).fetchone()
        if row:
            return cast(str, row[0])  # package_uuid is TEXT NOT NULL
        value = str(uuid.uuid4())
        ws.db.execute("INSERT INTO package_ids (year, package_uuid) VALUES (?, ?)", [year, value])
        ws.audit("create", "package_id", str(year), year, None, value)
        return value


def record_package(ws: Workspace, record: PackageRecord) -> PackageRecord:
    """Remember a built package; returns it with its database id."""
    with ws.transaction():
        cursor = ws.db.execute(
            "INSERT INTO packages (year, package_uuid, version, level, built_at, path, size, sha256, signing_method, "
            "signer, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [record.year, record.package_uuid, record.version, record.level, record.built_at, record.path,
             record.size, record.sha256, record.signing_method, record.signer,
             json.dumps(record.files, ensure_ascii=False, sort_keys=True)])
        saved = PackageRecord(**{**asdict(record), "id": cast(int, cursor.lastrowid)})  # set by the INSERT just run
        ws.audit("create", "package", f"{record.package_uuid}/v{record.version}", record.year, None,
                 {"path": record.path, "sha256": record.sha256, "size": record.size, "level": record.level,
                  "signing_method": record.signing_method, "signer": record.signer})
    return saved


def packages(ws: Workspace, year: int | None = None) -> list[PackageRecord]:
    """Packages built, newest first."""
    sql = ("SELECT id, year, package_uuid, version, level, built_at, path, size, sha256, signing_method, signer, files "
           "FROM packages")
    params: list[Any] = []
    if year is not None:
        sql += " WHERE year = ?"
        params.append(year)
    with ws.lock:
        rows = ws.db.execute(sql + " ORDER BY id DESC", params).fetchall()
    return [PackageRecord(*(*row[:11], json.loads(row[11]))) for row in rows]


def latest_package(ws: Workspace, year: int) -> PackageRecord | None:
    """The newest package of the year's current version, if one was built."""
    version = ws.year(year).package_version
    return next((p for p in packages(ws, year) if p.version == version), None)


def signing_settings(ws: Workspace) -> SigningSettings:
    with ws.lock:
        row = ws.db.execute(
            "SELECT method, pkcs12_path, pkcs11_module, key_id, cert_serial, seal_image, signature_image "
            "FROM signing_settings WHERE id = 1").fetchone()
    return SigningSettings(*row) if row else SigningSettings()


def save_signing_settings(ws: Workspace, settings: SigningSettings) -> Changes:
    """Remember how the commune signs (never a password or PIN)."""
    if settings.method not in SIGNING_METHODS:
        raise InputError(f"Cách ký {settings.method!r} không hợp lệ; chỉ có: {', '.join(SIGNING_METHODS)}.")
    key_id = settings.key_id.strip().lower().replace(":", "").replace(" ", "")
    if key_id:
        try:
            bytes.fromhex(key_id)
        except ValueError:
            raise InputError(f"Mã khóa (key id) '{settings.key_id}' phải là chuỗi hệ 16, ví dụ a1b2c3.") from None
    clean = SigningSettings(**{k: nfc(str(v)).strip() for k, v in asdict(settings).items()})
    clean = SigningSettings(**{**asdict(clean), "key_id": key_id})
    with ws.transaction():
        old = signing_settings(ws)
        if old == clean:
            return Changes()
        values = asdict(clean)
        ws.db.execute(
            "INSERT INTO signing_settings (id, method, pkcs12_path, pkcs11_module, key_id, cert_serial, seal_image, "
            "signature_image, updated_at) VALUES (1, :method, :pkcs12_path, :pkcs11_module, :key_id, :cert_serial, "
            ":seal_image, :signature_image, :updated_at) ON CONFLICT(id) DO UPDATE SET method=excluded.method, "
            "pkcs12_path=excluded.pkcs12_path, pkcs11_module=excluded.pkcs11_module, key_id=excluded.key_id, "
            "cert_serial=excluded.cert_serial, seal_image=excluded.seal_image, "
            "signature_image=excluded.signature_image, updated_at=excluded.updated_at",
            {**values, "updated_at": utc_now()})
        ws.audit("update", "signing_settings", "", None, asdict(old), values)
    return Changes(settings=True)


def dossier_folder(ws: Workspace, year: int) -> Path:
    """Where the year's final documents and externally signed files are kept, beside the database."""
    return ws.data_dir / "dossier" / str(year)
