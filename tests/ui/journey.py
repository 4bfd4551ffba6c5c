"""A new commune's whole journey driven through the widgets, the way a user does it: first start, the 15
indicators, evidence with its register fields, the report's texts, numbers and dates, the review meeting with
the full Điều 9.1.c composition, chốt hồ sơ, a package signed with a PKCS#12 key written to a folder.

`User` is the person at the keyboard (and, unless `keyboard_only`, the mouse): it reaches a field the way a
person does — Tab until the field has the focus, or a click — and types one key event per character. Nothing
here calls a page's methods to store data; the few reads of page attributes only find the widget to act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QListView,
    QMessageBox,
    QRadioButton,
    QTableWidget,
    QTabWidget,
    QTreeWidget,
    QWidget,
    QWizard,
)

from tests.ui.conftest import type_text
from ui.tasks import wait_for_idle

LEFT = Qt.MouseButton.LeftButton
NO_MODIFIER = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
#: A person presses Tab this often at most to reach a field; more means the field is out of the Tab order.
TAB_LIMIT = 700

#: The commune's figures: every indicator met at level 1 (TT 25/2023 thresholds).
FIGURES: dict[str, dict] = {
    **{iid: {"met": True} for iid in ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1")},
    "4.2": {"level": 3}, "4.3": {"level": 2}, "4.4": {"level": 2},
    "5.1": {"achieved": "8922", "total": "14870"},
    "5.2": {"trained": "7435", "university": "1785", "total": "14870"},
}
#: Evidence files and the indicators each one proves (every indicator has one).
EVIDENCE = {
    "Kế hoạch xây dựng xã hội học tập.pdf": (
        ("15/KH-UBND", "10/01/2026", "UBND xã Kiến Hưng", "Kế hoạch xây dựng xã hội học tập năm 2026"),
        ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3")),
    "Báo cáo Trung tâm học tập cộng đồng.pdf": (
        ("21/BC-TTHTCĐ", "15/10/2026", "Trung tâm học tập cộng đồng xã", "Báo cáo hoạt động Trung tâm học tập "
                                                                        "cộng đồng, thư viện, nhà văn hóa năm 2026"),
        ("3.1", "3.2", "3.3", "4.1", "4.2", "4.3", "4.4")),
    "Danh sách công dân học tập.pdf": (
        ("32/QĐ-UBND", "20/10/2026", "UBND xã Kiến Hưng", "Quyết định công nhận danh hiệu Công dân học tập năm 2026"),
        ("5.1", "5.2")),
}
NARRATIVE = {
    "situation": "Xã Kiến Hưng có 14.870 người từ 15 tuổi trở lên, 6 thôn.",
    "process": "UBND xã thành lập tổ tự đánh giá và thu thập minh chứng theo Kế hoạch số 15/KH-UBND.",
    "strengths": "Phong trào học tập suốt đời được các thôn hưởng ứng.",
    "limitations": "Cơ sở vật chất của Trung tâm học tập cộng đồng còn thiếu.",
    "recommendations": "Đề nghị Sở Giáo dục và Đào tạo xem xét, công nhận.",
}
NUMBERS = {"number.to_trinh": "12", "date.to_trinh": "25/11/2026", "number.bao_cao": "11",
           "date.bao_cao": "25/11/2026", "number.bien_ban": "03"}
MEETING_NAMES = ("Lê Thị Hằng", "Trần Văn Bình", "Nguyễn Thị Lan", "Phạm Văn Nông", "Hoàng Văn Chiến",
                 "Vũ Minh Đức", "Đỗ Thị Công")
COMMUNE, PROVINCE, SIGNER, USER_NAME = "Kiến Hưng", "Hà Nội", "Nguyễn Văn An", "Lê Thị Hoa"


@dataclass
class Journey:
    """Where the journey writes and what it needs: the data folder, the evidence files, the key, the target."""

    data_dir: Path
    sources: Path
    out: Path
    p12: Path
    p12_password: str


#: Failures inside a modal window's act (raised again by `check_modal_acts`, the window closed meanwhile).
MODAL_FAILURES: list[BaseException] = []


def check_modal_acts() -> None:
    if MODAL_FAILURES:
        error = MODAL_FAILURES.pop(0)
        MODAL_FAILURES.clear()
        raise error


def when_modal(kind: type, act: Callable[[QWidget], None], timeout_ms: int = 60000) -> None:
    """Act on the next modal window of `kind` once it is open (inside its exec()), progress windows aside; the
    window is made active first, as the desktop does with a new window. A failing act closes the window."""
    from PySide6.QtWidgets import QProgressDialog

    clock = QElapsedTimer()
    clock.start()

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible() or not isinstance(dialog, kind) or (
                isinstance(dialog, QProgressDialog) and kind is not QProgressDialog):
            if clock.elapsed() < timeout_ms:
                QTimer.singleShot(20, poll)
            return
        try:
            if QApplication.activeWindow() is not dialog:
                dialog.activateWindow()
                for _ in range(50):
                    if QApplication.activeWindow() is dialog:
                        break
                    QApplication.processEvents()
            act(dialog)
        except BaseException as error:  # noqa: BLE001 - reported by check_modal_acts, the window must not hang
            MODAL_FAILURES.append(error)
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, poll)


class User:
    """The person in front of the window: keyboard always, the mouse unless `keyboard_only`."""

    def __init__(self, qtbot, keyboard_only: bool) -> None:
        self.qtbot = qtbot
        self.keyboard_only = keyboard_only
        self.tabs_pressed = 0

    # ------------------------------------------------------------------ reaching a widget

    @staticmethod
    def focused() -> QWidget | None:
        return QApplication.focusWidget()

    @staticmethod
    def look() -> None:
        """What a person's eyes need before the hand moves: layouts applied and the screen painted."""
        for _ in range(3):
            QApplication.processEvents()

    def key(self, key: Qt.Key, modifier: Qt.KeyboardModifier = NO_MODIFIER, widget: QWidget | None = None) -> None:
        target = widget or self.focused() or QApplication.activeWindow()
        assert target is not None, "no window has the keyboard"
        QTest.keyClick(target, key, modifier)

    def back_to(self, window: QWidget) -> None:
        """After a dialog closed, the window under it is active again (the desktop does that; offscreen does not)."""
        if QApplication.activeWindow() is not window:
            focus = window.focusWidget()
            window.activateWindow()
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
            if focus is not None and QApplication.focusWidget() is None:
                focus.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def tab_to(self, widget: QWidget) -> None:
        """Press Tab until `widget` has the focus (fails when Tab never gets there)."""
        for _ in range(TAB_LIMIT):
            if self.focused() is widget:
                return
            self.key(Qt.Key.Key_Tab)
            self.tabs_pressed += 1
        raise AssertionError(f"Tab never reaches {widget!r} ({widget.accessibleName() or widget.objectName()})")

    def reach(self, widget: QWidget) -> None:
        """Put the focus on `widget`: Tab to it, or click it with the mouse."""
        self.look()
        self.back_to(widget.window())
        if self.keyboard_only or not widget.isVisible():
            self.tab_to(widget)
        else:
            self.qtbot.mouseClick(widget, LEFT, pos=widget.rect().center())
            if self.focused() is not widget:
                widget.setFocus(Qt.FocusReason.MouseFocusReason)  # a click on a widget that takes no click focus

    # ------------------------------------------------------------------ acting

    def press(self, button: QAbstractButton) -> None:
        """Click a button, or Tab to it and press the space bar."""
        self.look()
        self.back_to(button.window())
        if self.keyboard_only:
            self.tab_to(button)
            self.key(Qt.Key.Key_Space)
        elif isinstance(button, (QRadioButton, QCheckBox)):
            self.qtbot.mouseClick(button, LEFT, pos=QPoint(12, button.height() // 2))  # on its mark and label
        else:
            self.qtbot.mouseClick(button, LEFT)

    def type_into(self, widget: QWidget, text: str) -> None:
        """Reach a field, select what it holds (Ctrl+A) and type over it."""
        self.reach(widget)
        self.key(Qt.Key.Key_A, CTRL)
        type_text(widget, text)

    def choose(self, combo: QComboBox, data) -> None:  # noqa: ANN001 - any item data
        """Pick the entry with `data`: open the list with a click, move to the entry and press Enter; or, by
        keyboard alone, the arrow keys on the closed list. (Under the offscreen platform an open list takes no
        clicks on its entries, so the hand that opened it uses the arrow keys.)"""
        if not self.keyboard_only:
            self.look()
            self.qtbot.mouseClick(combo, LEFT)
            view = combo.view()
            self.qtbot.waitUntil(view.isVisible, timeout=3000)
            target = combo.findData(data)
            for _ in range(combo.count() + 1):
                if view.currentIndex().row() == target:
                    break
                QTest.keyClick(view, Qt.Key.Key_Down if view.currentIndex().row() < target else Qt.Key.Key_Up)
            QTest.keyClick(view, Qt.Key.Key_Return)
            self.qtbot.waitUntil(lambda: not view.isVisible(), timeout=3000)
            assert combo.currentData() == data
            return
        self.tab_to(combo)
        for _ in range(combo.count() + 1):
            if combo.currentData() == data:
                return
            self.key(Qt.Key.Key_Down if combo.currentIndex() < combo.findData(data) else Qt.Key.Key_Up)
        raise AssertionError(f"{data!r} not in {combo.accessibleName()}")

    def select_row(self, view: QAbstractItemView, row: int) -> None:
        """Make `row` current: arrow keys (from the first row), or a click on it."""
        model = view.model()
        index = model.index(row, 0)
        view.scrollTo(index)
        self.look()
        if self.keyboard_only:
            self.reach(view)
            self.key(Qt.Key.Key_Home)
            for _ in range(model.rowCount() + 1):
                if view.currentIndex().row() == row:
                    return
                self.key(Qt.Key.Key_Down)
            raise AssertionError(f"row {row} never became current")
        self.qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(index).center())

    def open_tree_item(self, tree: QTreeWidget, key: str) -> None:
        """Select an indicator in the criteria tree."""
        from ui.pages.indicators import ID_ROLE

        item = next(tree.topLevelItem(t).child(c) for t in range(tree.topLevelItemCount())
                    for c in range(tree.topLevelItem(t).childCount())
                    if tree.topLevelItem(t).child(c).data(0, ID_ROLE) == key)
        if self.keyboard_only:
            self.reach(tree)
            for _ in range(60):
                if tree.currentItem() is item:
                    return
                below = tree.indexBelow(tree.currentIndex())
                self.key(Qt.Key.Key_Down if below.isValid() and tree.visualRect(below).top() <= tree.visualItemRect(
                    item).top() else Qt.Key.Key_Up)
            raise AssertionError(f"indicator {key} never became current")

        def in_view() -> bool:  # what scrolling the list with the wheel until the row shows does
            tree.scrollToItem(item)
            return tree.viewport().rect().contains(tree.visualItemRect(item).center())

        self.qtbot.waitUntil(in_view, timeout=3000)
        self.qtbot.mouseClick(tree.viewport(), LEFT, pos=tree.visualItemRect(item).center())

    def switch_tab(self, tabs: QTabWidget, index: int) -> None:
        """Show another tab: Tab to the tab bar and the arrow keys, or a click on the tab."""
        bar = tabs.tabBar()
        if self.keyboard_only:
            self.tab_to(bar)
            for _ in range(tabs.count()):
                if tabs.currentIndex() == index:
                    break
                self.key(Qt.Key.Key_Left if tabs.currentIndex() > index else Qt.Key.Key_Right)
        else:
            self.qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(index).center())
        assert tabs.currentIndex() == index

    def toggle_list_entry(self, view: QListView, row: int) -> None:
        """Tick or untick a check box entry: select it and press the space bar."""
        self.select_row(view, row)
        if self.focused() is not view:
            self.reach(view)
        self.key(Qt.Key.Key_Space)

    def type_in_cell(self, table: QTableWidget, row: int, column: int, text: str) -> None:
        """Type a cell: move there (arrow keys) or click it, F2, type, Enter."""
        index = table.model().index(row, column)
        table.scrollTo(index)
        self.look()
        if self.keyboard_only:
            self.reach(table)
            self.key(Qt.Key.Key_Home, CTRL)
            for _ in range(row):
                self.key(Qt.Key.Key_Down)
            for _ in range(column):
                self.key(Qt.Key.Key_Right)
            assert (table.currentRow(), table.currentColumn()) == (row, column)
        else:
            self.qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualRect(index).center())
            assert (table.currentRow(), table.currentColumn()) == (row, column)
        self.key(Qt.Key.Key_F2)  # edit the cell (a double click does the same)
        self.look()
        editor = self.focused()
        assert isinstance(editor, QLineEdit), f"no cell editor for ({row}, {column}): {editor!r}"
        self.key(Qt.Key.Key_A, CTRL)
        type_text(editor, text)
        self.key(Qt.Key.Key_Return)
        QApplication.processEvents()
        assert table.item(row, column).text() == text

    # ------------------------------------------------------------------ Qt's own windows

    def pick_path(self, path: Path) -> None:
        """Answer the next file or folder window by typing the path and pressing Enter."""

        def act(dialog: QFileDialog) -> None:
            name = dialog.findChild(QLineEdit, "fileNameEdit")
            name.setFocus()
            QTest.keyClick(name, Qt.Key.Key_A, CTRL)
            type_text(name, str(path))
            QTest.keyClick(name, Qt.Key.Key_Return)
            if dialog.isVisible():  # a folder: Enter went into it; Enter again chooses it
                QTest.keyClick(dialog.findChild(QLineEdit, "fileNameEdit"), Qt.Key.Key_Return)

        when_modal(QFileDialog, act)

    def answer(self, button_text: str, seen: list[str] | None = None) -> None:
        """Answer the next message box with the button named `button_text` (Tab to it and space, or a click)."""

        def act(box: QMessageBox) -> None:
            if seen is not None:
                seen.append(box.text())
            button = next(b for b in box.buttons() if b.text() == button_text)
            if self.keyboard_only:
                for _ in range(10):
                    if QApplication.focusWidget() is button:
                        break
                    QTest.keyClick(QApplication.focusWidget() or box, Qt.Key.Key_Tab)
                QTest.keyClick(button, Qt.Key.Key_Space)
            else:
                QTest.mouseClick(button, LEFT)

        when_modal(QMessageBox, act)

    def type_secret(self, secret: str, then: Callable[[], None]) -> None:
        """Type the password into the next password window and press Enter; `then` runs just before."""

        def act(dialog: QInputDialog) -> None:
            edit = dialog.findChild(QLineEdit)
            type_text(edit, secret)
            then()
            QTest.keyClick(edit, Qt.Key.Key_Return)

        when_modal(QInputDialog, act)


def settle(qtbot, rounds: int = 3) -> None:
    """Let queued work and the replies of the database thread arrive."""
    for _ in range(rounds):
        wait_for_idle()
        qtbot.wait(10)


# ---------------------------------------------------------------------- the steps

def first_start(user: User, journey: Journey):  # noqa: ANN201 - the Launcher
    """Start with an empty data folder: "Thiết lập xã" and the two wizard pages."""
    from ui.main import Launcher
    from ui.wizard import SetupWizard, StartDialog

    def fill_wizard(wizard: SetupWizard) -> None:
        first = wizard.commune_page
        user.type_into(first.commune, COMMUNE)
        user.type_into(first.province, PROVINCE)
        if user.keyboard_only:
            user.key(Qt.Key.Key_Return)  # the default button: "Tiếp theo"
        else:
            user.qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), LEFT)
        second = wizard.dossier_page
        assert wizard.currentPage() is second
        user.type_into(second.signer, SIGNER)
        user.type_into(second.user_name, USER_NAME)
        assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()  # the pre-filled recipient counts
        if user.keyboard_only:
            user.key(Qt.Key.Key_Return)  # "Hoàn tất"
        else:
            user.qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), LEFT)

    def choose_setup(dialog: StartDialog) -> None:
        when_modal(SetupWizard, fill_wizard)
        if user.keyboard_only:
            assert QApplication.focusWidget() is dialog.setup_button  # the first choice has the focus
        user.press(dialog.setup_button)

    launcher = Launcher(journey.data_dir)
    when_modal(StartDialog, choose_setup)
    started = launcher.start()
    check_modal_acts()
    assert started
    return launcher


def activate(qtbot, window: QWidget) -> None:
    """Bring the window to the front as the user's click on it would: focus moves only in the active window."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.waitUntil(window.has_opened, timeout=10000)
    settle(qtbot)


def go_to_page(user: User, window, index: int) -> None:  # noqa: ANN001 - MainWindow
    """Open a page: Ctrl+1…6 (the View menu's keys), or a click in the navigation list."""
    if user.keyboard_only:
        user.key(getattr(Qt.Key, f"Key_{index + 1}"), CTRL)
    else:
        item = window.nav.item(index)
        user.qtbot.mouseClick(window.nav.viewport(), LEFT, pos=window.nav.visualItemRect(item).center())
    assert window.nav.currentRow() == index


def enter_indicators(user: User, window) -> None:  # noqa: ANN001
    """The overview's next step opens the first indicator; then each indicator is picked in the tree and filled."""
    overview = window.overview
    user.qtbot.waitUntil(lambda: overview.next_button.isVisible(), timeout=10000)
    assert overview.next_button.text() == "Nhập số liệu chỉ tiêu 1.1"
    user.press(overview.next_button)
    assert window.nav.currentRow() == 1
    page = window.indicators
    editor = page.editor
    assert editor.indicator.id == "1.1"
    for indicator_id, values in FIGURES.items():
        user.open_tree_item(page.tree, indicator_id)
        assert editor.indicator.id == indicator_id, (indicator_id, editor.indicator.id, page.tree.current_indicator())
        if "met" in values:
            yes = next(b for b in editor._bindings["met"].widget.findChildren(QRadioButton)
                       if b.text() == editor.indicator.yes_text)
            user.press(yes)
            assert yes.isChecked()
        elif "level" in values:
            user.choose(editor._bindings["level"].widget, values["level"])
        else:
            for name, text in values.items():
                user.type_into(editor._bindings[name].widget, text)
            user.reach(page.tree)  # leaving the last figure stores it at once
    settle(user.qtbot)


def import_and_describe_evidence(user: User, window, journey: Journey) -> None:  # noqa: ANN001
    """Import a folder of files, then give each one its register fields and indicators."""
    go_to_page(user, window, 3)
    page = window.external_pages[0].page()
    user.pick_path(journey.sources)
    user.press(page.import_folder_button)
    user.qtbot.waitUntil(lambda: len(page.items) == len(EVIDENCE), timeout=30000)
    settle(user.qtbot)
    details = page.details
    for name, (fields, indicators) in EVIDENCE.items():
        row = next(r for r, item in enumerate(page.items) if item.original_name == name)
        user.select_row(page.list, row)
        assert details.item.original_name == name
        number, issued, issuer, summary = fields
        user.type_into(details.doc_number, number)
        user.type_into(details.issued_date, issued)
        user.type_into(details.issuer, issuer)
        user.type_into(details.summary, summary)
        for indicator in indicators:
            entry_row = next(r for r in range(details.links.count())
                             if details.links.item(r).data(Qt.ItemDataRole.UserRole) == indicator)
            user.toggle_list_entry(details.links, entry_row)
            settle(user.qtbot, 1)
    settle(user.qtbot)


def write_documents(user: User, window) -> None:  # noqa: ANN001
    """The report's texts, the numbers and dates, then the review meeting."""
    go_to_page(user, window, 4)
    page = window.external_pages[1].page()
    settle(user.qtbot)
    assert page.tabs.currentIndex() == 0
    for key, text in NARRATIVE.items():
        user.type_into(page.narrative.editors[key], text)
    user.switch_tab(page.tabs, 2)
    numbers = page.numbers
    fields = {**{f"number.{k}": e for k, e in numbers.numbers.items()},
              **{f"date.{k}": e for k, e in numbers.dates.items()}}
    for key, text in NUMBERS.items():
        user.type_into(fields[key], text)

    user.switch_tab(page.tabs, 1)
    meeting = page.meeting
    user.type_into(meeting.date, "20/11/2026")
    user.type_into(meeting.place, "Hội trường UBND xã Kiến Hưng")
    user.type_into(meeting.chair, SIGNER)
    user.type_into(meeting.chair_title, "Chủ tịch UBND xã")
    user.type_into(meeting.secretary, "Lê Thị Dung")
    user.type_into(meeting.secretary_title, "Công chức Văn hóa - Xã hội")
    user.press(meeting.complete_button)
    assert meeting.attendees.rowCount() == len(MEETING_NAMES)
    for row, name in enumerate(MEETING_NAMES):
        user.type_in_cell(meeting.attendees, row, 0, name)
    settle(user.qtbot)
    user.type_into(meeting.conclusions, "Cuộc họp thống nhất kết quả tự đánh giá.")
    user.choose(meeting.level, 1)
    settle(user.qtbot)


def finalize_sign_and_export(user: User, window, journey: Journey) -> list[str]:  # noqa: ANN001
    """Hồ sơ: chốt (confirmed), the .p12 file chosen and saved, a folder, the password, the package written."""
    go_to_page(user, window, 5)
    page = window.external_pages[2].page()
    settle(user.qtbot)
    finalize = page.finalize_tab
    user.qtbot.waitUntil(lambda: finalize.finalize_button.isEnabled(), timeout=20000)
    asked: list[str] = []
    user.answer("Chốt hồ sơ", asked)
    user.press(finalize.finalize_button)
    user.qtbot.waitUntil(lambda: window.ctx.ws.year(window.ctx.year).locked, timeout=20000)
    settle(user.qtbot)
    assert "không sửa được" in asked[0]

    signing = page.signing_tab
    user.qtbot.waitUntil(lambda: page.tabs.currentIndex() == 1 and signing.isEnabled(), timeout=10000)
    user.type_into(signing.p12_path, str(journey.p12))
    save = next(b for b in signing.findChildren(QAbstractButton) if b.text() == "Lưu cài đặt ký số")
    user.press(save)
    settle(user.qtbot)
    user.qtbot.waitUntil(lambda: page.guide_button.isVisible() and page.guide_button.text() == "Đến bước 3 ›",
                         timeout=10000)
    user.press(page.guide_button)
    export = page.export_tab
    assert page.tabs.currentIndex() == 2
    choose = next(b for b in export.findChildren(QAbstractButton) if b.text() == "Chọn thư mục khác…")
    user.pick_path(journey.out)
    user.press(choose)
    assert export.targets.currentItem().data(Qt.ItemDataRole.UserRole) == str(journey.out), [export.targets.item(i).data(Qt.ItemDataRole.UserRole) for i in range(export.targets.count())]
    messages: list[str] = []
    user.type_secret(journey.p12_password, then=lambda: user.answer("Đồng ý", messages))
    user.press(export.build_button)
    user.qtbot.waitUntil(lambda: bool(messages), timeout=120000)
    settle(user.qtbot)
    return messages


def close_window(user: User, window) -> None:  # noqa: ANN001
    """Tệp › Thoát (Ctrl+Q)."""
    user.back_to(window)
    user.key(Qt.Key.Key_Q, CTRL)
    user.qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    settle(user.qtbot)


def run_journey(qtbot, journey: Journey, keyboard_only: bool):  # noqa: ANN201 - the first window's Launcher
    """Everything from the first start to the written package; returns the user and the package messages."""
    user = User(qtbot, keyboard_only)
    launcher = first_start(user, journey)
    window = launcher.window
    qtbot.addWidget(window)
    activate(qtbot, window)
    for stage in (enter_indicators, lambda u, w: import_and_describe_evidence(u, w, journey), write_documents):
        stage(user, window)
        check_modal_acts()
    messages = finalize_sign_and_export(user, window, journey)
    check_modal_acts()
    close_window(user, window)
    return launcher, user, messages

