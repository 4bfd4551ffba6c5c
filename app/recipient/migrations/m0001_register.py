"""Register: agency, communes and their certificates, trust anchors, packages and receipts, council, verdicts,
appraisals, decisions and outcomes; the settings and audit-log tables of the commune database."""

from __future__ import annotations

from app.storage.connection import Database
from app.storage.migrations.m0001_baseline import BASELINE

#: The settings and audit-log tables exactly as the commune database has them, so that the commune workspace's
#: transaction and audit code serves both (taken from its released, never-edited baseline).
SHARED = [statement for statement in BASELINE.split(";\n")
          if "audit_log" in statement or statement.strip().startswith("CREATE TABLE settings")]

REGISTER = """
CREATE TABLE agency (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    province TEXT NOT NULL,
    parent_body TEXT NOT NULL,
    head_title TEXT NOT NULL,
    head_name TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE communes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    province TEXT NOT NULL,
    identity TEXT NOT NULL UNIQUE,
    folded TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE commune_certificates (
    commune_id INTEGER NOT NULL REFERENCES communes(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
    subject TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    PRIMARY KEY (commune_id, fingerprint)
) STRICT;

CREATE TABLE trust_anchors (
    fingerprint TEXT PRIMARY KEY CHECK (length(fingerprint) = 64),
    subject TEXT NOT NULL,
    der BLOB NOT NULL,
    added_at TEXT NOT NULL
) STRICT;

CREATE TABLE packages (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    quick_key TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL,
    commune_id INTEGER REFERENCES communes(id),
    commune_name TEXT NOT NULL DEFAULT '',
    province TEXT NOT NULL DEFAULT '',
    year INTEGER,
    package_uuid TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 0,
    level_requested INTEGER,
    received_at TEXT NOT NULL,
    late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    source_kind TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('valid', 'unbound', 'invalid')),
    summary TEXT NOT NULL,
    reasons TEXT NOT NULL,
    report TEXT NOT NULL,
    signer_subject TEXT NOT NULL DEFAULT '',
    signer_fingerprint TEXT NOT NULL DEFAULT '',
    dataset TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX packages_commune_year ON packages (commune_id, year);
CREATE INDEX packages_quick_key ON packages (quick_key);

CREATE TABLE receipts (
    id INTEGER PRIMARY KEY,
    package_id INTEGER NOT NULL REFERENCES packages(id),
    received_at TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    duplicate INTEGER NOT NULL CHECK (duplicate IN (0, 1))
) STRICT;
CREATE INDEX receipts_package ON receipts (package_id);

CREATE TABLE councils (
    year INTEGER PRIMARY KEY,
    mode TEXT NOT NULL CHECK (mode IN ('meeting', 'written')),
    basis TEXT NOT NULL DEFAULT '',
    sitting_date TEXT,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE council_members (
    year INTEGER NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('chair', 'vice_chair', 'secretary', 'member')),
    title TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (year, position)
) STRICT;

CREATE TABLE verdicts (
    package_id INTEGER NOT NULL REFERENCES packages(id),
    indicator_id TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level IN (1, 2)),
    status TEXT NOT NULL CHECK (status IN ('met', 'not_met')),
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (package_id, indicator_id, level)
) STRICT;

CREATE TABLE appraisals (
    package_id INTEGER PRIMARY KEY REFERENCES packages(id),
    verified_level INTEGER NOT NULL CHECK (verified_level IN (0, 1, 2)),
    concluded_at TEXT NOT NULL,
    concluded_by TEXT NOT NULL
) STRICT;

CREATE TABLE decisions (
    year INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    date TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;

CREATE TABLE outcomes (
    package_id INTEGER PRIMARY KEY REFERENCES packages(id),
    year INTEGER NOT NULL,
    commune_id INTEGER NOT NULL REFERENCES communes(id),
    level INTEGER NOT NULL CHECK (level IN (0, 1, 2)),
    valid_until TEXT,
    reply_number TEXT NOT NULL DEFAULT '',
    reply_date TEXT,
    UNIQUE (year, commune_id)
) STRICT;
"""


def upgrade(db: Database) -> None:
    for statement in [*SHARED, *REGISTER.split(";\n")]:
        if statement.strip():
            db.execute(statement)
