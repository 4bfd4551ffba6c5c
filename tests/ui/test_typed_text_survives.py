"""Typed text is never lost: it is stored before the page, the year or the window changes, a refused value makes
closing ask first, and a meeting form that is not a valid record yet is kept as typed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.documents.texts import meeting_draft
from app.services import documents as docs
from app.services.years import add_year
from tests.ui.conftest import YEAR, open_main_window, type_text
from tests.ui.journey import check_modal_acts, settle, when_modal
from ui.main_window import MainWindow

DOCUMENTS_PAGE = 4


def open_window(qtbot, ctx) -> MainWindow:
    return open_main_window(qtbot, ctx, DOCUMENTS_PAGE)


def documents(window: MainWindow):
    return window.external_pages[1].page()


def test_a_page_switch_stores_what_was_typed_at_once(qtbot, ctx, ws) -> None:
    window = open_window(qtbot, ctx)
    box = documents(window).narrative.editors["situation"]
    type_text(box, "Xã có 6 thôn, 14.870 người từ 15 tuổi trở lên.")
    assert documents(window).fields.pending()
    QTest_key(window, Qt.Key.Key_2)  # Ctrl+2: the indicators page, before the pause is over
    settle(qtbot)
    assert docs.document_texts(ws, YEAR)["situation"] == "Xã có 6 thôn, 14.870 người từ 15 tuổi trở lên."


def QTest_key(window: MainWindow, key: Qt.Key) -> None:  # noqa: N802 - reads as the key it presses
    from PySide6.QtTest import QTest

    QTest.keyClick(QApplication.focusWidget() or window, key, Qt.KeyboardModifier.ControlModifier)


def test_switching_year_stores_the_typing_for_the_year_it_was_typed_for(qtbot, ctx, ws) -> None:
    add_year(ws, YEAR + 1)
    window = open_window(qtbot, ctx)
    numbers = documents(window).numbers
    type_text(numbers.numbers["to_trinh"], "7")
    window.year_combo.setCurrentIndex(window.year_combo.findData(YEAR + 1))  # as the toolbar's list does
    settle(qtbot)
    assert docs.document_texts(ws, YEAR)["number.to_trinh"] == "07"
    assert docs.document_texts(ws, YEAR + 1)["number.to_trinh"] == ""
    assert numbers.numbers["to_trinh"].text() == ""  # the new year's (empty) number is shown


def test_closing_the_window_stores_what_was_typed(qtbot, ctx, ws) -> None:
    window = open_window(qtbot, ctx)
    type_text(documents(window).narrative.editors["recommendations"], "Đề nghị công nhận mức độ 1.")
    window.close()
    settle(qtbot)
    assert docs.document_texts(ws, YEAR)["recommendations"] == "Đề nghị công nhận mức độ 1."


def test_closing_with_a_refused_value_asks_first(qtbot, ctx, ws) -> None:
    window = open_window(qtbot, ctx)
    page = documents(window)
    type_text(page.numbers.dates["to_trinh"], "31/02/2026")
    asked: list[str] = []

    def stay(box: QMessageBox) -> None:
        asked.append(box.text())
        next(b for b in box.buttons() if b.text() == "Hủy").click()

    when_modal(QMessageBox, stay)
    window.close()
    check_modal_acts()
    assert window.isVisible() and "Ngày ký Tờ trình “31/02/2026”" in asked[0]
    assert page.numbers.dates["to_trinh"].text() == "31/02/2026"  # still there to correct

    when_modal(QMessageBox, lambda box: next(b for b in box.buttons() if b.text().startswith("Đóng")).click())
    window.close()
    check_modal_acts()
    assert not window.isVisible()


def test_an_incomplete_meeting_is_kept_as_typed_and_shown_again(qtbot, ctx, ws) -> None:
    window = open_window(qtbot, ctx)
    page = documents(window)
    page.tabs.setCurrentIndex(1)
    meeting = page.meeting
    type_text(meeting.date, "20/11/2025")
    type_text(meeting.place, "Hội trường UBND xã")  # no chair yet: not a valid record
    window.close()
    settle(qtbot)
    draft = meeting_draft(ws, YEAR)
    assert draft is not None and draft.form["place"] == "Hội trường UBND xã"
    assert "Người chủ trì" in draft.problem and docs.review_meeting(ws, YEAR) is None

    again = open_window(qtbot, ctx)
    form = documents(again).meeting
    assert (form.date.text(), form.place.text()) == ("20/11/2025", "Hội trường UBND xã")
    assert form.draft_note.isVisibleTo(form) and "Người chủ trì" in form.draft_note.text()
    type_text(form.chair, "Nguyễn Văn An")
    form.place.setFocus()
    settle(qtbot)
    record = docs.review_meeting(ws, YEAR)
    assert record is not None and record.chair_name == "Nguyễn Văn An" and meeting_draft(ws, YEAR) is None
    assert not form.draft_note.isVisibleTo(form)
