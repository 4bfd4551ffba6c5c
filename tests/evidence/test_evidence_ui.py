"""The evidence page with pytest-qt (offscreen): list, search, filters, preview, fields, links, import, trash."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent, QInputMethodEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.changes import Changes  # noqa: E402
from app.evidence import importer as evidence_importer  # noqa: E402
from app.evidence import library as evidence_library  # noqa: E402
from app.evidence.demo import add_demo_evidence  # noqa: E402
from app.services import evidence as ev  # noqa: E402
from tests.evidence.conftest import YEAR, lock_year, pdf_bytes  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.evidence import preview as preview_module  # noqa: E402
from ui.evidence.page import TRASH, EvidencePage  # noqa: E402
from ui.tasks import wait_for_idle  # noqa: E402


@pytest.fixture
def page(qtbot, ws):
    add_demo_evidence(ws, YEAR)
    ctx = AppContext(ws, YEAR)
    widget = EvidencePage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1280, 820)
    widget.show()
    return widget


def type_text(widget, text: str) -> None:
    """Vietnamese text as an input method commits it (keyClicks aborts on non-ASCII)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def codes(page) -> list[str]:
    return [i.code for i in page.items]


def test_library_lists_items_with_thumbnails_and_previews_pdf(page, qtbot):
    assert codes(page) == ["H1.2.01", "H1.3.01", "H1.3.02", "H2.3.01", "H5.1.01"]
    assert page.model.rowCount() == 5 and page.model.index(0, 0).data().startswith("H1.2.01")
    qtbot.waitUntil(page.thumbnails.idle, timeout=5000)
    assert page.current_item().code == "H1.2.01"
    assert page.preview.mode() == preview_module.PDF and page.preview.document.pageCount() == 1
    assert page.details.doc_number.text() == "15/KH-UBND"
    from app.evidence.thumbs import thumbnail_path
    assert thumbnail_path(page.ctx.ws, page.items[0].sha256, 96).exists()


def test_image_preview_and_open_with_system_app(page, monkeypatch):
    opened = []
    monkeypatch.setattr(preview_module.QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    assert page.select_code("H1.3.02")
    assert page.preview.mode() == preview_module.IMAGE and not page.preview.image.pixmap().isNull()
    assert page.select_code("H5.1.01")
    assert page.preview.mode() == preview_module.OTHER and "Excel" in page.preview.message.text()
    page.preview.open_button.click()
    assert opened and opened[0].toLocalFile().endswith("H5.1.01 Danh sách công dân học tập năm 2025.xlsx")


def test_search_without_accents_and_indicator_filter(page, qtbot):
    qtbot.keyClicks(page.search, "tuan le")
    assert codes(page) == ["H1.3.01", "H1.3.02"]
    page.search.clear()
    type_text(page.search, "đồng tiến")
    assert "H2.3.01" in codes(page)
    page.search.clear()
    page.filter.setCurrentIndex(page.filter.findData("2.3"))
    assert codes(page) == ["H2.3.01"] and page.count.text() == "Chỉ tiêu 2.3: 1 minh chứng"
    assert not page.explanation_box.isVisible()


def test_explanation_for_an_indicator_without_evidence(page, qtbot):
    page.filter.setCurrentIndex(page.filter.findData("3.2"))
    assert codes(page) == [] and page.explanation_box.isVisible()
    assert "3.2 chưa có minh chứng" in page.explanation_box.title()
    type_text(page.explanation, "Thư viện xã đang nâng cấp phần mềm quản lý.")
    qtbot.waitUntil(lambda: ev.no_evidence_explanation(page.ctx.ws, YEAR, "3.2")
                    == "Thư viện xã đang nâng cấp phần mềm quản lý.", timeout=3000)  # stored after the pause
    assert page.ctx.ws.evidence_states(YEAR)["3.2"].status == "explained"


def test_edit_catalogue_fields_with_date_warning(page, qtbot):
    page.select_code("H1.2.01")
    page.details.issued_date.selectAll()
    type_text(page.details.issued_date, "28/12/2024")
    assert page.details.warning.isVisible() and "nằm ngoài năm đánh giá 2025" in page.details.warning.text()
    page.details.doc_number.selectAll()
    type_text(page.details.doc_number, "16/KH-UBND")  # typing in another field stores the date at once
    qtbot.waitUntil(lambda: evidence_library.find_by_code(page.ctx.ws, "H1.2.01", YEAR).doc_number == "16/KH-UBND", timeout=3000)
    wait_for_idle()
    item = evidence_library.find_by_code(page.ctx.ws, "H1.2.01", YEAR)
    assert item.issued_date.isoformat() == "2024-12-28"
    assert "⚠ ngày ngoài năm" in page.model.index(0, 0).data()
    assert page.details.doc_number.text() == "16/KH-UBND" and page.details.issued_date.text() == "28/12/2024"


def test_what_is_typed_is_stored_for_its_own_item_when_another_is_selected(page):
    """Selecting another file at once (before the pause) stores the typing for the file it was typed for."""
    page.select_code("H1.2.01")
    page.details.summary.selectAll()
    type_text(page.details.summary, "Kế hoạch học tập suốt đời năm 2025")
    assert page.details.fields.pending()
    page.select_code("H1.3.01")
    assert page.details.summary.toPlainText() == evidence_library.find_by_code(page.ctx.ws, "H1.3.01", YEAR).summary
    wait_for_idle()
    assert evidence_library.find_by_code(page.ctx.ws, "H1.2.01", YEAR).summary == "Kế hoạch học tập suốt đời năm 2025"
    page.select_code("H1.2.01")
    assert page.details.summary.toPlainText() == "Kế hoạch học tập suốt đời năm 2025"


def test_a_refused_date_stays_in_its_field_with_the_reason(page):
    page.select_code("H1.2.01")
    page.details.issued_date.selectAll()
    type_text(page.details.issued_date, "31/02/2025")
    page.details.flush()
    wait_for_idle()
    assert page.details.issued_date.text() == "31/02/2025" and page.details.issued_date.property("invalid")
    assert page.details.problem.isVisible() and "không có ngày 31" in page.details.problem.text()
    assert evidence_library.find_by_code(page.ctx.ws, "H1.2.01", YEAR).issued_date.isoformat() == "2025-01-10"
    assert page.unsaved() and page.unsaved()[0].startswith("Ngày ban hành “31/02/2025”")


def test_link_checkbox_adds_and_removes_indicators(page):
    page.select_code("H2.3.01")
    entry = next(page.details.links.item(r) for r in range(page.details.links.count())
                 if page.details.links.item(r).data(Qt.ItemDataRole.UserRole) == "1.1")
    entry.setCheckState(Qt.CheckState.Checked)
    wait_for_idle()
    assert evidence_library.find_by_code(page.ctx.ws, "H2.3.01", YEAR).indicator_ids == ("2.3", "1.1")
    assert page.ctx.ws.evidence_states(YEAR)["1.1"].count == 1


def test_import_through_page_and_drop_reports_each_file(page, tmp_path):
    folder = tmp_path / "moi"
    folder.mkdir()
    (folder / "Biên bản họp.pdf").write_bytes(pdf_bytes("bien ban"))
    (folder / "virus.pdf").write_bytes(b"MZ" + b"\x00" * 300)
    page.filter.setCurrentIndex(page.filter.findData("3.1"))
    page.import_paths([folder])
    wait_for_idle()
    assert codes(page) == ["H3.1.01"] and page.current_item().original_name == "Biên bản họp.pdf"
    assert page.status.isVisible()
    assert "Đã nhập 1 tệp, 1 tệp không nhận." in page.status.text()
    assert "virus.pdf" in page.status.text() and "chương trình" in page.status.text()

    dropped = tmp_path / "keo-tha.pdf"
    dropped.write_bytes(pdf_bytes("keo tha"))
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(dropped))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    page.dropEvent(event)
    wait_for_idle()
    assert codes(page) == ["H3.1.01", "H3.1.02"]


def test_trash_restore_and_empty(page, monkeypatch):
    monkeypatch.setattr("ui.evidence.page.ask_yes_no", lambda *args: True)
    page.select_code("H5.1.01")
    page.remove_button.click()
    wait_for_idle()
    assert "H5.1.01" not in codes(page)
    page.view.setCurrentIndex(TRASH)
    assert codes(page) == ["H5.1.01"] and page.restore_button.isVisible()
    assert page.details.doc_number.isReadOnly() and not page.details.links.isEnabled()
    page.restore_button.click()
    wait_for_idle()
    assert codes(page) == []
    page.view.setCurrentIndex(0)
    page.select_code("H5.1.01")
    page.remove_button.click()
    wait_for_idle()
    page.view.setCurrentIndex(TRASH)
    page.empty_button.click()
    wait_for_idle()
    assert codes(page) == [] and "Đã xóa hẳn 1 minh chứng" in page.status.text()
    assert evidence_library.list_evidence(page.ctx.ws, YEAR, trash=True) == []


def test_locked_year_shows_read_only_fields(page):
    from ui.locking import UNLOCK_PATH

    lock_year(page.ctx.ws)
    page.ctx.apply(Changes(years=True))
    page.select_code("H1.2.01")
    assert page.details.doc_number.isReadOnly() and page.details.summary.isReadOnly()
    assert not page.details.links.isEnabled() and not page.import_files_button.isEnabled()
    assert not page.remove_button.isEnabled()
    assert page.locked_note.isVisible() and UNLOCK_PATH in page.locked_note.text()


def test_gallery_shots(qtbot, ws, tmp_path):
    from ui.evidence.gallery import shots

    ctx = AppContext(ws, YEAR)
    result = shots(ctx)
    assert [name for name, _ in result] == ["evidence_library", "evidence_preview_photo"]
    for name, widget in result:
        qtbot.addWidget(widget)
        assert widget.grab().save(str(tmp_path / f"{name}.png"))
    assert result[0][1].preview.mode() == preview_module.PDF
    assert result[1][1].preview.mode() == preview_module.IMAGE


def test_cancelled_import_says_what_was_kept(page):
    from app.errors import CancelledError

    page._import_failed(CancelledError("Đã hủy nhập minh chứng; 2 tệp đã nhập trước khi hủy được giữ lại."))
    assert page.status.isVisible() and "2 tệp đã nhập trước khi hủy được giữ lại" in page.status.text()


def test_list_model_passes_the_model_tester_and_makes_thumbnails_only_for_rows_shown(qtbot, qtmodeltester, ws):
    """A long list costs nothing until shown: only rows the view paints get their thumbnail made."""
    from app.evidence.thumbs import thumbnail_path
    from tests.benchmarks.synthetic import write_evidence_files

    files = write_evidence_files(ws.data_dir / "nguon", count=120, total_bytes=120 * 8192, year=YEAR)
    evidence_importer.import_files(ws, YEAR, [f.path for f in files], indicator_ids=["1.2"])
    widget = EvidencePage(AppContext(ws, YEAR))
    qtbot.addWidget(widget)
    widget.resize(1280, 820)
    widget.show()
    qtmodeltester.check(widget.model, force_py=True)
    assert widget.model.rowCount() == 120 and widget.model.columnCount() == 3
    first = widget.model.index(0, 0)
    assert first.data(Qt.ItemDataRole.UserRole) == widget.items[0].id and "Chỉ tiêu 1.2" in first.data()
    assert widget.model.index(0, 2).data().startswith(widget.items[0].kind_label)
    qtbot.waitUntil(widget.thumbnails.idle, timeout=10000)
    made = [item for item in widget.items if thumbnail_path(ws, item.sha256, 96).exists()]
    assert made and widget.items[0] in made
    assert len(made) < 40, f"{len(made)} thumbnails made for a list that shows about a dozen rows"
    # scrolling to the end asks for the rows that come into view, newest request first
    widget.list.scrollToBottom()
    qtbot.waitUntil(lambda: thumbnail_path(ws, widget.items[-1].sha256, 96).exists(), timeout=10000)
    assert widget.select_code(widget.items[-1].code) and widget.current_item() == widget.items[-1]
