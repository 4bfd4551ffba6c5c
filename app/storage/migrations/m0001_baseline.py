"""Baseline: commune profile, settings, years, indicator values, units, assignments, recognitions, audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.storage.connection import Database

BASELINE = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    commune_name TEXT NOT NULL,
    province TEXT NOT NULL,
    recipient_authority TEXT NOT NULL DEFAULT 'Sở Giáo dục và Đào tạo',
    disadvantaged_area INTEGER NOT NULL DEFAULT 0 CHECK (disadvantaged_area IN (0, 1)),
    signer_name TEXT NOT NULL DEFAULT '',
    signer_title TEXT NOT NULL DEFAULT 'Chủ tịch',
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE years (
    year INTEGER PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    catalogue_id TEXT NOT NULL,
    disadvantaged_area INTEGER NOT NULL DEFAULT 0 CHECK (disadvantaged_area IN (0, 1)),
    copied_from INTEGER REFERENCES years(year) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    locked_at TEXT,
    package_version INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE indicator_values (
    year INTEGER NOT NULL REFERENCES years(year) ON DELETE CASCADE,
    indicator_id TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (year, indicator_id, field)
) STRICT;

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES years(year) ON DELETE CASCADE,
    indicator_id TEXT NOT NULL,
    lead_unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,
    due_date TEXT,
    status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done')),
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (year, indicator_id)
) STRICT;

CREATE TABLE assignment_units (
    assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    PRIMARY KEY (assignment_id, unit_id)
) STRICT;

CREATE TABLE recognitions (
    id INTEGER PRIMARY KEY,
    level INTEGER NOT NULL CHECK (level IN (1, 2)),
    decision_number TEXT NOT NULL,
    decision_date TEXT NOT NULL,
    issuer TEXT NOT NULL DEFAULT '',
    assessment_year INTEGER,
    note TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    txn INTEGER NOT NULL,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_key TEXT NOT NULL DEFAULT '',
    year INTEGER,
    old TEXT,
    new TEXT
) STRICT;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_key);
CREATE INDEX audit_log_txn ON audit_log (txn);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""


def upgrade(db: Database) -> None:
    for statement in BASELINE.split(";\n"):
        if statement.strip():
            db.execute(statement)
