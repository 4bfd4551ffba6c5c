"""Automatic backups: the 30-minute/changes rule, on close, and the 12/10/9 rotation."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from app.backup import BackupPolicy, create_backup, list_backups, maybe_auto_backup, prune_backups
from app.backup.policy import backups_to_keep
from app.services.indicators import set_values

T0 = dt.datetime(2026, 11, 2, 8, 0, 0).astimezone()


def _change(ws, text: str) -> None:
    set_values(ws, 2025, "1.1", {"notes": text})


def test_first_backup_as_soon_as_there_is_data_then_only_after_changes_and_30_minutes(ws):
    first = maybe_auto_backup(ws, T0)
    assert first is not None and first.kind == "auto"
    assert maybe_auto_backup(ws, T0 + dt.timedelta(hours=5)) is None  # no changes since
    _change(ws, "sửa lần 1")
    assert maybe_auto_backup(ws, T0 + dt.timedelta(minutes=29)) is None  # changes, but too soon
    second = maybe_auto_backup(ws, T0 + dt.timedelta(minutes=30))
    assert second is not None and second.last_audit_id > first.last_audit_id


def test_on_close_a_backup_is_made_when_anything_changed(ws):
    maybe_auto_backup(ws, T0)
    assert maybe_auto_backup(ws, T0 + dt.timedelta(minutes=1), closing=True) is None
    _change(ws, "sửa trước khi tắt máy")
    assert maybe_auto_backup(ws, T0 + dt.timedelta(minutes=2), closing=True) is not None


def test_interval_and_counts_come_from_settings(ws):
    ws.write_setting("backup.interval_minutes", 5)
    ws.write_setting("backup.keep_recent", 2)
    assert BackupPolicy.from_settings(ws) == BackupPolicy(keep_recent=2, interval_minutes=5)
    ws.write_setting("backup.keep_daily", "nhiều")  # nonsense falls back to the default
    assert BackupPolicy.from_settings(ws).keep_daily == 10
    maybe_auto_backup(ws, T0)
    _change(ws, "x")
    assert maybe_auto_backup(ws, T0 + dt.timedelta(minutes=5)) is not None


def test_a_clock_set_back_does_not_block_backups(ws):
    maybe_auto_backup(ws, T0)
    _change(ws, "đồng hồ máy bị chỉnh lùi")
    assert maybe_auto_backup(ws, T0 - dt.timedelta(days=1)) is not None


def test_rotation_keeps_12_recent_10_daily_9_weekly_and_never_manual_backups(ws):
    root = ws.data_dir / "backups"
    moments = [T0 + dt.timedelta(days=day, hours=hour) for day in range(0, 70, 1) for hour in (0, 6)]
    for moment in moments:
        create_backup(ws, kind="auto", now=moment)
    manual = create_backup(ws, kind="manual", now=T0 - dt.timedelta(days=400))
    prune_backups(root)
    kept = list_backups(root)
    auto = [b for b in kept if b.kind == "auto"]
    newest = sorted(moments, reverse=True)
    expected = set(newest[:12])
    days = {}
    weeks = {}
    for m in newest:
        days.setdefault(m.date(), m)
        weeks.setdefault(m.isocalendar()[:2], m)
    expected |= set(list(days.values())[:10]) | set(list(weeks.values())[:9])
    assert {b.created_at for b in auto} == expected
    # by hand: T0 is a Monday; 12 recent = days 64–69; daily adds days 60–63; weekly adds days 13, 20, …, 55
    assert len(auto) == 12 + 4 + 7
    assert manual.path in {b.path for b in kept}
    assert prune_backups(root) == []  # stable


def test_backups_to_keep_honours_zero_counts(ws):
    backups = [create_backup(ws, kind="auto", now=T0 + dt.timedelta(days=d)) for d in range(3)]
    assert backups_to_keep(backups, BackupPolicy(keep_recent=1, keep_daily=0, keep_weekly=0)) == {backups[-1].path}


def test_unfinished_backups_of_dead_processes_are_cleaned_but_live_ones_kept(ws):
    root = ws.data_dir / "backups"
    create_backup(ws, kind="auto", now=T0)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = root / f".2026-11-02T08-00-00-{dead.stdout.strip()}.partial"
    alive = root / f".2026-11-02T08-00-00-{os.getpid()}.partial"
    for folder in (stale, alive):
        (folder / "evidence").mkdir(parents=True)
    removed = prune_backups(root)
    assert stale in removed and not stale.exists() and alive.exists()
    assert len(list_backups(root)) == 1
