"""The commune's remaining settings — the person's name for the audit log, each year's submission deadline and
"vùng khó khăn" flag, the evidence size limit, the backup folder and schedule, how the dossier is signed — checked
here before they are stored, whichever front-end sets them (the Settings dialog, `cdht settings set`).

The profile, mail server, document numbers, legal bases and meeting organisations have their own use cases.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from app.changes import Changes
from app.errors import InputError
from app.storage.workspace import Workspace
from app.text import MAX_NAME_LENGTH, clean_text, fold, format_date_short, parse_date


@dataclass(frozen=True)
class Setting:
    """One setting: its key (`{year}` stands for an assessment year), label, kind and bounds; `name` is how error
    messages call it ("{year}" filled in), when the label is longer than a name."""

    key: str
    label: str
    kind: str  # text, date, int, bool, path, choice
    minimum: int = 0
    maximum: int = 0
    choices: tuple[str, ...] = ()
    name: str = ""

    def named(self, year: int | None) -> str:
        return (self.name or self.label).replace("{year}", str(year))


_SIGNING_METHODS = ("pkcs12", "pkcs11", "external")
SETTINGS: tuple[Setting, ...] = (
    Setting("user_name", "Tên người sử dụng (ghi vào nhật ký thay đổi)", "text", name="Tên người sử dụng"),
    Setting("deadline.{year}", "Hạn nộp hồ sơ của năm (trống: 28/02 năm sau)", "date",
            name="Hạn nộp hồ sơ của năm {year}"),
    Setting("disadvantaged.{year}", "Năm đó xã thuộc vùng khó khăn (ngưỡng chỉ tiêu 5.2)", "bool",
            name="Năm {year} xã thuộc vùng khó khăn"),
    Setting("evidence.max_file_mb", "Dung lượng tối đa một tệp minh chứng (MB)", "int", 1, 4096,
            name="Dung lượng tối đa một tệp minh chứng"),
    Setting("backup.folder", "Thư mục sao lưu tự động (trống: thư mục backups cạnh dữ liệu)", "path",
            name="Thư mục sao lưu tự động"),
    Setting("backup.keep_recent", "Số bản sao lưu tự động gần nhất được giữ", "int", 0, 10_000),
    Setting("backup.keep_daily", "Số ngày giữ một bản sao lưu mỗi ngày", "int", 0, 10_000),
    Setting("backup.keep_weekly", "Số tuần giữ một bản sao lưu mỗi tuần", "int", 0, 10_000),
    Setting("backup.interval_minutes", "Sao lưu tự động sau mỗi bao nhiêu phút có thay đổi", "int", 1, 10_000),
    Setting("signing.method", "Cách ký hồ sơ: pkcs12 (tệp chứng thư), pkcs11 (USB token), external (ký ngoài)",
            "choice", choices=_SIGNING_METHODS, name="Cách ký hồ sơ"),
    Setting("signing.pkcs12_path", "Tệp chứng thư số .p12 dùng để ký", "path"),
    Setting("signing.pkcs11_module", "Thư viện PKCS#11 của USB token", "path"),
    Setting("signing.key_id", "Mã khóa trên token (hệ 16)", "text", name="Mã khóa trên token"),
    Setting("signing.cert_serial", "Số hiệu chứng thư trên token", "text"),
    Setting("signing.seal_image", "Ảnh con dấu đặt cạnh chữ ký", "path"),
    Setting("signing.signature_image", "Ảnh chữ ký", "path"),
)
_YES = {"1", "co", "yes", "true", "x"}
_NO = {"0", "khong", "no", "false", ""}
_YEAR_KEY = re.compile(r"^(deadline|disadvantaged)\.(\d{4})$")


def setting(key: str) -> tuple[Setting, int | None]:
    """The setting a key names, and the year in it ('deadline.2025'); InputError for an unknown key."""
    match = _YEAR_KEY.match(key)
    pattern = f"{match.group(1)}.{{year}}" if match else key
    found = next((s for s in SETTINGS if s.key == pattern), None)
    if found is None:
        raise InputError(f"Không có cài đặt “{key}”; có: {', '.join(s.key for s in SETTINGS)}.")
    return found, int(match.group(2)) if match else None


def clean_value(key: str, value: Any) -> Any:
    """The value as stored (None clears the setting); InputError names what is wrong with it."""
    spec, year = setting(key)
    spec = replace(spec, label=spec.named(year))
    if isinstance(value, str):
        value = clean_text(value, spec.label, single_line=True, max_length=MAX_NAME_LENGTH * 10).strip()
    if value is None or value == "":
        return None if spec.kind != "bool" else False
    if spec.kind == "date":
        if not isinstance(value, str):
            value = value.isoformat()
        try:
            return parse_date(value).isoformat()
        except ValueError:
            raise InputError(f"{spec.label}: “{value}” không phải ngày hợp lệ (ngày/tháng/năm).") from None
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value
        word = fold(str(value))
        if word in _YES or word in _NO:
            return word in _YES
        raise InputError(f"{spec.label}: ghi “có” hoặc “không”, không phải “{value}”.")
    if spec.kind == "int":
        try:
            number = int(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or not spec.minimum <= number <= spec.maximum:
            raise InputError(f"{spec.label}: phải là số nguyên từ {spec.minimum} đến {spec.maximum}, "
                             f"không phải “{value}”.")
        return number
    if spec.kind == "choice":
        if value not in spec.choices:
            raise InputError(f"{spec.label}: “{value}” không hợp lệ; chỉ có: {', '.join(spec.choices)}.")
        return value
    if spec.kind == "path":
        return str(Path(value))
    return value


def setting_value(ws: Workspace, key: str) -> Any:
    """The stored value of a setting (None when not set; a year's flag and the signing fields where they live)."""
    spec, year = setting(key)
    if spec.key == "disadvantaged.{year}" and year is not None:
        return ws.year(year).disadvantaged_area
    if spec.key.startswith("signing."):
        from app.dossier.records import signing_settings

        return getattr(signing_settings(ws), spec.key.removeprefix("signing.")) or None
    return ws.get_setting(key)


def set_settings(ws: Workspace, values: Mapping[str, Any]) -> Changes:
    """Store several settings at once: every value is checked first, then all are written in one transaction."""
    cleaned = {key: clean_value(key, value) for key, value in values.items()}
    changes = Changes()
    with ws.transaction():
        signing = {k.removeprefix("signing."): v for k, v in cleaned.items() if k.startswith("signing.")}
        if signing:
            from app.dossier.records import save_signing_settings, signing_settings

            current = signing_settings(ws)
            changes |= save_signing_settings(ws, replace(current, **{k: v or "" for k, v in signing.items()}))
        for key, value in cleaned.items():
            spec, year = setting(key)
            if key.startswith("signing."):
                continue
            if spec.key == "disadvantaged.{year}" and year is not None:
                from app.services.years import set_year_disadvantaged

                changes |= set_year_disadvantaged(ws, year, bool(value))
                continue
            if year is not None:
                ws.year(year)
            changes |= ws.write_setting(key, value)
    return changes


def shown_value(ws: Workspace, key: str) -> str:
    """A setting's value as `cdht settings show` prints it ('' when not set)."""
    value = setting_value(ws, key)
    spec, year = setting(key)
    if spec.kind == "bool":
        return "có" if value else "không"
    if spec.kind == "date" and value:
        return format_date_short(parse_date(value))
    if spec.key == "deadline.{year}" and year is not None:
        return f"(mặc định {format_date_short(ws.submission_deadline(year))})"
    return "" if value is None else str(value)


def setting_keys(ws: Workspace) -> list[str]:
    """Every setting key of this workspace: the per-year ones for each of its years."""
    keys: list[str] = []
    for spec in SETTINGS:
        if "{year}" in spec.key:
            keys.extend(spec.key.format(year=info.year) for info in ws.years())
        else:
            keys.append(spec.key)
    return keys


def settings_json(ws: Workspace) -> dict[str, Any]:
    return {key: setting_value(ws, key) for key in setting_keys(ws)}


__all__ = ["SETTINGS", "Setting", "setting", "clean_value", "setting_value", "set_settings",
           "shown_value", "setting_keys", "settings_json", "asdict"]
