"""Dossier packages: package identity per year, built packages, externally signed documents, signing and mail settings, outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.storage.connection import Database

SCHEMA = """
CREATE TABLE package_ids (
    year INTEGER PRIMARY KEY REFERENCES years(year) ON DELETE CASCADE,
    package_uuid TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE packages (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES years(year) ON DELETE CASCADE,
    package_uuid TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    level INTEGER NOT NULL CHECK (level IN (1, 2)),
    built_at TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    signing_method TEXT NOT NULL CHECK (signing_method IN ('pkcs12', 'pkcs11', 'external')),
    signer TEXT NOT NULL DEFAULT '',
    files TEXT NOT NULL
) STRICT;
CREATE INDEX packages_year ON packages (year, version);

CREATE TABLE signed_documents (
    year INTEGER NOT NULL REFERENCES years(year) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    signer TEXT NOT NULL,
    signed_at TEXT,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (year, version, level, name)
) STRICT;

CREATE TABLE signing_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    method TEXT NOT NULL DEFAULT 'pkcs12' CHECK (method IN ('pkcs12', 'pkcs11', 'external')),
    pkcs12_path TEXT NOT NULL DEFAULT '',
    pkcs11_module TEXT NOT NULL DEFAULT '',
    key_id TEXT NOT NULL DEFAULT '',
    cert_serial TEXT NOT NULL DEFAULT '',
    seal_image TEXT NOT NULL DEFAULT '',
    signature_image TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE mail_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    host TEXT NOT NULL DEFAULT '',
    port INTEGER NOT NULL DEFAULT 587,
    security TEXT NOT NULL DEFAULT 'starttls' CHECK (security IN ('starttls', 'ssl', 'none')),
    username TEXT NOT NULL DEFAULT '',
    sender TEXT NOT NULL DEFAULT '',
    max_attachment_bytes INTEGER NOT NULL DEFAULT 20000000 CHECK (max_attachment_bytes >= 100000),
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    package_uuid TEXT NOT NULL,
    version INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    part_index INTEGER NOT NULL,
    part_count INTEGER NOT NULL,
    attachment_path TEXT NOT NULL,
    attachment_sha256 TEXT NOT NULL,
    parts_manifest_path TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    sent_at TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (state, next_try_at);
"""


def upgrade(db: Database) -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)
