"""Documents: the year's narrative texts and document numbers, the review meeting (họp xét) and its attendees."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.storage.connection import Database

SCHEMA = """
CREATE TABLE document_texts (
    year INTEGER NOT NULL REFERENCES years(year) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (year, key)
) STRICT;

CREATE TABLE review_meetings (
    year INTEGER PRIMARY KEY REFERENCES years(year) ON DELETE CASCADE,
    meeting_date TEXT NOT NULL,
    start_time TEXT NOT NULL DEFAULT '',
    end_time TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    chair_name TEXT NOT NULL,
    chair_title TEXT NOT NULL DEFAULT '',
    secretary_name TEXT NOT NULL DEFAULT '',
    secretary_title TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '',
    conclusions TEXT NOT NULL DEFAULT '',
    level_agreed INTEGER CHECK (level_agreed IN (0, 1, 2)),
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE review_meeting_attendees (
    year INTEGER NOT NULL REFERENCES review_meetings(year) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (year, position)
) STRICT;
"""


def upgrade(db: Database) -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)
