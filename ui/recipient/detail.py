"""One commune's dossier for a year, opened from the register: its documents (PDF preview), evidence, the council's
appraisal of its figures, the verifier's report, and every version received."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import CdhtError
from app.recipient import contents
from app.recipient import register as reg
from app.recipient.verification import UNBOUND, VALID, VERDICT_LABELS, IntakeVerdict, report_lines
from app.recipient.workspace import RecipientWorkspace
from app.text import format_local_time, format_size
from ui.dialogs import button_box
from ui.recipient.appraisal_panel import AppraisalPanel
from ui.recipient.preview import FilePreview
from ui.tasks import run_in_background, show_error
from ui.widgets.verdict import wrapped

TAB_DOCUMENTS, TAB_EVIDENCE, TAB_APPRAISAL, TAB_REPORT, TAB_VERSIONS = range(5)


class FilesTab(QWidget):
    """A list of a package's files of one kind and a preview of the selected one."""

    def __init__(self, rws: RecipientWorkspace, package_id: int | None, kind: str, empty: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rws, self.package_id = rws, package_id
        self.list = QListWidget()
        self.list.setAccessibleName("Danh sách tệp trong gói")
        self.preview = FilePreview(empty)
        self.error = wrapped(object_name="error")
        self.error.hide()
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(self.preview)
        splitter.setSizes([260, 640])
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addWidget(splitter, 1)
        if package_id is not None:
            try:
                found = [e for e in contents.entries(rws, package_id) if e.kind == kind]
            except CdhtError as error:
                found = []
                self.error.setText(error.message)
                self.error.show()
            for entry in found:
                item = QListWidgetItem(f"{entry.file_name}  ({format_size(entry.size)})")
                item.setData(Qt.ItemDataRole.UserRole, entry.name)
                self.list.addItem(item)
        self.list.currentItemChanged.connect(self._selected)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _selected(self, item: QListWidgetItem | None) -> None:
        package_id = self.package_id
        if item is None or package_id is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        self.preview.show_file(None, "Đang mở…")
        (run_in_background(lambda _p: contents.take_out(self.rws, package_id, name), uses_db=False)
         .success(self.preview.show_file).failure(lambda e: self.preview.show_file(None, str(e))).run())


class CommuneDetail(QDialog):
    """Everything about one row of the register; `changed` runs after the council records something."""

    def __init__(self, rws: RecipientWorkspace, row: reg.RegisterRow, changed: Callable[[], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rws, self.row, self.changed = rws, row, changed or (lambda: None)
        self.setWindowTitle(f"Hồ sơ xã {row.commune} — năm {row.year}")
        self.package = reg.package(rws, row.package_id) if row.package_id else None
        title = QLabel(f"Xã {row.commune}, {row.province} — năm đánh giá {row.year}")
        title.setObjectName("pageTitle")
        self.status = wrapped(selectable=True)
        self.tabs = QTabWidget()
        self.tabs.addTab(FilesTab(rws, row.package_id, contents.DOCUMENTS, "Chọn một văn bản để xem."), "Văn bản")
        self.tabs.addTab(FilesTab(rws, row.package_id, contents.EVIDENCE, "Chọn một minh chứng để xem."), "Minh chứng")
        self.tabs.addTab(self._appraisal_tab(), "Số liệu và thẩm định")
        self.tabs.addTab(self._report_tab(), "Kết quả kiểm tra gói")
        self.tabs.addTab(self._versions_tab(), "Các phiên bản đã nhận")
        buttons = button_box(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(1180, 740)
        self._status_text()

    def _status_text(self) -> None:
        row, package = self.row, self.package
        if package is None:
            self.status.setText("Chưa nhận được hồ sơ của xã cho năm này.")
            return
        late = " — <b>nộp sau hạn</b>" if package.late else ""
        self.status.setText(
            f"<b>{row.status_label}</b> — gói phiên bản {package.version}, {format_size(package.size)}, nhận lúc "
            f"{format_local_time(package.received_at)}{late}<br>{VERDICT_LABELS[package.verdict]}: {package.summary}")

    def _appraisal_tab(self) -> QWidget:
        package = self.package
        if package is None or package.verdict != VALID:
            text = ("Chưa có hồ sơ hợp lệ để thẩm định." if package is None or package.verdict != UNBOUND else
                    "Chưa xác nhận được người ký gói là xã; chỉ thẩm định sau khi xác nhận (xem tab Kết quả kiểm tra gói).")
            return wrapped(text)
        self.appraisal = AppraisalPanel(self.rws, package.id, self._on_change)
        return self.appraisal

    def _on_change(self) -> None:
        self.row = next((r for r in reg.register_rows(self.rws, self.row.year) if r.commune_id == self.row.commune_id),
                        self.row)
        self._status_text()
        self.changed()

    def _report_tab(self) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        text = QPlainTextEdit()
        text.setReadOnly(True)
        text.setAccessibleName("Kết quả kiểm tra gói")
        if self.package is not None:
            record = reg.package_record(self.rws, self.package.id)
            lines = [f"Tệp: {self.package.source_ref}", f"SHA-256 của gói: {self.package.sha256}",
                     f"Người ký: {self.package.signer or 'không rõ'}",
                     f"Mã chứng thư người ký (SHA-256): {self.package.signer_fingerprint or '—'}", ""]
            text.setPlainText("\n".join(lines + report_lines(record["report"])))
        layout.addWidget(text, 1)
        if self.package is not None and self.package.verdict == UNBOUND:
            confirm = QPushButton("Xác nhận người ký là xã…")
            confirm.setToolTip("Chỉ khi đã đối chiếu mã chứng thư với xã (qua điện thoại, công văn)")
            confirm.clicked.connect(self._confirm_signer)
            layout.addWidget(confirm, 0, Qt.AlignmentFlag.AlignLeft)
        return widget

    def _confirm_signer(self) -> None:
        from app.recipient.intake import confirm_signer

        if self.package is None:
            return
        package_id = self.package.id
        fingerprint, ok = QInputDialog.getText(
            self, "Xác nhận người ký", f"Nhập mã chứng thư (SHA-256) mà xã {self.row.commune} đọc cho bạn:")
        if not ok:
            return

        def done(_verdict: IntakeVerdict) -> None:
            self.package = reg.package(self.rws, package_id)
            self._on_change()
            self.tabs.removeTab(TAB_REPORT)
            self.tabs.insertTab(TAB_REPORT, self._report_tab(), "Kết quả kiểm tra gói")

        (run_in_background(lambda _p: confirm_signer(self.rws, package_id, fingerprint)).success(done)
         .failure(lambda e: show_error(self, e, "Không xác nhận được người ký")).run())

    def _versions_tab(self) -> QWidget:
        found = reg.packages(self.rws, self.row.commune_id, self.row.year)
        current = reg.current_package_id(self.rws, self.row.commune_id, self.row.year)
        table = QTableWidget(len(found), 6)
        table.setHorizontalHeaderLabels(("Phiên bản", "Nhận lúc", "Nguồn", "Kết quả kiểm tra", "Nhận trùng", "Ghi chú"))
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row, package in enumerate(found):
            duplicates = sum(1 for r in reg.receipts(self.rws, package.id) if r["duplicate"])
            note = "Đang dùng" if package.id == current else (
                "Đã được thay bằng phiên bản mới" if package.verdict == VALID else "Lưu hồ sơ")
            cells = (str(package.version), format_local_time(package.received_at), package.source_ref,
                     VERDICT_LABELS[package.verdict] + (" — sau hạn" if package.late else ""),
                     str(duplicates) if duplicates else "", note)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(package.summary if column == 3 else text)
                table.setItem(row, column, item)
        table.resizeColumnsToContents()
        return table



__all__ = ["CommuneDetail"]
