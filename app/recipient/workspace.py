"""The recipient's workspace: one database (its own migration chain) and a data folder beside it.

Folder layout (beside the database file):
    goi/AB/ABCD….zip       every distinct package received, stored once under its SHA-256
    dang-nhan/             e-mail parts waiting for the rest of their package
    xem/                   documents taken out of a package for preview (a cache, safe to delete)
    van-ban/               the council's documents and result packages, when no other folder is given

Transactions and the audit log are the commune workspace's own code, used on the same tables, so every change
here is recorded the same way (who, when, old and new value).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import sqlite_utils

from app.errors import InputError, NotFoundError
from app.recipient.migrations import MIGRATIONS
from app.storage.connection import Database
from app.storage.db import RECIPIENT_APPLICATION_ID, open_database
from app.storage.session import Session
from app.text import clean_text, utc_now

DATABASE_NAME = "cdht-tiep-nhan.sqlite3"
DEFAULT_AGENCY = "Sở Giáo dục và Đào tạo"
#: Provinces that are centrally-run cities (thành phố trực thuộc trung ương) after the 2025 reorganisation;
#: only the default wording of the parent body depends on it, and the user can change it.
CITIES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế")


@dataclass(frozen=True)
class Agency:
    """The receiving body as printed on its documents: 'Sở Giáo dục và Đào tạo' of 'Ủy ban nhân dân thành phố
    Hà Nội', headed by a 'Giám đốc', placing its documents at 'Hà Nội'."""

    name: str
    province: str
    parent_body: str = ""
    head_title: str = ""
    head_name: str = ""
    place: str = ""

    @property
    def issuing_lines(self) -> tuple[str, str]:
        return self.parent_body.upper(), self.name.upper()


def province_title(province: str) -> str:
    """'tỉnh Thái Nguyên' or 'thành phố Hà Nội'."""
    return f"{'thành phố' if province in CITIES else 'tỉnh'} {province}"


def default_parent_body(province: str) -> str:
    return f"Ủy ban nhân dân {province_title(province)}"


def default_head_title(agency_name: str) -> str:
    return "Trưởng phòng" if agency_name.casefold().startswith("phòng") else "Giám đốc"


class RecipientWorkspace(Session):
    """A recipient's database; the services in `app.recipient` take it as their first argument. Transactions,
    the audit log and settings are the commune workspace's own session code, on the same tables."""

    def __init__(self, db: Database, path: Path, user: str | None = None) -> None:
        super().__init__(db, path, user)
        #: sqlite-utils over the same connection, for rows by column name (inserts, updates, queries as dicts).
        #: Its writes join the transaction `transaction()` opened (as savepoints): nothing is committed half-way.
        self.records = sqlite_utils.Database(db.conn, execute_plugins=False)

    @classmethod
    def open(cls, path: Path, user: str | None = None) -> RecipientWorkspace:
        path = Path(path)
        return cls(open_database(path, MIGRATIONS, RECIPIENT_APPLICATION_ID), path, user)

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "goi"

    @property
    def incoming_dir(self) -> Path:
        return self.data_dir / "dang-nhan"

    @property
    def preview_dir(self) -> Path:
        return self.data_dir / "xem"

    @property
    def output_dir(self) -> Path:
        return self.data_dir / "van-ban"

    # ------------------------------------------------------------------ agency

    def has_agency(self) -> bool:
        with self.lock:
            return self.db.execute("SELECT 1 FROM agency WHERE id = 1").fetchone() is not None

    def agency(self) -> Agency:
        with self.lock:
            row = self.db.execute("SELECT name, province, parent_body, head_title, head_name, place FROM agency "
                                  "WHERE id = 1").fetchone()
        if row is None:
            raise NotFoundError("Chưa khai báo cơ quan tiếp nhận. Hãy chạy 'cdht --db … recipient init --agency … "
                                "--province …'.")
        return Agency(*row)

    def save_agency(self, agency: Agency) -> Agency:
        """Create or replace the agency; empty optional fields get their usual wording."""
        name = clean_text(agency.name, "Tên cơ quan tiếp nhận", required=True)
        province = clean_text(agency.province, "Tên tỉnh, thành phố", required=True)
        for prefix in ("tỉnh ", "thành phố "):
            if province.casefold().startswith(prefix):
                raise InputError(f"Tên tỉnh, thành phố không cần chữ \"{prefix.strip()}\": hãy ghi "
                                 f"\"{province[len(prefix):].strip()}\".")
        clean = Agency(
            name=name, province=province,
            parent_body=clean_text(agency.parent_body, "Cơ quan chủ quản") or default_parent_body(province),
            head_title=clean_text(agency.head_title, "Chức vụ người đứng đầu") or default_head_title(name),
            head_name=clean_text(agency.head_name, "Người đứng đầu"),
            place=clean_text(agency.place, "Địa danh ghi trên văn bản") or province,
        )
        with self.transaction():
            old = asdict(self.agency()) if self.has_agency() else None
            self.db.execute(
                "INSERT INTO agency (id, name, province, parent_body, head_title, head_name, place, updated_at) "
                "VALUES (1, :name, :province, :parent_body, :head_title, :head_name, :place, :updated_at) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name, province = excluded.province, "
                "parent_body = excluded.parent_body, head_title = excluded.head_title, "
                "head_name = excluded.head_name, place = excluded.place, updated_at = excluded.updated_at",
                {**asdict(clean), "updated_at": utc_now()})
            if old != asdict(clean):
                self.audit("create" if old is None else "update", "agency", "", None, old, asdict(clean))
        return clean

    def update_agency(self, **changes: Any) -> Agency:
        return self.save_agency(replace(self.agency(), **changes))


__all__ = ["RecipientWorkspace", "Agency", "DATABASE_NAME", "DEFAULT_AGENCY", "default_parent_body", "province_title"]
