"""Every screen shows a stored moment as "22:05 ngày 27/11/2026" in local time (never UTC ISO)."""

from __future__ import annotations

import datetime as dt
import re

from app.backup.create import create_backup
from app.services.indicators import set_values
from app.text import format_local_time
from tests.ui.conftest import YEAR
from ui.backup.dialogs import RestoreDialog
from ui.models.audit import AuditTableModel
from ui.tasks import wait_for_idle

LOCAL_TIME = re.compile(r"^\d{2}:\d{2} ngày \d{2}/\d{2}/\d{4}$")


def test_the_change_history_shows_local_time(ws) -> None:
    set_values(ws, YEAR, "5.1", {"achieved": 1, "total": 2})
    entries = ws.audit_entries(entity="indicator_value", key_prefix="5.1/", year=YEAR)
    model = AuditTableModel()
    model.set_entries(entries)
    shown = model.index(0, 0).data()
    assert LOCAL_TIME.match(shown) and shown == format_local_time(entries[0].at)


def test_the_backup_list_shows_local_time(qtbot, ctx, ws, tmp_path) -> None:
    moment = dt.datetime(2026, 11, 27, 15, 5, tzinfo=dt.UTC)
    create_backup(ws, tmp_path / "sao-luu", now=moment)
    dialog = RestoreDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.select_backup(next((tmp_path / "sao-luu").iterdir()))
    wait_for_idle()
    cells = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    assert format_local_time(moment) in cells and all(LOCAL_TIME.match(cell) for cell in cells)
