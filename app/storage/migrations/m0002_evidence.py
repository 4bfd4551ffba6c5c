"""Evidence (minh chứng): stored files by content hash, their catalogue fields and links to indicators."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.storage.connection import Database

SCHEMA = """
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES years(year) ON DELETE CASCADE,
    code TEXT NOT NULL,
    code_indicator TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    size INTEGER NOT NULL CHECK (size > 0),
    original_name TEXT NOT NULL,
    mime TEXT NOT NULL DEFAULT '',
    doc_number TEXT NOT NULL DEFAULT '',
    issued_date TEXT,
    issuer TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    valid_until TEXT,
    search_text TEXT NOT NULL DEFAULT '',
    carried_from INTEGER REFERENCES evidence(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    UNIQUE (year, code)
) STRICT;
CREATE INDEX evidence_sha256 ON evidence (sha256);
CREATE INDEX evidence_year ON evidence (year, deleted_at);

CREATE TABLE evidence_links (
    evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
    indicator_id TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (evidence_id, indicator_id)
) STRICT;
CREATE INDEX evidence_links_indicator ON evidence_links (indicator_id);

CREATE TABLE evidence_code_counters (
    year INTEGER NOT NULL REFERENCES years(year) ON DELETE CASCADE,
    indicator_id TEXT NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (year, indicator_id)
) STRICT;
"""


def upgrade(db: Database) -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)
