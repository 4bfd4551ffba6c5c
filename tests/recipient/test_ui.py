"""The recipient's window driven like a user: typing a search, picking filters, opening a commune, recording the
council's verdicts, receiving from a folder, the first-start choice; and the commune importing its result."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QDate, QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLineEdit  # noqa: E402

from app.recipient import register as reg  # noqa: E402
from app.recipient.intake import intake_paths, received_on  # noqa: E402
from app.services.profile import save_profile
from app.services.years import add_year
from tests.recipient.conftest import LATE, YEAR, open_register  # noqa: E402
from tests.ui.conftest import type_text  # noqa: E402
from ui.tasks import wait_for_idle  # noqa: E402
from ui.theme import apply_theme  # noqa: E402

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def themed(qapp, tmp_path, monkeypatch):
    monkeypatch.setenv("CDHT_DATA_DIR", str(tmp_path / "du-lieu"))
    apply_theme(qapp)
    return qapp


@pytest.fixture
def messages(monkeypatch):
    """Message boxes are recorded instead of shown (they would block the test)."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr("ui.dialogs.message_box", lambda parent, title, text, kind="info": shown.append((title, text)))
    return shown


def settle(seconds: float = 0.3) -> None:
    wait_for_idle()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def when_modal(act, failures: list) -> None:
    """Run `act(dialog)` once a modal dialog is up; a failure closes the dialog (so the test fails, never hangs)."""

    def attempt(tries: int = 200) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            if tries:
                QTimer.singleShot(20, lambda: attempt(tries - 1))
            return
        try:
            act(dialog)
        except BaseException as exc:  # noqa: BLE001 - reported by the test after the dialog closes
            failures.append(exc)
        if dialog.isVisible() and QApplication.activeModalWidget() is dialog:
            error = getattr(dialog, "error", None)
            failures.append(f"{type(dialog).__name__} is still open: {error.text() if error else ''}")
            dialog.reject()

    QTimer.singleShot(0, attempt)


def ok_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def window_for(rws):
    from ui.recipient.window import RecipientWindow

    window = RecipientWindow(rws, today=TODAY)
    window.resize(1366, 768)
    window.show()
    settle(0.05)
    return window


def visible(window) -> list[str]:
    return [row.commune for row in window.proxy.visible_rows()]


def click_row(window, commune: str, double: bool = False, qtbot=None) -> None:
    row = visible(window).index(commune)
    rect = window.table.visualRect(window.proxy.index(row, 0))
    point = rect.center()
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=point)
    if double:
        qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=point)


def choose(combo, text: str, qtbot) -> None:
    """Pick an entry of a combo box with the keyboard, as a user would."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == text:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text


@pytest.fixture
def decided_window(decided, tmp_path, qtbot):
    rws = decided.open(tmp_path / "so")
    window = window_for(rws)
    qtbot.addWidget(window)
    yield window
    window.close()
    wait_for_idle()
    rws.close()


def test_register_view_search_filters_and_chart(decided_window, qtbot):
    window = decided_window
    assert visible(window) == ["Đồng Tiến", "Linh Sơn", "Phúc Xuân", "Quyết Thắng", "Sơn Cẩm", "Tân Cương"]
    assert "Đã có kết quả: 3/6" in window.chart.accessibleDescription()
    assert "Chưa xác nhận người ký: 2/6" in window.chart.accessibleDescription()
    type_text(window.search, "son")
    assert visible(window) == ["Linh Sơn", "Sơn Cẩm"]
    window.search.clear()
    type_text(window.search, "Đồng tiến")
    assert visible(window) == ["Đồng Tiến"]
    window.search.clear()
    choose(window.status, "Chưa xác nhận người ký", qtbot)
    assert visible(window) == ["Linh Sơn", "Tân Cương"]
    choose(window.status, "Mọi tình trạng", qtbot)
    qtbot.mouseClick(window.late, Qt.MouseButton.LeftButton, pos=QPoint(8, window.late.height() // 2))
    assert window.late.isChecked() and visible(window) == ["Sơn Cẩm"]
    assert window.statusBar().currentMessage() == "Đang hiện 1/6 xã."
    cells = [window.proxy.index(0, c).data() for c in range(window.proxy.columnCount())]
    assert cells[:6] == ["Sơn Cẩm", "Đã có kết quả", "Mức độ 1", "Mức độ 1", "Không đạt", "Sau hạn"]
    assert "Đã có Quyết định số 123/QĐ-SGDĐT ngày 25/03/2026" in window.deadlines.text()


def test_opening_a_commune_shows_its_pdf_evidence_report_and_versions(decided_window, qtbot):
    window = decided_window
    click_row(window, "Đồng Tiến", double=True, qtbot=qtbot)
    detail = window.detail
    assert detail is not None and detail.isVisible()
    documents, evidence = detail.tabs.widget(0), detail.tabs.widget(1)
    assert documents.list.count() == 6 and evidence.list.count() == 15
    settle()
    assert documents.preview.mode() == 1  # a PDF page shown through QtPdf
    assert documents.preview.document.pageCount() >= 2
    qtbot.mouseClick(evidence.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=evidence.list.visualItemRect(evidence.list.item(2)).center())
    settle()
    assert evidence.preview.path.name == evidence.list.item(2).text().split("  ")[0]
    detail.tabs.setCurrentIndex(3)
    report = detail.tabs.widget(3).findChild(type(detail.tabs.widget(3).layout().itemAt(0).widget()))
    assert "✔ Người ký là xã: UBND xã Đồng Tiến (Thái Nguyên)" in report.toPlainText()
    versions = detail.tabs.widget(4)
    assert versions.rowCount() == 2
    assert {versions.item(r, 5).text() for r in range(2)} == {"Đang dùng", "Đã được thay bằng phiên bản mới"}


def test_council_and_appraisal_from_the_window(dossiers, tmp_path, qtbot, messages):
    rws = open_register(tmp_path / "so", dossiers.pki)
    intake_paths(rws, [dossiers.late], received_on(LATE))
    window = window_for(rws)
    qtbot.addWidget(window)

    def fill_council(dialog):
        names = ("Nguyễn Văn Hải", "Lê Thị Thu", "Trần Quốc Bảo", "Phạm Thị Lan", "Hoàng Minh Đức")
        for row, name in enumerate(names):
            dialog.table.setCurrentCell(row, 0)
            dialog.table.editItem(dialog.table.item(row, 0))
            editor = next(e for e in dialog.table.viewport().findChildren(QLineEdit) if e.isVisible())
            type_text(editor, name)
            qtbot.keyClick(editor, Qt.Key.Key_Return)
            QApplication.processEvents()  # the delegate commits the edit from the event loop
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    failures: list = []
    when_modal(fill_council, failures)
    window.actions_by_name["council"].trigger()
    settle()
    assert not failures, failures
    from app.recipient.appraisal import council_of

    council = council_of(rws, YEAR)
    assert [m.name for m in council.members][:2] == ["Nguyễn Văn Hải", "Lê Thị Thu"]
    assert [m.role for m in council.members] == ["chair", "secretary", "member", "member", "member"]

    click_row(window, "Sơn Cẩm", double=True, qtbot=qtbot)
    panel = window.detail.appraisal
    window.detail.tabs.setCurrentIndex(2)
    choose(panel.combos["5.1"], "Không đạt", qtbot)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert messages and "phải ghi rõ lý do" in messages[-1][1]
    type_text(panel.notes["5.1"], "Danh sách chưa có xác nhận của thôn")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert panel.state.indicators[13].council[1].note == "Danh sách chưa có xác nhận của thôn"
    qtbot.mouseClick(panel.agree_button, Qt.MouseButton.LeftButton)
    settle()
    qtbot.mouseClick(panel.conclude_button, Qt.MouseButton.LeftButton)
    settle()
    assert panel.result.text() == "Đã kết luận: chưa đủ điều kiện công nhận."
    row = next(r for r in reg.register_rows(rws, YEAR) if r.commune == "Sơn Cẩm")
    assert row.status == reg.APPRAISED and row.level_verified == 0
    window.search.clear()
    type_text(window.search, "son cam")
    assert [window.proxy.index(0, c).data() for c in (1, 4)] == ["Đã thẩm định", "Không đạt"]
    entry = rws.audit_entries(entity="verdict", limit=1)[0]
    assert entry.user == "Nguyễn Thị Văn Thư"
    window.detail.close()
    window.close()
    wait_for_idle()
    rws.close()


def test_receiving_a_folder_from_the_window(dossiers, tmp_path, qtbot):
    rws = open_register(tmp_path / "so", dossiers.pki)
    window = window_for(rws)
    qtbot.addWidget(window)
    usb = tmp_path / "usb"
    shutil.copytree(dossiers.on_time, usb)

    def fill(dialog):
        type_text(dialog.path, str(usb))
        dialog.received.setDate(QDate(2026, 2, 20))
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    failures: list = []
    when_modal(fill, failures)
    window.actions_by_name["intake"].trigger()
    settle(1.0)
    assert not failures, failures
    assert window.report.isVisible()
    assert window.report.summary.text() == ("Đã nhận 7 gói mới (4 hợp lệ, 2 chưa xác nhận người ký, 1 không hợp lệ); "
                                            "1 gói trùng (không lưu lại); 2 tệp bỏ qua (không phải gói hồ sơ).")
    assert "[Trùng, đã có]" in window.report.text.toPlainText()
    assert "Đã nhận: 2/6" in window.chart.accessibleDescription()
    window.report.close()
    window.close()
    wait_for_idle()
    rws.close()


def test_first_start_offers_the_receiving_side_and_remembers_it(tmp_path, qtbot, monkeypatch):
    from ui.main import Launcher
    from ui.wizard import StartDialog

    start = StartDialog()
    qtbot.addWidget(start)
    qtbot.mouseClick(start.recipient_button, Qt.MouseButton.LeftButton)
    assert start.choice == "recipient" and start.result() == QDialog.DialogCode.Accepted

    def choose_recipient(dialog):
        qtbot.mouseClick(dialog.recipient_button, Qt.MouseButton.LeftButton)
        when_modal(fill_agency, failures)

    def fill_agency(dialog):
        type_text(dialog.province, "Thái Nguyên")
        type_text(dialog.head_name, "Trần Văn Hùng")
        type_text(dialog.user_name, "Lê Thị Thu")
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    folder = tmp_path / "du-lieu"
    launcher = Launcher(folder)
    failures: list = []
    when_modal(choose_recipient, failures)
    assert launcher.first_start()
    assert not failures, failures
    window = launcher.window
    assert "Sở Giáo dục và Đào tạo Thái Nguyên" in window.windowTitle()
    assert window.rws.agency().head_name == "Trần Văn Hùng" and window.rws.user == "Lê Thị Thu"
    assert (folder / "tiep-nhan" / "cdht-tiep-nhan.sqlite3").is_file()
    window.close()
    QApplication.processEvents()
    wait_for_idle()
    again = Launcher(folder)
    assert again.start()  # no question this time: the register opens directly
    assert "Sổ tiếp nhận" in again.window.windowTitle()
    again.window.close()
    QApplication.processEvents()


def test_the_commune_imports_its_result_from_the_dashboard(decided, tmp_path, qtbot):
    from app.recipient.results import build_result_packages
    from app.storage.workspace import Workspace
    from ui.context import AppContext
    from ui.pages.dashboard import DashboardPage

    rws = decided.open(tmp_path / "so")
    written = build_result_packages(rws, YEAR, tmp_path / "ket-qua", decided.dossiers.pki.keys["sở"])
    rws.close()
    package = next(p for p in written if "dong-tien" in p.name)
    shutil.copytree(decided.dossiers.folder / "built" / "dong-tien", tmp_path / "xa")
    ws = Workspace.open(tmp_path / "xa" / "cdht.sqlite3")
    ctx = AppContext(ws, YEAR)
    page = DashboardPage(ctx, today=TODAY)
    qtbot.addWidget(page)
    page.show()
    assert "chưa có quyết định công nhận" in page.recognition_status.text()
    state = {}

    def import_it(dialog):
        type_text(dialog.path, str(package))
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        settle()
        state["untrusted"] = dialog.message.text()
        assert dialog.accept_signer.isVisible()
        qtbot.mouseClick(dialog.accept_signer, Qt.MouseButton.LeftButton, pos=QPoint(8, 8))
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        settle()
        state["done"] = dialog.message.text()
        dialog.reject()

    failures: list = []
    when_modal(import_it, failures)
    qtbot.mouseClick(page.import_result, Qt.MouseButton.LeftButton)
    assert not failures, failures
    assert decided.dossiers.pki.fingerprints["sở"] in state["untrusted"]
    assert "hiệu lực đến 25/03/2029" in state["done"]
    settle()
    status = page.recognition_status.text()
    assert "Mức độ 1</b> theo Quyết định số 123/QĐ-SGDĐT ngày 25/03/2026; hiệu lực đến 25/03/2029" in status
    assert f"(còn {(dt.date(2029, 3, 25) - TODAY).days} ngày)" in status
    assert page.recognitions.item(0, 4).text() == "25/03/2029"
    ws.close()


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_nothing_is_clipped_in_the_register_and_its_dialogs(decided_window, qtbot, size):
    from tests.ui.test_no_clipping import problems_in_every_tab
    from ui.recipient import dialogs

    window = decided_window
    window.resize(*size)
    settle(0.05)
    assert window.width() == size[0]
    problems = problems_in_every_tab(window, "Sổ tiếp nhận")
    click_row(window, "Sơn Cẩm", double=True, qtbot=qtbot)
    window.detail.resize(*size)
    for tab in range(window.detail.tabs.count()):
        window.detail.tabs.setCurrentIndex(tab)
        settle(0.05)
        problems += problems_in_every_tab(window.detail, f"Hồ sơ xã, tab {tab}")
    window.detail.close()
    from app.recipient.appraisal import council_of

    made = [dialogs.AgencyDialog(), dialogs.CouncilDialog(YEAR, council_of(window.rws, YEAR)), dialogs.IntakeDialog(),
            dialogs.ImapDialog(), dialogs.DecisionDialog(YEAR), dialogs.ResultsDialog(YEAR)]
    for dialog in made:
        qtbot.addWidget(dialog)
        dialog.show()
        settle(0.05)
        problems += problems_in_every_tab(dialog, type(dialog).__name__)
        dialog.close()
    assert not problems, "Chữ bị cắt:\n" + "\n".join(problems)


def test_the_result_import_dialog_fits(tmp_path, qtbot):
    from app.domain.records import Profile
    from app.storage.workspace import Workspace
    from tests.ui.test_no_clipping import problems_in_every_tab
    from ui.context import AppContext
    from ui.result_import_dialog import ResultImportDialog

    ws = Workspace.open(tmp_path / "xa.sqlite3")
    save_profile(ws, Profile("Đồng Tiến", "Thái Nguyên"))
    add_year(ws, YEAR)
    dialog = ResultImportDialog(AppContext(ws, YEAR))
    qtbot.addWidget(dialog)
    dialog.show()
    settle(0.05)
    assert not problems_in_every_tab(dialog, "Nhập kết quả công nhận")
    dialog.close()
    ws.close()
