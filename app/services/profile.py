"""The commune profile as one use case for the settings dialog, the wizard and `cdht profile`.

Names are normalised here, at the boundary every path goes through (`save_profile` calls `clean_profile`): a leading "xã/phường/thị trấn" or "tỉnh/thành phố" is dropped and spaces collapsed, so that
documents never print "XÃ XÃ KIẾN HƯNG" or "tỉnh Thành phố Hà Nội". The notes say what was changed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from app.changes import Changes
from app.domain.places import commune_kind, normalise_commune, normalise_province
from app.domain.records import DEFAULT_RECIPIENT, Profile
from app.errors import InputError
from app.storage.workspace import Workspace
from app.text import clean_text, utc_now

#: Editable profile fields with the labels messages and `cdht profile show` use.
PROFILE_FIELDS = {
    "commune_name": "Tên xã",
    "commune_kind": "Loại đơn vị (xã, phường, thị trấn, đặc khu)",
    "province": "Tỉnh, thành phố",
    "disadvantaged_area": "Xã thuộc vùng khó khăn",
    "recipient_authority": "Cơ quan nhận hồ sơ",
    "signer_name": "Người ký",
    "signer_title": "Chức vụ người ký",
}


@dataclass(frozen=True)
class ProfileUpdate:
    """The result of saving the profile: what changed, the profile as stored, and what was normalised."""

    changes: Changes
    profile: Profile
    notes: tuple[str, ...] = ()


def _single_line(value: Any, label: str, required: bool = False) -> str:
    """A one-line text field: NFC, trimmed, inner runs of spaces collapsed."""
    return " ".join(clean_text(value, label, required=required, single_line=True).split())


def clean_profile(profile: Profile) -> tuple[Profile, list[str]]:
    """The profile as stored, and notes saying what was changed from what the user typed."""
    commune = normalise_commune(profile.commune_name)
    province = normalise_province(profile.province)
    kind = commune.kind or commune_kind(profile.commune_kind)
    cleaned = Profile(
        commune_name=commune.name,
        province=province.name,
        recipient_authority=_single_line(profile.recipient_authority, "Cơ quan nhận hồ sơ", required=True),
        disadvantaged_area=bool(profile.disadvantaged_area),
        signer_name=_single_line(profile.signer_name, "Người ký"),
        signer_title=_single_line(profile.signer_title, "Chức vụ người ký"),
        commune_kind=kind,
    )
    notes = [note for note in (commune.note, province.note) if note]
    if commune.kind and commune.kind != "xã":
        notes.append(f"Đơn vị hành chính được ghi là {commune.kind}: văn bản in “Ủy ban nhân dân {commune.kind} "
                     f"{commune.name}”.")
    return cleaned, notes


def save_profile(ws: Workspace, profile: Profile) -> Changes:
    """Create or replace the commune profile (names normalised by `clean_profile`); one audited transaction."""
    profile = clean_profile(profile)[0]
    with ws.transaction():
        old = ws.profile().__dict__ if ws.has_profile() else None
        ws.db.execute(
            "INSERT INTO profile (id, commune_name, province, recipient_authority, disadvantaged_area, signer_name, "
            "signer_title, commune_kind, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "commune_name=excluded.commune_name, province=excluded.province, "
            "recipient_authority=excluded.recipient_authority, disadvantaged_area=excluded.disadvantaged_area, "
            "signer_name=excluded.signer_name, signer_title=excluded.signer_title, "
            "commune_kind=excluded.commune_kind, updated_at=excluded.updated_at",
            [profile.commune_name, profile.province, profile.recipient_authority, int(profile.disadvantaged_area),
             profile.signer_name, profile.signer_title, profile.commune_kind, utc_now()],
        )
        if old == profile.__dict__:
            return Changes()
        ws.audit("create" if old is None else "update", "profile", "", None, old, profile.__dict__)
    return Changes(profile=True, checklist=True)


def update_profile(ws: Workspace, **changes: Any) -> ProfileUpdate:
    """Create or change the commune profile (only the fields given); one audited transaction.

    Without an existing profile, `commune_name` and `province` are required. Unknown fields are refused.
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise InputError(f"Không có trường thông tin xã “{', '.join(sorted(unknown))}”; "
                         f"chỉ có: {', '.join(PROFILE_FIELDS)}.")
    if "disadvantaged_area" in changes and not isinstance(changes["disadvantaged_area"], bool):
        raise InputError("Xã thuộc vùng khó khăn phải là có (true) hoặc không (false).")
    if ws.has_profile():
        current = ws.profile()
    else:
        missing = [PROFILE_FIELDS[k] for k in ("commune_name", "province") if not changes.get(k)]
        if missing:
            raise InputError(f"Chưa khai báo xã: cần {' và '.join(missing)}.")
        current = Profile("", "", DEFAULT_RECIPIENT)
    wanted = replace(current, **changes)
    cleaned, notes = clean_profile(wanted)
    return ProfileUpdate(save_profile(ws, cleaned) if cleaned != current else Changes(), cleaned, tuple(notes))


def profile_json(profile: Profile) -> dict[str, Any]:
    return {f.name: getattr(profile, f.name) for f in fields(profile)}
