"""The commune's workspace window: navigation, pages, the live checklist dock, menus and undo.

Opening is quick: the window paints its frame (navigation, toolbar, menus) first; the page on screen and
the checklist are built right after that first paint, and every other page on its first show, so the
window never waits for pages, or the libraries they use, that are not on screen. Pages of other parts of
the app (evidence, documents, dossier, backup dialogs) are imported when first needed. Layout (geometry, dock, splitter, page) is kept in the data folder's ui-state.ini.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSize, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.text import format_local_time
from ui.context import AppContext
from ui.locations import ui_state
from ui.pages.deferred import BuiltOnDemand
from ui.pages.external import LazyPage, documents_page, dossier_page, evidence_page
from ui.widgets.keyboard import PaneKeyboard

if TYPE_CHECKING:
    from app.services.next_step import NextStep
    from app.services.undo import UndoHistory, UndoStep
    from ui.pages.assignments import AssignmentsPage
    from ui.pages.dashboard import DashboardPage
    from ui.pages.indicators import IndicatorsPage
    from ui.widgets.checklist_panel import ChecklistPanel

EXTERNAL_PAGES = (
    ("Minh chứng", evidence_page),
    ("Văn bản", documents_page),
    ("Hồ sơ", dossier_page),
)
BACKUP_DIALOGS = (
    ("Sao lưu dữ liệu…", "BackupDialog"),
    ("Khôi phục từ bản sao lưu…", "RestoreDialog"),
    ("Kiểm tra toàn vẹn dữ liệu…", "CheckDialog"),
)
PAGE_OVERVIEW, PAGE_INDICATORS, PAGE_ASSIGNMENTS = 0, 1, 2


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, switch_workspace: Callable[[str], None] | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self._switch_workspace = switch_workspace
        self.state = ui_state(ctx.ws.data_dir)
        self.setWindowTitle(self._title())
        self.setMinimumSize(1000, 640)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("Điều hướng")
        self.nav.setFixedWidth(180)
        self.stack = QStackedWidget()
        self._today = today
        self._first_painted = False
        self._after_first_paint: list[Callable[[], Any]] = []
        self._history: UndoHistory | None = None  # the year's undo stacks, once read (after the first paint)
        self._splitter_state: QByteArray | None = None
        self._core_pages = [BuiltOnDemand(self._make_overview), BuiltOnDemand(self._make_indicators),
                            BuiltOnDemand(self._make_assignments)]
        pages: list[tuple[str, QWidget]] = list(zip(("Tổng quan", "Chỉ tiêu & số liệu", "Phân công"),
                                                    self._core_pages, strict=True))
        self.external_pages = [LazyPage(ctx, title, build) for title, build in EXTERNAL_PAGES]
        pages += [(page.title, page) for page in self.external_pages]
        self._holders: list[BuiltOnDemand] = [*self._core_pages, *self.external_pages]
        for title, page in pages:
            item = QListWidgetItem(title)
            item.setSizeHint(QSize(0, 40))
            self.nav.addItem(item)
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self._page_selected)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        if ctx.demo:
            column.addWidget(self._demo_banner())
        if ctx.ws.read_only:
            column.addWidget(self._read_only_banner())
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        column.addLayout(row, 1)
        self.setCentralWidget(central)

        self.dock = QDockWidget("Bảng kiểm tra điều kiện công nhận", self)
        self.dock.setObjectName("checklistDock")
        self._checklist_holder = BuiltOnDemand(self._make_checklist, self.dock)
        self._holders.append(self._checklist_holder)
        for holder in self._holders:
            holder.hold()  # until the first paint
        self.dock.setWidget(self._checklist_holder)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                              | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.dock.setMinimumWidth(360)
        self.dock.hide()  # placed after the first paint (see _place_dock)
        self.start_auto_backup()

        self._build_toolbar()
        self._build_menus(pages)
        self.keyboard = PaneKeyboard(self, lambda: [self.nav, self.stack, self.dock])
        self.saved_label = QLabel("Chế độ chỉ đọc: thay đổi chưa ghi được (xem dải báo ở trên)." if ctx.ws.read_only
                                  else "Mọi thay đổi được lưu tự động.")
        self.user_label = QLabel()
        self.statusBar().addWidget(self.saved_label, 1)
        self.statusBar().addPermanentWidget(self.user_label)
        ctx.saved.connect(self._on_saved)
        ctx.changes_applied.connect(self._on_changes)
        ctx.year_changed.connect(lambda _year: self._update_undo_actions())
        self._refresh_years()
        self._show_undo_state()
        self._update_user()
        self._restore_layout()

    # ------------------------------------------------------------------ building

    def _make_overview(self, parent: QWidget) -> DashboardPage:
        from ui.pages.dashboard import DashboardPage

        page = DashboardPage(self.ctx, parent, today=self._today)
        page.next_requested.connect(self.go_to_step)
        return page

    def _make_indicators(self, parent: QWidget) -> IndicatorsPage:
        from ui.pages.indicators import IndicatorsPage

        page = IndicatorsPage(self.ctx, parent)
        if self._splitter_state is not None:
            page.splitter.restoreState(self._splitter_state)
        return page

    def _make_assignments(self, parent: QWidget) -> AssignmentsPage:
        from ui.pages.assignments import AssignmentsPage

        return AssignmentsPage(self.ctx, parent, today=self._today)

    def _make_checklist(self, parent: QWidget) -> ChecklistPanel:
        from ui.widgets.checklist_panel import ChecklistPanel

        panel = ChecklistPanel(self.ctx, parent)  # built in place: moving a styled panel costs a re-polish
        panel.indicator_activated.connect(self.open_indicator)
        return panel

    @property
    def overview(self) -> DashboardPage:
        return self._core_pages[PAGE_OVERVIEW].widget()  # type: ignore[return-value]

    @property
    def indicators(self) -> IndicatorsPage:
        return self._core_pages[PAGE_INDICATORS].widget()  # type: ignore[return-value]

    @property
    def assignments(self) -> AssignmentsPage:
        return self._core_pages[PAGE_ASSIGNMENTS].widget()  # type: ignore[return-value]

    @property
    def checklist(self) -> ChecklistPanel:
        self._place_dock()
        return self._checklist_holder.widget()  # type: ignore[return-value]

    def has_opened(self) -> bool:
        """Whether opening is complete: the window painted and the page on screen and the checklist are built."""
        return self._first_painted and not self._after_first_paint and all(
            holder.is_built() for holder in (self._checklist_holder, self.stack.currentWidget())
            if isinstance(holder, BuiltOnDemand) and holder.isVisible())

    def call_after_first_paint(self, action: Callable[[], Any]) -> None:
        """Run `action` once the window has painted for the first time (at once if it already has)."""
        if self._first_painted:
            action()
        else:
            self._after_first_paint.append(action)

    _closed = False  #: set once the window is closed: queued start-up work then does nothing

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 - Qt's name
        """Tab and Shift+Tab: the navigation list, then the page, then the side panel (see ui.widgets.keyboard)."""
        return self.keyboard.next_focus(next) or super().focusNextPrevChild(next)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._first_painted:
            self._first_painted = True
            QTimer.singleShot(0, self._finish_opening)  # queued after this paint: the frame is on screen first

    def _finish_opening(self) -> None:
        """After the first paint: place the checklist dock, build what is on screen, read the undo stacks, run the
        queued actions. Nothing when the window or its workspace was closed in between."""
        if self._closed or self.ctx.ws.closed:
            return
        self._place_dock()
        for holder in self._holders:
            holder.release()
        self._update_undo_actions()
        actions, self._after_first_paint = self._after_first_paint, []
        for action in actions:
            action()

    def _title(self) -> str:
        ws = self.ctx.ws
        name = f"Xã {ws.profile().commune_name}, {ws.profile().province}" if ws.has_profile() else ""
        suffix = " (xã mẫu)" if self.ctx.demo else ""
        return f"CĐHT xã — {name}{suffix}"

    def _demo_banner(self) -> QWidget:
        banner = QFrame()
        banner.setObjectName("demoBanner")
        layout = QHBoxLayout(banner)
        layout.setContentsMargins(12, 6, 12, 6)
        text = QLabel("Đang mở <b>xã mẫu</b>: dữ liệu minh họa, lưu riêng, không phải dữ liệu thật của xã.")
        text.setWordWrap(True)
        layout.addWidget(text, 1)
        if self._switch_workspace is not None:
            button = QPushButton("Chuyển sang dữ liệu của xã")
            button.clicked.connect(lambda: self._switch("real"))
            layout.addWidget(button)
        return banner

    def _read_only_banner(self) -> QWidget:
        """Why the data is read-only (full or read-only drive) and what to do; reopening retries writing."""
        banner = QFrame()
        banner.setObjectName("readOnlyBanner")
        banner.setStyleSheet("QFrame#readOnlyBanner { background: #fdecea; border-bottom: 1px solid #e5a19a; }")
        layout = QHBoxLayout(banner)
        layout.setContentsMargins(12, 6, 12, 6)
        self.read_only_text = QLabel(self.ctx.read_only_banner or self.ctx.ws.read_only_reason)
        self.read_only_text.setWordWrap(True)
        layout.addWidget(self.read_only_text, 1)
        if self._switch_workspace is not None:
            button = QPushButton("Mở lại để ghi")
            button.clicked.connect(lambda: self._switch("real"))
            layout.addWidget(button)
        return banner

    def _build_toolbar(self) -> None:
        bar = QToolBar("Thanh công cụ")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        year_label = QLabel("Năm đánh giá:")
        self.year_combo = QComboBox()
        self.year_combo.setAccessibleName("Năm đánh giá")
        self.year_combo.setMinimumContentsLength(6)
        self.year_combo.currentIndexChanged.connect(self._year_selected)
        year_label.setBuddy(self.year_combo)
        bar.addWidget(year_label)
        bar.addWidget(self.year_combo)
        add_year = QAction("Thêm năm…", self)
        add_year.setToolTip("Thêm năm đánh giá mới")
        add_year.triggered.connect(self.add_year)
        self.add_year_action = add_year
        bar.addAction(add_year)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.undo_action = QAction("Hoàn tác", self)
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])  # window-wide, Qt's default
        self.undo_action.triggered.connect(self.undo)
        self.redo_action = QAction("Làm lại", self)
        self.redo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Y")])
        self.redo_action.triggered.connect(self.redo)
        bar.addAction(self.undo_action)
        bar.addAction(self.redo_action)
        self.toggle_dock = self.dock.toggleViewAction()
        self.toggle_dock.setText("Bảng kiểm tra")
        self.toggle_dock.setShortcuts([QKeySequence("F9")])
        bar.addAction(self.toggle_dock)

    def _build_menus(self, pages: list[tuple[str, QWidget]]) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&Tệp")
        if self._switch_workspace is not None:
            if self.ctx.demo:
                file_menu.addAction("Mở dữ liệu của xã", lambda: self._switch("real"))
            else:
                file_menu.addAction("Mở xã mẫu (dữ liệu minh họa)", lambda: self._switch("demo"))
            file_menu.addSeparator()
        for text, class_name in BACKUP_DIALOGS:
            file_menu.addAction(text, self._backup_dialog_opener(class_name))
        file_menu.addSeparator()
        settings = file_menu.addAction("Cài đặt…", self.open_settings)
        settings.setShortcuts([QKeySequence("Ctrl+,")])
        file_menu.addSeparator()
        quit_action = file_menu.addAction("Thoát", self.close)
        quit_action.setShortcuts([QKeySequence("Ctrl+Q")])

        edit_menu = menu.addMenu("&Chỉnh sửa")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)

        view_menu = menu.addMenu("&Xem")
        for index, (title, _page) in enumerate(pages):
            action = view_menu.addAction(title, self._page_opener(index))
            action.setShortcuts([QKeySequence(f"Ctrl+{index + 1}")])
        view_menu.addSeparator()
        view_menu.addAction(self.toggle_dock)

        year_menu = menu.addMenu("&Năm")
        year_menu.addAction(self.add_year_action)

        help_menu = menu.addMenu("Trợ &giúp")
        help_menu.addAction("Giới thiệu", self._about)

    # ------------------------------------------------------------------ navigation

    def show_page(self, index: int) -> None:
        self.nav.setCurrentRow(index)

    def _page_selected(self, index: int) -> None:
        """Store what is being typed on the page left, then show the page chosen."""
        self._flush_typing()
        self.stack.setCurrentIndex(index)

    def open_indicator(self, indicator_id: str) -> None:
        self.show_page(PAGE_INDICATORS)
        self.indicators.open_indicator(indicator_id)

    def go_to_step(self, step: NextStep) -> None:
        """Open the place where the overview's next step is done."""
        documents_tabs = {"narrative": 0, "meeting": 1, "numbers": 2}
        if step.action == "add_year":
            self.add_year()
        elif step.action == "profile":
            self.open_settings()
        elif step.action == "indicator":
            self.open_indicator(step.indicator_id)
        elif step.action in ("evidence", "register"):
            self.show_page(PAGE_ASSIGNMENTS + 1)
            page = self.external_pages[0].page()
            if step.action == "register" and hasattr(page, "open_register"):
                page.open_register()
            elif hasattr(page, "show_indicator"):
                page.show_indicator(step.indicator_id)
        elif step.action in documents_tabs:
            self.show_page(PAGE_ASSIGNMENTS + 2)
            tabs = getattr(self.external_pages[1].page(), "tabs", None)
            if tabs is not None:
                tabs.setCurrentIndex(documents_tabs[step.action])
                tabs.currentWidget().setFocus()
        else:  # finalize, sign, send: the Hồ sơ page guides through its steps
            self.show_page(PAGE_ASSIGNMENTS + 3)

    def _refresh_years(self) -> None:
        years = [info.year for info in self.ctx.ws.years()]
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in years:
            self.year_combo.addItem(str(year), year)
        self.year_combo.setCurrentIndex(max(0, self.year_combo.findData(self.ctx.year)))
        self.year_combo.blockSignals(False)

    def _year_selected(self, _index: int) -> None:
        year = self.year_combo.currentData()
        if year is not None and year != self.ctx.year:
            self._flush_typing()
            self.ctx.set_year(year)

    def _built_pages(self) -> list[QWidget]:
        return [holder.widget() for holder in self._holders if holder.is_built()]

    def _flush_typing(self) -> None:
        """Store what is being typed on every page built so far (before the page, the year or the window changes)."""
        for page in self._built_pages():
            flush = getattr(page, "flush", None)
            if callable(flush):
                flush()

    def unsaved(self) -> list[str]:
        """What was typed but refused, page by page, with the reason (after `flush`)."""
        lines: list[str] = []
        for page in self._built_pages():
            unsaved = getattr(page, "unsaved", None)
            if callable(unsaved):
                lines += unsaved()
        return lines

    # ------------------------------------------------------------------ actions

    def add_year(self) -> None:
        from ui.year_dialog import AddYearDialog

        self._flush_typing()
        AddYearDialog(self.ctx, self).exec()

    def open_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        self._flush_typing()
        SettingsDialog(self.ctx, self).exec()

    def _open_backup_dialog(self, class_name: str) -> None:
        from ui.backup import dialogs
        from ui.tasks import wait_for_idle

        dialog_class = getattr(dialogs, class_name)
        self._flush_typing()
        wait_for_idle()
        dialog_class(self.ctx, self).exec()

    def _about(self) -> None:
        from app.domain.catalogue import catalogue_in_force
        from ui.dialogs import message_box

        message_box(self, "Giới thiệu",
                    "CĐHT xã — phần mềm tự đánh giá và chuẩn bị hồ sơ đề nghị công nhận \"Cộng đồng học tập\" "
                    f"cấp xã theo {catalogue_in_force(dt.date.today()).short_title}.\nDữ liệu lưu tại: "
                    + str(self.ctx.ws.data_dir))

    def _switch(self, mode: str) -> None:
        switch = self._switch_workspace
        if switch is not None:
            QTimer.singleShot(0, lambda: switch(mode))

    def _backup_dialog_opener(self, class_name: str) -> Callable[[], None]:
        return lambda: self._open_backup_dialog(class_name)

    def _page_opener(self, index: int) -> Callable[[], None]:
        return lambda: self.show_page(index)

    def undo(self) -> None:
        from app.services.undo import undo

        self._run_undo(undo, "Đã hoàn tác", redo=False)

    def redo(self) -> None:
        from app.services.undo import redo

        self._run_undo(redo, "Đã làm lại", redo=True)

    def _run_undo(self, operation: Callable[[Any, int], Changes], done_text: str, redo: bool) -> None:
        year = self.ctx.year
        if year is None:
            return
        self._flush_typing()
        history = self._history
        stack = () if history is None else (history.redo if redo else history.undo)
        step = stack[-1] if stack else None

        def finished(_changes: Changes) -> None:
            if step is not None:
                self.saved_label.setText(f"{done_text}: {self._step_text(step)}.")
                if self.stack.currentIndex() == PAGE_INDICATORS:
                    self.indicators.open_indicator(step.indicator_id)

        self.ctx.submit(lambda ws: operation(ws, year), self, on_success=finished)

    @staticmethod
    def _step_text(step: UndoStep) -> str:
        from ui.labels import FIELD_NAMES

        fields = ", ".join(FIELD_NAMES.get(name, name).lower() for name in step.fields)
        return f"chỉ tiêu {step.indicator_id} ({fields})"

    def _update_undo_actions(self) -> None:
        """Bring the undo stacks up to date: at once when they only need the audit rows written since the last
        time, in the background when a year's history is read for the first time."""
        from app.services.undo import history, stacks

        ws, year = self.ctx.ws, self.ctx.year
        if year is None or stacks(ws, year).folded:
            self._history = history(ws, year) if year is not None else None
            self._show_undo_state()
            return
        from ui.tasks import run_in_background

        def ready(result: UndoHistory) -> None:
            if self.ctx.year == year:
                self._history = result
                self._show_undo_state()

        self._history = None
        self._show_undo_state()
        run_in_background(lambda _progress: history(ws, year)).success(ready).run()

    def _show_undo_state(self) -> None:
        """Enable undo/redo as the stacks say; while they are being read, leave both on (the service checks).
        In a text field Ctrl+Z and Ctrl+Y are the field's own (its typing); these actions apply elsewhere."""
        history = self._history
        loading = history is None and self.ctx.year is not None
        can_undo = loading or bool(history and history.can_undo())
        can_redo = loading or bool(history and history.can_redo())
        self.undo_action.setEnabled(can_undo)
        self.redo_action.setEnabled(can_redo)
        undo_tip = f"Hoàn tác: {self._step_text(history.undo[-1])}" if history and can_undo else (
            "Hoàn tác" if loading else "Không có gì để hoàn tác")
        redo_tip = f"Làm lại: {self._step_text(history.redo[-1])}" if history and can_redo else (
            "Làm lại" if loading else "Không có gì để làm lại")
        self.undo_action.setToolTip(undo_tip + " (Ctrl+Z)")
        self.redo_action.setToolTip(redo_tip + " (Ctrl+Y)")
        self.undo_action.setStatusTip(undo_tip)
        self.redo_action.setStatusTip(redo_tip)

    # ------------------------------------------------------------------ change handling

    def _on_saved(self, changes: Changes) -> None:
        if changes.any():
            self.saved_label.setText(f"Đã lưu tự động lúc {format_local_time(dt.datetime.now().astimezone(), seconds=True)}.")

    def _on_changes(self, changes: Changes) -> None:
        if changes.years:
            self._refresh_years()
        if changes.profile:
            self.setWindowTitle(self._title())
        if changes.settings:
            self._update_user()
        if (changes.indicators or changes.years) and self._first_painted:
            self._update_undo_actions()

    def _update_user(self) -> None:
        self.user_label.setText(f"Người sử dụng: {self.ctx.ws.user}")

    # ------------------------------------------------------------------ layout memory and closing

    def _restore_layout(self) -> None:
        geometry = self.state.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1366, 768)
        splitter = self.state.value("window/indicatorSplitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self._splitter_state = splitter  # applied when the page is built
        self.show_page(int(str(self.state.value("window/page", PAGE_OVERVIEW) or 0)))

    def _place_dock(self) -> None:
        """Dock the checklist on the right and restore the saved window state (which includes the dock). Done after
        the first paint: naming a dock area loads PySide's whole Qt namespace, which the first paint does without."""
        from PySide6.QtCore import Qt

        if self.dockWidgetArea(self.dock) != Qt.DockWidgetArea.NoDockWidgetArea:
            return
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.show()
        window_state = self.state.value("window/state")
        if isinstance(window_state, QByteArray) and not window_state.isEmpty():
            self.restoreState(window_state)
        else:
            self.resizeDocks([self.dock], [430], Qt.Orientation.Horizontal)

    def save_layout(self) -> None:
        self._place_dock()  # a window closed before its first paint saves the dock where it belongs
        self.state.setValue("window/geometry", self.saveGeometry())
        self.state.setValue("window/state", self.saveState())
        if self._core_pages[PAGE_INDICATORS].is_built():
            self.state.setValue("window/indicatorSplitter", self.indicators.splitter.saveState())
        self.state.setValue("window/page", self.nav.currentRow())
        self.state.sync()

    def flush(self) -> None:
        """Store pending typing and wait until every write has reached the database."""
        from ui.tasks import wait_for_idle

        self._flush_typing()
        wait_for_idle()

    def _leave_unsaved(self, unsaved: list[str]) -> bool:
        """Ask before closing with typed values the app refused; True to close anyway."""
        from ui.dialogs import confirm

        shown = "\n".join(f"• {line}" for line in unsaved[:8])
        more = f"\n… và {len(unsaved) - 8} mục khác." if len(unsaved) > 8 else ""
        return confirm(self, "Còn nội dung chưa lưu được",
                       f"Các nội dung sau chưa lưu được vì chưa hợp lệ:\n{shown}{more}\n\nĐóng ứng dụng thì các "
                       "nội dung này mất. Bấm \u201cHủy\u201d để ở lại sửa.", "Đóng, bỏ các nội dung này")

    def start_auto_backup(self) -> None:
        """Every 5 minutes, back up when the rule says so (30 minutes with changes); also on close."""
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(5 * 60 * 1000)
        self.backup_timer.timeout.connect(self.auto_backup)
        self.backup_timer.start()

    def auto_backup(self) -> None:
        from app.backup.policy import maybe_auto_backup
        from ui.tasks import run_in_background, user_message

        if self.ctx.demo or self.ctx.ws.read_only:
            return
        ws = self.ctx.ws
        run_in_background(lambda progress: maybe_auto_backup(ws, progress=progress)).failure(
            lambda error: self.statusBar().showMessage(f"Sao lưu tự động chưa thực hiện được: {user_message(error)}")
        ).run()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush()
        unsaved = [] if self.ctx.ws.read_only else self.unsaved()  # read-only: the banner already says nothing is kept
        if unsaved and not self._leave_unsaved(unsaved):
            event.ignore()
            return
        self._closed = True
        self.save_layout()
        if not self.ctx.demo and not self.ctx.ws.read_only:
            from app.backup.policy import maybe_auto_backup

            try:
                maybe_auto_backup(self.ctx.ws, closing=True)
            except Exception as error:  # noqa: BLE001 - closing must never be blocked by a failed backup
                from ui.errorlog import log_exception

                log_exception(error)
        super().closeEvent(event)
