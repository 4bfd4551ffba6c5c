"""Backups of the commune's data: rotating automatic backups, backups to a chosen folder or USB, restore, recovery.

A backup is a folder (or a .zip with the same contents): `cdht.sqlite3` copied with SQLite's online backup
API, the evidence files under `evidence/<sha[:2]>/<sha>`, and `backup.json` listing every file's SHA-256.
"""

from __future__ import annotations

from app.backup.create import create_backup, create_backup_zip
from app.backup.manifest import BackupInfo, list_backups, read_backup_info
from app.backup.policy import BackupPolicy, backup_root, maybe_auto_backup, prune_backups
from app.backup.restore import restore_backup, verify_backup

__all__ = [
    "BackupInfo", "BackupPolicy", "backup_root", "create_backup", "create_backup_zip", "list_backups",
    "maybe_auto_backup", "prune_backups", "read_backup_info", "restore_backup", "verify_backup",
]
