"""When to back up automatically and which automatic backups to keep (Anki's 30 minutes and 12/10/9).

No scheduler here: the window calls `maybe_auto_backup(ws, now)` from a timer and on close. "Changes" means
the audit log has rows newer than the last backup (its manifest records the newest audit row it holds),
so a backup never happens for nothing and bookkeeping needs no table of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.backup.create import _local, backup_root, create_backup
from app.backup.files import remove_tree
from app.backup.manifest import BackupInfo, list_backups
from app.progress import Progress
from app.scratch import remove_unfinished

SETTINGS = {
    "keep_recent": "backup.keep_recent",
    "keep_daily": "backup.keep_daily",
    "keep_weekly": "backup.keep_weekly",
    "interval_minutes": "backup.interval_minutes",
}


@dataclass(frozen=True)
class BackupPolicy:
    """How many automatic backups to keep, and how often to make them while there are changes."""

    keep_recent: int = 12
    keep_daily: int = 10
    keep_weekly: int = 9
    interval_minutes: int = 30

    @classmethod
    def from_settings(cls, ws: Any) -> BackupPolicy:
        """The policy from the settings table; a missing or nonsensical value falls back to the default."""
        values = {}
        for name, key in SETTINGS.items():
            value = ws.get_setting(key)
            minimum = 1 if name == "interval_minutes" else 0
            if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= 10_000:
                values[name] = value
        return cls(**values)


def backups_to_keep(backups: list[BackupInfo], policy: BackupPolicy) -> set[Path]:
    """The automatic backups the policy keeps: the newest N, the newest of each of the last D days and W weeks."""
    automatic = sorted((b for b in backups if b.kind == "auto"), key=lambda b: b.created_at, reverse=True)
    keep = {b.path for b in automatic[: policy.keep_recent]}
    days: dict[dt.date, Path] = {}
    weeks: dict[tuple[int, int], Path] = {}
    for backup in automatic:
        local = backup.created_at.astimezone()
        days.setdefault(local.date(), backup.path)
        weeks.setdefault(local.isocalendar()[:2], backup.path)
    keep.update(list(days.values())[: policy.keep_daily])
    keep.update(list(weeks.values())[: policy.keep_weekly])
    return keep


def prune_backups(root: Path, policy: BackupPolicy | None = None) -> list[Path]:
    """Delete automatic backups the policy does not keep, and unfinished backups whose writer has died.

    Manual backups and backups made before a repair are never deleted here. Returns what was removed.
    """
    root = Path(root)
    policy = policy or BackupPolicy()
    removed = []
    backups = list_backups(root)
    keep = backups_to_keep(backups, policy)
    for backup in backups:
        if backup.kind == "auto" and backup.path not in keep and not backup.is_zip:
            remove_tree(backup.path)
            removed.append(backup.path)
    removed += remove_unfinished(root)
    return removed


def latest_audit_id(ws: Any) -> int:
    with ws.lock:
        row = ws.db.execute("SELECT MAX(id) FROM audit_log").fetchone()
    return int(row[0] or 0)


def last_backup(ws: Any) -> BackupInfo | None:
    backups = list_backups(backup_root(ws))
    return backups[0] if backups else None


def backup_due(ws: Any, now: dt.datetime | None = None, closing: bool = False) -> bool:
    """True when there are changes since the last backup and (closing, or the interval has passed)."""
    now = _local(now)
    newest = latest_audit_id(ws)
    last = last_backup(ws)
    if last is None:
        return newest > 0
    if newest == last.last_audit_id:
        return False  # a smaller id than the backup's means another database: back it up
    if closing:
        return True
    age = now - last.created_at
    interval = dt.timedelta(minutes=BackupPolicy.from_settings(ws).interval_minutes)
    return age >= interval or age < dt.timedelta(0)


def maybe_auto_backup(ws: Any, now: dt.datetime | None = None, closing: bool = False,
                      progress: Progress | None = None) -> BackupInfo | None:
    """Make an automatic backup when due (see `backup_due`), then prune; returns the new backup or None."""
    if not backup_due(ws, now, closing):
        return None
    info = create_backup(ws, kind="auto", now=now, progress=progress)
    prune_backups(info.path.parent, BackupPolicy.from_settings(ws))
    return info


__all__ = ["BackupPolicy", "backups_to_keep", "prune_backups", "maybe_auto_backup", "backup_due", "last_backup",
           "latest_audit_id", "backup_root"]
