"""After chốt hồ sơ, a year's fields are read-only and look it (grey), under the reason and the way to unlock."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from app.dossier.finalize import finalize
from tests.dossier.conftest import YEAR, make_ready_workspace
from ui.context import AppContext
from ui.locking import UNLOCK_PATH
from ui.pages.indicator_editor import IndicatorEditor
from ui.theme import LOCKED_BG


def test_a_finalized_years_fields_are_grey_and_say_how_to_unlock(qtbot, tmp_path) -> None:
    ws = make_ready_workspace(tmp_path / "xa")
    try:
        finalize(ws, YEAR)
        editor = IndicatorEditor(AppContext(ws, YEAR))
        qtbot.addWidget(editor)
        editor.resize(700, 900)
        editor.show()
        editor.show_indicator("5.1")
        field = editor._bindings["achieved"].widget
        assert not field.isEnabled()
        notices = [label.text() for label in editor.findChildren(QLabel) if "đã chốt" in label.text()]
        assert len(notices) == 1 and UNLOCK_PATH in notices[0]
        picture = field.grab().toImage()
        inside = QColor(picture.pixel(picture.width() - 6, picture.height() // 2))
        assert inside.name() == QColor(LOCKED_BG).name()  # grey, not the white of an editable field
    finally:
        ws.close()
