"""The "Minh chứng" page: the evidence library of the selected year.

Left: search (accents optional), a filter by indicator, the list with thumbnails (a model/view: thousands of
items cost nothing until shown, thumbnails are made for the rows on screen), and the trash.
Right: the preview (PDF pages, images, or open with the system app) above the catalogue fields and
the indicator links. Files come in through the import buttons or drag-and-drop and are imported in the
background with a progress bar and cancel; every file gets its own line in the result.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.domain.records import EXPLANATION_FIELD
from app.errors import CancelledError
from app.evidence import importer as evidence_importer
from app.evidence import library as evidence_library
from app.services import evidence as ev
from app.storage.workspace import Workspace
from ui.context import AppContext
from ui.dialogs import ask_yes_no
from ui.evidence.details import FIELD_MIN_WIDTH, DetailsPanel
from ui.evidence.list_model import EvidenceListModel
from ui.evidence.preview import PreviewPane
from ui.evidence.thumbnails import ThumbnailQueue, badge_icon
from ui.locations import ui_state
from ui.locking import locked_notice
from ui.tasks import run_in_background, show_error
from ui.widgets.combo import full_text_tooltip
from ui.widgets.typing import SavedFields
from ui.widgets.verdict import wrapped

ALL = None
ICON_SIZE = 64
LIBRARY, TRASH = 0, 1
#: The preview keeps at least this height however the splitter is dragged (a page stays readable).
PREVIEW_MIN_HEIGHT = 300
FILE_FILTER = ("Tài liệu minh chứng (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.doc *.docx *.xls *.xlsx *.odt *.ods "
               "*.mp4);;Tất cả tệp (*)")


class EvidencePage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.setAcceptDrops(True)
        self._stale = True
        self.model = EvidenceListModel(badge_icon, lambda item: self.thumbnails.request(item), self)
        self.thumbnails = ThumbnailQueue(ctx.ws, self.model.set_icon, self)

        title = QLabel("Minh chứng")
        title.setObjectName("pageTitle")
        self.import_files_button = QPushButton("Nhập tệp…")
        self.import_files_button.setObjectName("primary")
        self.import_files_button.clicked.connect(self.choose_files)
        self.import_folder_button = QPushButton("Nhập thư mục…")
        self.import_folder_button.clicked.connect(self.choose_folder)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch()
        drop_hint = QLabel("hoặc kéo thả tệp, thư mục vào đây")
        drop_hint.setObjectName("muted")
        header.addWidget(drop_hint)
        header.addWidget(self.import_files_button)
        header.addWidget(self.import_folder_button)
        self.register_button = QPushButton("Danh mục…")
        self.register_button.setToolTip("Hoàn thiện danh mục: số, ký hiệu, ngày, cơ quan ban hành, trích yếu của mọi "
                                        "minh chứng; gợi ý từ tệp, sửa nhiều minh chứng cùng lúc")
        self.register_button.clicked.connect(self.open_register)
        header.addWidget(self.register_button)

        self.search = QLineEdit(placeholderText="Tìm theo tên, số văn bản, trích yếu… (gõ không dấu cũng được)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self.refresh())
        self.filter = full_text_tooltip(QComboBox())
        self.filter.setMinimumWidth(260)
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.view = QComboBox()
        self.view.addItems(["Thư viện", "Thùng rác"])
        self.view.currentIndexChanged.connect(lambda _i: self.refresh())
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.filter)
        filters.addWidget(self.view)

        self.explanation_box = QGroupBox()
        self.explanation_fields = SavedFields(ctx, self._explanation_change, self)
        self.explanation = self.explanation_fields.add_text(
            EXPLANATION_FIELD, QPlainTextEdit(placeholderText="Vì sao chỉ tiêu này không có minh chứng (ví dụ: văn "
                                                              "bản đang chờ cấp trên ban hành)… Lưu tự động khi gõ."),
            "Giải trình")
        self.explanation.setFixedHeight(58)
        self.explanation_problem = wrapped(object_name="error")
        self.explanation_problem.hide()
        self.explanation_fields.problem.connect(self._show_explanation_problem)
        box = QVBoxLayout(self.explanation_box)
        box.addWidget(self.explanation)
        box.addWidget(self.explanation_problem)
        self.explanation_box.hide()
        self.locked_note = wrapped(object_name="error")
        self.locked_note.hide()

        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.list.setSpacing(2)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.selectionModel().currentChanged.connect(lambda _a, _b: self._selection_changed())
        self.count = QLabel()
        self.count.setObjectName("muted")
        self.remove_button = QPushButton("Chuyển vào thùng rác")
        self.remove_button.clicked.connect(self.remove_selected)
        self.restore_button = QPushButton("Khôi phục")
        self.restore_button.clicked.connect(self.restore_selected)
        self.empty_button = QPushButton("Dọn sạch thùng rác")
        self.empty_button.clicked.connect(self.empty_trash)
        list_buttons = QHBoxLayout()
        for button in (self.remove_button, self.restore_button, self.empty_button):
            list_buttons.addWidget(button)
        list_buttons.addStretch(1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.count)
        left_layout.addLayout(list_buttons)

        self.preview = PreviewPane(ctx.ws)
        self.preview.stack.setMinimumHeight(PREVIEW_MIN_HEIGHT)
        self.details = DetailsPanel(ctx)
        self.details.link_toggled.connect(self.toggle_link)
        details_area = QScrollArea()
        details_area.setWidgetResizable(True)
        details_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        details_area.setWidget(self.details)
        details_area.setMinimumHeight(120)
        self.details_area = details_area
        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.addWidget(self.preview)
        self.right.addWidget(details_area)
        self.right.setStretchFactor(0, 1)
        self.right.setStretchFactor(1, 1)
        self.right.setChildrenCollapsible(False)
        self.right.setSizes([PREVIEW_MIN_HEIGHT + 40, 300])
        self.right.setMinimumWidth(FIELD_MIN_WIDTH + 200)  # label column, scroll bar, margins
        left.setMinimumWidth(220)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([280, 480])
        self._restore_splitters()
        for splitter in (self.splitter, self.right):
            splitter.splitterMoved.connect(lambda _pos, _index: self._save_splitters())

        self.status = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.locked_note)
        layout.addLayout(header)
        layout.addLayout(filters)
        layout.addWidget(self.explanation_box)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status)

        ctx.changes_applied.connect(self._on_changes)
        ctx.year_changed.connect(lambda _year: self.reload_catalogue())
        self.reload_catalogue()

    # ------------------------------------------------------------------ loading

    def reload_catalogue(self) -> None:
        """Fill the indicator filter and link list for the current year, then the list."""
        year = self.ctx.year
        indicators = list(self.ctx.ws.catalogue(year).indicators) if year is not None else []
        current = self.filter.currentData()
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem("Tất cả chỉ tiêu", ALL)
        self.filter.addItem("Chưa gắn chỉ tiêu", evidence_library.UNLINKED)
        for indicator in indicators:
            self.filter.addItem(f"Chỉ tiêu {indicator.label}", indicator.id)
        index = self.filter.findData(current)
        self.filter.setCurrentIndex(index if index >= 0 else 0)
        self.filter.blockSignals(False)
        self.details.set_catalogue(indicators)
        self._update_locked()
        self.request_refresh()

    def _on_changes(self, changes: Changes) -> None:
        if changes.years:
            self.reload_catalogue()
            self._selection_changed()  # a finalized (or unlocked) year: fields read-only (or editable)
        elif changes.evidence or changes.indicators or changes.checklist:
            self.request_refresh()

    def request_refresh(self) -> None:
        """Refresh the list now when the page is on screen, else when it is next shown: an edit elsewhere in the
        window (say, typing a figure) must not wait for a list of thousands of items nobody is looking at."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.refresh()
        super().showEvent(event)

    def _show_explanation_problem(self, text: str) -> None:
        self.explanation_problem.setText(text)
        self.explanation_problem.setVisible(bool(text))

    def in_trash(self) -> bool:
        return self.view.currentIndex() == TRASH

    def indicator_filter(self) -> str | None:
        indicator_id: str | None = self.filter.currentData()
        return indicator_id

    def refresh(self) -> None:
        self._stale = False
        year = self.ctx.year
        selected = self.current_item()
        items = [] if year is None else evidence_library.list_evidence(
            self.ctx.ws, year, indicator_id=self.indicator_filter(), query=self.search.text(), trash=self.in_trash())
        self.thumbnails.clear()
        selection = self.list.selectionModel()
        selection.blockSignals(True)
        self.model.set_items(items)
        selection.blockSignals(False)
        self._update_count()
        self._update_buttons()
        self._update_explanation()
        if selected is not None and self.select_id(selected.id):
            return
        if items:
            self.select_row(0)
        else:
            self._selection_changed()

    @property
    def items(self) -> list[evidence_library.EvidenceItem]:
        """The items listed now, in list order (read first if the list is out of date)."""
        if self._stale:
            self.refresh()
        return self.model.items()

    def _update_count(self) -> None:
        count = len(self.items)
        if self.in_trash():
            self.count.setText(f"Thùng rác: {count} minh chứng")
        elif self.indicator_filter():
            self.count.setText(f"Chỉ tiêu {self.indicator_filter()}: {count} minh chứng")
        else:
            self.count.setText(f"{count} minh chứng")

    def _update_buttons(self) -> None:
        trash = self.in_trash()
        has = self.current_item() is not None
        editable = not self._locked()  # a finalized year's evidence stays as it was finalized
        self.remove_button.setVisible(not trash)
        self.restore_button.setVisible(trash)
        self.empty_button.setVisible(trash)
        self.remove_button.setEnabled(has and editable)
        self.restore_button.setEnabled(has and editable)
        self.empty_button.setEnabled(bool(self.items) and editable)

    def _update_explanation(self) -> None:
        indicator_id = self.indicator_filter()
        year = self.ctx.year
        show = (year is not None and bool(indicator_id) and not self.in_trash() and not self.search.text()
                and not self.items)
        if not show:
            self.explanation_fields.flush()
        self.explanation_box.setVisible(show)
        if show:
            assert year is not None and indicator_id is not None  # `show` is only true with both
            self.explanation_box.setTitle(f"Chỉ tiêu {indicator_id} chưa có minh chứng — giải trình")
            self.explanation_fields.load(
                {EXPLANATION_FIELD: ev.no_evidence_explanation(self.ctx.ws, year, indicator_id)},
                subject=(year, indicator_id))
            self.explanation_fields.set_read_only(self._locked())

    def _locked(self) -> bool:
        return self.ctx.year is not None and self.ctx.ws.year(self.ctx.year).locked

    def _update_locked(self) -> None:
        locked, year = self._locked(), self.ctx.year
        self.locked_note.setText(locked_notice(year) if locked and year is not None else "")
        self.locked_note.setVisible(locked)
        for button in (self.import_files_button, self.import_folder_button):
            button.setEnabled(self.ctx.year is not None and not locked)

    # ------------------------------------------------------------------ selection

    def current_item(self) -> evidence_library.EvidenceItem | None:
        index = self.list.currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.list.setCurrentIndex(self.model.index(row, 0))

    def select_id(self, evidence_id: int) -> bool:
        if self._stale:
            self.refresh()
        row = self.model.row_of(evidence_id)
        if row < 0:
            return False
        self.select_row(row)
        self._selection_changed()
        return True

    def select_code(self, code: str) -> bool:
        item = next((i for i in self.items if i.code == code), None)
        return item is not None and self.select_id(item.id)

    def _selection_changed(self) -> None:
        item = self.current_item()
        if item is not self.preview.item and (item is None or self.preview.item is None
                                              or item.id != self.preview.item.id):
            self.preview.show_item(item)
        self.details.show_item(item, editable=not self.in_trash() and not self._locked())
        self._update_buttons()

    # ------------------------------------------------------------------ import

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Chọn tệp minh chứng", "", FILE_FILTER)
        if paths:
            self.import_paths([Path(p) for p in paths])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục minh chứng")
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> None:
        """Import files/folders in the background, linked to the indicator being filtered on (if any)."""
        year = self.ctx.year
        if year is None or not paths:
            return
        indicator = self.indicator_filter()
        indicators = [indicator] if indicator else []
        ws = self.ctx.ws
        (run_in_background(lambda progress: ev.import_evidence(ws, year, paths, indicator_ids=indicators,
                                                               progress=progress))
         .success(self._imported).failure(self._import_failed)
         .with_progress(self, "Đang nhập minh chứng…").run())

    def _imported(self, imported: ev.EvidenceImport) -> None:
        results = imported.results
        if self.in_trash():
            self.view.setCurrentIndex(LIBRARY)
        self.ctx.apply(imported.changes)
        self.show_results(results)
        first = next((r for r in results if r.evidence_id is not None), None)
        if first is not None and first.evidence_id is not None:
            self.select_id(first.evidence_id)

    def _import_failed(self, error: BaseException) -> None:
        if isinstance(error, CancelledError):
            self.ctx.apply(Changes(evidence=True, checklist=True))
            self._show_status(html.escape(error.message), "#8a6100")
        else:
            show_error(self, error, "Không nhập được minh chứng")

    def show_results(self, results: list[evidence_importer.ImportResult]) -> None:
        """One summary line, then a line for each file that was not simply imported, and every note."""
        lines = [f"<b>{html.escape(evidence_importer.summarize(results))}</b>"]
        for result in results:
            if result.status != evidence_importer.IMPORTED:
                lines.append(f"• {html.escape(result.status_label)}: {html.escape(result.message)}")
            lines.extend(f"• Lưu ý: {html.escape(note)}" for note in result.notes)
        shown = lines[:12]
        if len(lines) > len(shown):
            shown.append(f"… và {len(lines) - len(shown)} dòng nữa.")
        refused = any(r.status in (evidence_importer.REFUSED, evidence_importer.SKIPPED) for r in results)
        self._show_status("<br>".join(shown), "#c0392b" if refused else "#1f2933")

    def _show_status(self, text: str, color: str) -> None:
        self.status.setStyleSheet(f"QLabel {{ background: white; border: 1px solid #d9dee5; border-radius: 6px; "
                                  f"padding: 8px; color: {color}; }}")
        self.status.setText(text)
        self.status.show()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and all(url.isLocalFile() for url in urls) and self.ctx.year is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # ------------------------------------------------------------------ changes

    def show_indicator(self, indicator_id: str) -> None:
        """List the evidence of one indicator (with its explanation box when it has none), ready to import into."""
        self.view.setCurrentIndex(LIBRARY)
        self.search.clear()
        index = self.filter.findData(indicator_id)
        if index >= 0:
            self.filter.setCurrentIndex(index)
        (self.explanation if self.explanation_box.isVisible() else self.import_files_button).setFocus()

    def open_register(self) -> None:
        from ui.evidence.register_dialog import RegisterDialog

        if self.ctx.year is not None:
            RegisterDialog(self.ctx, self).exec()

    def toggle_link(self, evidence_id: int, indicator_id: str, linked: bool) -> None:
        if linked:
            self.ctx.submit(lambda ws: ev.link_evidence(ws, evidence_id, indicator_id), self,
                            on_failure=self._failed_and_reload)
        else:
            self.ctx.submit(lambda ws: ev.unlink_evidence(ws, evidence_id, indicator_id), self,
                            on_failure=self._failed_and_reload)

    def _failed_and_reload(self, error: BaseException) -> None:
        self.refresh()
        show_error(self, error)

    def _explanation_change(self, _key: str, text: str, continuing: bool) -> Callable[[Workspace], Changes]:
        year, indicator_id = self.explanation_fields.subject
        return lambda ws: ev.set_no_evidence_explanation(ws, year, indicator_id, text, continue_edit=continuing)

    def flush(self) -> None:
        """Store what is being typed on the page (the window calls it before the page, year or window changes)."""
        self.details.flush()
        self.explanation_fields.flush()

    def unsaved(self) -> list[str]:
        return self.details.fields.unsaved() + self.explanation_fields.unsaved()

    def _restore_splitters(self) -> None:
        state = ui_state(self.ctx.ws.data_dir)
        for key, splitter in (("evidence/splitter", self.splitter), ("evidence/previewSplitter", self.right)):
            saved = state.value(key)
            if isinstance(saved, QByteArray) and not saved.isEmpty():
                splitter.restoreState(saved)

    def _save_splitters(self) -> None:
        """The sizes the user gave the list, the preview and the fields, kept for the next start."""
        state = ui_state(self.ctx.ws.data_dir)
        state.setValue("evidence/splitter", self.splitter.saveState())
        state.setValue("evidence/previewSplitter", self.right.saveState())

    def remove_selected(self) -> None:
        item = self.current_item()
        if item is not None and not item.deleted:
            self.ctx.submit(lambda ws: ev.remove_evidence(ws, item.id), self)

    def restore_selected(self) -> None:
        item = self.current_item()
        if item is not None and item.deleted:
            self.ctx.submit(lambda ws: ev.restore_evidence(ws, item.id), self)

    def empty_trash(self) -> None:
        if not self.items or not ask_yes_no(
                self, "Dọn sạch thùng rác",
                f"Xóa hẳn {len(self.items)} minh chứng trong thùng rác năm {self.ctx.year}? Không thể hoàn tác."):
            return
        year = self.ctx.year

        def done(result: tuple[Changes, ev.TrashReport]) -> None:
            changes, report = result
            self.ctx.apply(changes)
            self._show_status(html.escape(report.message()), "#1f2933")

        (run_in_background(lambda _progress: ev.empty_trash(self.ctx.ws, year))
         .success(done).failure(lambda error: show_error(self, error)).run())
