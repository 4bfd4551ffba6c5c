"""The documents page: the report's narrative texts, the review meeting, generating, previewing, printing and
saving the dossier documents, and the units' data-collection workbooks.

All database and file work runs through `ui.tasks` on the worker thread; this module runs no SQL.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPageSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.documents import (
    DOCUMENTS,
    DOCX_DOCUMENTS,
    document_readiness,
    legal_base_lines,
    render_document_pdf,
    write_document_docx,
)
from app.documents import legal_bases as bases
from app.documents import texts as doc_texts
from app.documents.collection import CollectionImport, write_collection_workbooks
from app.documents.common import default_recipients
from app.documents.readiness import document_notes
from app.domain import meeting as mt
from app.progress import ProgressState
from app.services import documents as docs
from app.services.documents import import_collection_workbook
from app.storage.workspace import Workspace
from ui.context import AppContext
from ui.dialogs import message_box
from ui.documents.forms import MeetingForm, NarrativeForm, NumbersForm, OrganisationsDialog, record_form
from ui.documents.printing import PrintPreview, Progress, match_orientation, print_pdf
from ui.locking import locked_notice
from ui.pages.deferred import LoadsWhenShown
from ui.tasks import run_in_background, show_error
from ui.widgets.typing import SavedFields, TypingSaver
from ui.widgets.verdict import wrapped

GENERATE_TEXT = "Tạo và xem văn bản"
SAVED_AS_TYPED = "Nội dung được lưu tự động khi gõ; Ctrl+Z trong ô chữ hoàn tác điều vừa gõ."


class DocumentsPage(LoadsWhenShown, QWidget):
    """Hồ sơ, văn bản: write the narrative, record the meeting, then generate, preview, print and save."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._printer: QPrinter | None = None  # kept alive: Qt print dialogs crash with a collected printer
        self._preview_dir = Path(tempfile.mkdtemp(prefix="cdht-preview-"))
        self._preview_path: Path | None = None
        self.pdf = QPdfDocument(self)
        self._build()
        ctx.changes_applied.connect(self._on_changes)
        ctx.year_changed.connect(lambda _year: self.request_load())
        self.refresh()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.narrative = NarrativeForm()
        self.meeting = MeetingForm()
        self.numbers = NumbersForm()
        self.fields = SavedFields(self.ctx, self._text_change, self)
        self.narrative.bind(self.fields)
        self.numbers.bind(self.fields)
        self.fields.problem.connect(self._show_problem)
        self.meeting_typing = TypingSaver(self._store_meeting, self)
        for widget in self.meeting.text_fields:
            self.meeting_typing.watch(widget)
        self.meeting.typed.connect(self.meeting_typing.edited)
        self.meeting.chosen.connect(self._meeting_chosen)
        self.meeting.organisations_requested.connect(self.edit_organisations)
        self.numbers.confirm_requested.connect(
            lambda sid: self.ctx.submit(lambda ws: docs.confirm_legal_basis(ws, sid), self))
        self.numbers.add_base_requested.connect(
            lambda text: self.ctx.submit(lambda ws: docs.add_legal_basis(ws, text), self,
                                         on_success=lambda _c: self.numbers.new_base.clear()))
        self.numbers.remove_base_requested.connect(self.remove_base)
        self.locked_note = wrapped(object_name="error")
        self.locked_note.hide()
        self.problem = wrapped(object_name="error")
        self.problem.hide()
        self.tabs = QTabWidget()
        self.tabs.addTab(_scrolling(_with_note(self.narrative)), "Nội dung báo cáo")
        self.tabs.addTab(_scrolling(_with_note(self.meeting)), "Họp xét")
        self.tabs.addTab(_scrolling(_with_note(self.numbers)), "Số, ngày, căn cứ")
        self.tabs.addTab(_scrolling(self._units_tab()), "Phiếu đơn vị")
        self.preview_tab = self._preview_tab()
        self.tabs.addTab(self.preview_tab, "Xem và in văn bản")
        layout = QVBoxLayout(self)
        layout.addWidget(self.locked_note)
        layout.addWidget(self.tabs)
        layout.addWidget(self.problem)
        self.document.currentIndexChanged.connect(lambda _index: self._update_buttons())
        self._update_buttons()

    def _preview_tab(self) -> QWidget:
        """Choose a document, generate it, read it in the preview, then print or save it."""
        self.readiness = QLabel()
        self.readiness.setWordWrap(True)
        self.readiness.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.readiness.setContentsMargins(8, 8, 8, 8)
        self.document = QComboBox()
        for key, (_builder, title) in DOCUMENTS.items():
            self.document.addItem(title, key)
        self.document.setToolTip("Văn bản cần tạo, xem trước, in hoặc lưu")
        self.level = QComboBox()
        self.level.addItem("Mức độ đạt đủ", None)
        self.level.addItem("Đề nghị mức độ 1", 1)
        self.level.addItem("Đề nghị mức độ 2", 2)
        self.level.setToolTip("Mức độ đề nghị công nhận ghi trong văn bản; \"Mức độ đạt đủ\" lấy theo kết quả "
                              "tự đánh giá")
        generate = QPushButton(GENERATE_TEXT)
        generate.setObjectName("primary")
        generate.clicked.connect(self.generate_preview)
        self.print_preview_button = QPushButton("Xem trước khi in…")
        self.print_preview_button.clicked.connect(self.print_preview)
        self.print_button = QPushButton("In…")
        self.print_button.clicked.connect(self.print_document)
        self.save_pdf_button = QPushButton("Lưu PDF…")
        self.save_pdf_button.clicked.connect(self.save_pdf)
        self.save_docx_button = QPushButton("Lưu Word…")
        self.save_docx_button.clicked.connect(self.save_docx)

        choice = QHBoxLayout()
        document_label, level_label = QLabel("Văn bản:"), QLabel("Mức độ:")
        document_label.setBuddy(self.document)
        level_label.setBuddy(self.level)
        choice.addWidget(document_label)
        choice.addWidget(self.document, 1)
        choice.addSpacing(8)
        choice.addWidget(level_label)
        choice.addWidget(self.level)
        actions = QHBoxLayout()
        actions.addWidget(generate)
        actions.addStretch(1)
        for button in (self.print_preview_button, self.print_button, self.save_pdf_button, self.save_docx_button):
            actions.addWidget(button)

        self.view = QPdfView()
        self.view.setDocument(self.pdf)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        empty = QLabel(f"Chọn văn bản rồi bấm \u201c{GENERATE_TEXT}\u201d để xem trước ở đây.",
                       alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        empty.setObjectName("muted")
        empty.setContentsMargins(24, 24, 24, 24)
        self.preview_stack = QStackedWidget()
        self.preview_stack.addWidget(empty)
        self.preview_stack.addWidget(self.view)

        readiness_area = _scrolling(self.readiness)
        readiness_area.setObjectName("card")
        readiness_area.setMinimumWidth(180)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(readiness_area)
        splitter.addWidget(self.preview_stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 500])
        splitter.setChildrenCollapsible(False)

        tab = QWidget()
        column = QVBoxLayout(tab)
        column.addLayout(choice)
        column.addLayout(actions)
        column.addWidget(splitter, 1)
        return tab

    def _units_tab(self) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        text = QLabel("Xuất cho mỗi đơn vị chủ trì một phiếu Excel chỉ gồm các chỉ tiêu được phân công. Khi đơn vị "
                      "gửi lại, nhập phiếu: ứng dụng kiểm tra toàn bộ phiếu, báo lỗi theo từng ô và chỉ ghi khi "
                      "phiếu hợp lệ.")
        text.setWordWrap(True)
        export_button = QPushButton("Xuất phiếu cho các đơn vị…")
        export_button.clicked.connect(self.export_workbooks)
        import_button = QPushButton("Nhập phiếu đơn vị đã điền…")
        import_button.clicked.connect(self.import_workbook)
        dossier_button = QPushButton("Tạo toàn bộ hồ sơ vào thư mục…")
        dossier_button.clicked.connect(self.export_all)
        layout.addWidget(text)
        for button in (export_button, import_button, dossier_button):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return widget

    # ------------------------------------------------------------------ refresh

    def _on_changes(self, changes: Changes) -> None:
        if (changes.documents or changes.indicators or changes.evidence or changes.profile or changes.checklist
                or changes.settings or changes.assignments or changes.years):
            self.request_load()  # now when on screen, else when next shown: the readiness check reads every
            # evidence item, and an edit elsewhere (a figure typed) must not wait for it

    def _load(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Reload the forms (leaving alone what is being typed) and the readiness list for the current year."""
        self._stale = False
        year = self.ctx.year
        if year is None:
            self.readiness.setText("Chưa có năm đánh giá.")
            return
        ws = self.ctx.ws

        def load(_progress: ProgressState) -> tuple[Any, ...]:
            meeting = doc_texts.review_meeting(ws, year)
            names = doc_texts.organisations(ws)
            composition = mt.composition_problems(meeting, names) if meeting else []
            return (year, ws.year(year).locked, doc_texts.document_texts(ws, year), default_recipients(ws.profile()),
                    meeting, doc_texts.meeting_draft(ws, year), names, composition, legal_base_lines(ws, year),
                    bases.pending_suggestions(ws, year), document_readiness(ws, year), document_notes(ws, year))

        run_in_background(load).success(self._loaded).failure(lambda e: show_error(self, e)).run()

    def _loaded(self, result: tuple[Any, ...]) -> None:
        (year, locked, texts, usual_recipients, meeting, draft, names, composition, printed, pending, problems,
         notes) = result
        if year != self.ctx.year:
            return  # read for a year no longer shown; the new year's reading follows
        self.fields.load(texts, subject=year)
        self.fields.set_read_only(locked)
        self.narrative.show_usual_recipients(usual_recipients)
        self._load_meeting(year, meeting, draft, names)
        self.meeting.show_composition(composition, draft.problem if draft else "")
        self.meeting.set_read_only(locked)
        self.numbers.load_bases(printed, pending)
        self.locked_note.setText(locked_notice(year) if locked else "")
        self.locked_note.setVisible(locked)
        self.show_readiness(problems, notes)

    #: Problems listed in the readiness panel; the rest are counted (the pre-flight list has them all).
    SHOWN_PROBLEMS = 25

    def show_readiness(self, problems: list[str], notes: list[str] | None = None) -> None:
        shown = [html.escape(p) for p in problems[:self.SHOWN_PROBLEMS]]
        if len(problems) > len(shown):
            shown.append(f"… và {len(problems) - len(shown)} việc khác (xem trang Hồ sơ, mục Chốt hồ sơ).")
        extra = "".join(f"<br>ⓘ {html.escape(n)}" for n in notes or [])
        if problems:
            self.readiness.setText("<b>Hồ sơ chưa hoàn chỉnh:</b><br>" + "<br>".join(f"• {p}" for p in shown) + extra)
            self.readiness.setStyleSheet("color: #8a4b00;")
        else:
            self.readiness.setText("<b>Hồ sơ đã đủ điều kiện in và gửi.</b>" + extra)
            self.readiness.setStyleSheet("color: #1b5e20;")

    def _update_buttons(self) -> None:
        ready = self._preview_path is not None
        for button in (self.print_preview_button, self.print_button, self.save_pdf_button):
            button.setEnabled(ready)
        self.save_docx_button.setEnabled(self.document.currentData() in DOCX_DOCUMENTS)

    # ------------------------------------------------------------------ saving what is typed

    def _text_change(self, key: str, text: str, _continuing: bool) -> Callable[[Workspace], Changes]:
        year = self.fields.subject
        return lambda ws: docs.set_document_texts(ws, year, {key: text})

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    _meeting_year: int | None = None
    _meeting_source: object = None  # the record or draft the form shows (or was stored as)
    _meeting_known: dict[str, Any] | None = None  # the form's content as loaded or last stored
    _meeting_in_flight = 0

    def _meeting_dirty(self) -> bool:
        return self._meeting_known is not None and self.meeting.to_json() != self._meeting_known

    def _load_meeting(self, year: int, meeting: mt.ReviewMeeting | None, draft: doc_texts.MeetingDraft | None,
                      names: tuple[str, ...]) -> None:
        """Show the year's meeting form, unless it is being typed in or what is stored is what it shows."""
        source = draft if draft is not None else meeting
        if year == self._meeting_year:
            typing = (self._meeting_dirty() or self.meeting_typing.pending() or self._meeting_in_flight
                      or self._meeting_has_focus())
            if typing or source == self._meeting_source:
                self.meeting.organisations = names
                return
        else:
            self.meeting_typing.end_burst()
        self._meeting_year, self._meeting_source = year, source
        self.meeting.load(draft.form if draft is not None else record_form(meeting), names)
        self._meeting_known = self.meeting.to_json()

    def _meeting_has_focus(self) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and self.meeting.isAncestorOf(focus)

    def _meeting_chosen(self) -> None:
        """A choice, a cell or the rows changed: stored at once."""
        self.meeting_typing.end_burst()
        self._store_meeting(False)

    def _store_meeting(self, _continuing: bool) -> None:
        form, year = self.meeting.to_json(), self._meeting_year
        if year is None or form == self._meeting_known:
            return
        self._meeting_known = form
        self._meeting_in_flight += 1
        saved: list[docs.MeetingSaved] = []

        def change(ws: Workspace) -> Changes:
            saved.append(docs.save_meeting_form(ws, year, form))
            return saved[0].changes

        def done(_changes: Changes) -> None:
            self._meeting_in_flight -= 1
            if year == self._meeting_year:
                self._meeting_source = saved[0].stored
                if isinstance(saved[0].stored, doc_texts.MeetingDraft):
                    self.meeting.show_composition([], saved[0].stored.problem)

        def failed(error: BaseException) -> None:
            self._meeting_in_flight -= 1
            if year == self._meeting_year and self._meeting_known == form:
                self._meeting_known = None  # not stored: the next save tries again
            show_error(self, error, "Chưa lưu được biên bản họp xét")

        self.ctx.submit(change, self, on_success=done, on_failure=failed)

    def flush(self) -> None:
        """Store everything typed on the page now (before the page, the year or the window changes)."""
        self.fields.flush()
        self.meeting_typing.end_burst()

    def unsaved(self) -> list[str]:
        """What was typed but refused (with the reason): closing the window asks before leaving it."""
        return self.fields.unsaved()

    def remove_base(self, position: int) -> None:
        self.ctx.submit(lambda ws: docs.remove_legal_basis(ws, position), self)

    def edit_organisations(self) -> None:
        dialog = OrganisationsDialog(self.meeting.organisations, self)
        if dialog.exec() == OrganisationsDialog.DialogCode.Accepted:
            names = dialog.names()
            self.ctx.submit(lambda ws: docs.set_organisations(ws, names), self)

    # ------------------------------------------------------------------ generating and preview

    def generate_preview(self) -> None:
        ws, year, key, level = self.ctx.ws, self.ctx.year, self.document.currentData(), self.level.currentData()
        if year is None:
            return
        path = self._preview_dir / f"{key}_{year}.pdf"
        (run_in_background(lambda _p: render_document_pdf(ws, year, key, path, level))
         .success(self.load_preview).failure(lambda e: show_error(self, e))
         .with_progress(self, "Đang tạo văn bản…", cancellable=False).run())

    def load_preview(self, path: Path) -> None:
        """Show a generated PDF in the preview pane."""
        self.pdf.close()
        self.pdf.load(str(path))
        self._preview_path = Path(path)
        self.preview_stack.setCurrentWidget(self.view)
        self.tabs.setCurrentWidget(self.preview_tab)
        self._update_buttons()

    def _printer_instance(self) -> QPrinter:
        """The page's printer, kept for the session (Qt print dialogs crash with a collected printer).

        Full-page mode: an A4 document prints at exactly 100 %, its own margins kept, whatever the
        printer's unprintable edge."""
        if self._printer is None:
            self._printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            self._printer.setFullPage(True)
            self._printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        self._printer.setDocName(self.document.currentText())
        match_orientation(self._printer, self.pdf)
        return self._printer

    def paint_pages(self, printer: QPrinter, progress: Progress | None = None) -> bool:
        """Print the previewed PDF at the printer's resolution; False when cancelled or the printer failed."""
        return print_pdf(self.pdf, printer, progress)

    def print_preview(self) -> PrintPreview:
        """Open "Xem trước khi in" on the already loaded document (pages drawn at screen resolution)."""
        dialog = PrintPreview(self.pdf, self.document.currentText(), lambda: self._print_from(dialog), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _print_from(self, preview: PrintPreview) -> None:
        if self.print_document():
            preview.accept()

    def print_document(self) -> bool:
        """Ask for the printer and pages, then print with a progress window that can cancel; True once printed."""
        printer = self._printer_instance()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("In văn bản")
        dialog.setMinMax(1, max(1, self.pdf.pageCount()))
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return False
        progress = QProgressDialog("Đang gửi văn bản tới máy in…", "Hủy", 0, self.pdf.pageCount(), self)
        progress.setWindowTitle("In văn bản")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def report(done: int, total: int) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            progress.setLabelText(f"Đang gửi trang {min(done + 1, total)}/{total} tới máy in…")
            QApplication.processEvents()
            return not progress.wasCanceled()

        printed = self.paint_pages(printer, report)
        cancelled = progress.wasCanceled()
        progress.close()
        if not printed and not cancelled:
            message_box(self, "Không in được", f"Máy in \"{printer.printerName() or printer.outputFileName()}\" "
                        "không nhận lệnh in. Hãy kiểm tra máy in đã bật và còn giấy, rồi thử lại.", kind="warning")
        return printed

    def save_pdf(self) -> None:
        key = self.document.currentData()
        target, _ = QFileDialog.getSaveFileName(self, "Lưu PDF", f"{key}_{self.ctx.year}.pdf", "Tệp PDF (*.pdf)")
        if not target:
            return
        ws, year, level = self.ctx.ws, self.ctx.year, self.level.currentData()
        if year is None:
            return
        (run_in_background(lambda _p: render_document_pdf(ws, year, key, Path(target), level))
         .success(lambda path: message_box(self, "Đã lưu", f"Đã lưu văn bản vào {path}."))
         .failure(lambda e: show_error(self, e)).run())

    def save_docx(self) -> None:
        key = self.document.currentData()
        target, _ = QFileDialog.getSaveFileName(self, "Lưu bản Word", f"{key}_{self.ctx.year}.docx",
                                                "Tài liệu Word (*.docx)")
        if not target:
            return
        ws, year, level = self.ctx.ws, self.ctx.year, self.level.currentData()
        if year is None:
            return
        (run_in_background(lambda _p: write_document_docx(ws, year, key, Path(target), level))
         .success(lambda path: message_box(self, "Đã lưu", f"Đã lưu bản Word vào {path}."))
         .failure(lambda e: show_error(self, e)).run())

    def export_all(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục lưu hồ sơ")
        if not folder:
            return
        from app.documents import write_all_documents

        ws, year, level = self.ctx.ws, self.ctx.year, self.level.currentData()
        if year is None:
            return
        (run_in_background(lambda progress: write_all_documents(ws, year, Path(folder), level, progress))
         .success(lambda written: message_box(self, "Đã tạo hồ sơ", f"Đã ghi {len(written)} tệp vào {folder}."))
         .failure(lambda e: show_error(self, e)).with_progress(self, "Đang tạo hồ sơ…").run())

    # ------------------------------------------------------------------ unit workbooks

    def export_workbooks(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục lưu phiếu thu thập")
        if not folder:
            return
        ws, year = self.ctx.ws, self.ctx.year
        if year is None:
            return
        (run_in_background(lambda progress: write_collection_workbooks(ws, year, Path(folder), progress=progress))
         .success(lambda written: message_box(self, "Đã xuất phiếu",
                                              "Đã xuất phiếu cho: " + ", ".join(written) + "."))
         .failure(lambda e: show_error(self, e)).with_progress(self, "Đang xuất phiếu…").run())

    def import_workbook(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Chọn phiếu đơn vị đã điền", "", "Sổ Excel (*.xlsx)")
        if not path:
            return
        ws, year = self.ctx.ws, self.ctx.year
        (run_in_background(lambda progress: import_collection_workbook(ws, Path(path), year, progress))
         .success(self._imported).failure(lambda e: show_error(self, e, "Không nhập được phiếu"))
         .with_progress(self, "Đang nhập phiếu…").run())

    def _imported(self, result: CollectionImport) -> None:
        self.ctx.apply(result.changes)
        if result.changed:
            text = f"Đã nhập phiếu của {result.unit}: cập nhật chỉ tiêu {', '.join(result.changed)}."
        else:
            text = f"Phiếu của {result.unit} không có gì thay đổi so với dữ liệu hiện có."
        message_box(self, "Đã nhập phiếu", text)


def _with_note(form: QWidget) -> QWidget:
    """A form with the line saying that it stores itself."""
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.addWidget(form)
    layout.addWidget(wrapped(SAVED_AS_TYPED, object_name="muted"))
    layout.addStretch(1)
    return widget


def _scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless scroll area: a short window scrolls the form instead of squeezing its fields."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area
