"""Backup, restore and integrity-check dialogs. All work runs in the background through `app` services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.backup import create_backup, create_backup_zip, list_backups, restore_backup
from app.backup.create import backup_root, default_backup_root, stamp_name
from app.backup.manifest import BackupInfo, read_backup_info
from app.backup.recovery import diagnose_database
from app.changes import Changes
from app.errors import CdhtError, InputError
from app.paths import DATABASE_NAME
from app.services.integrity import IntegrityReport, RepairResult, check_workspace, repair_workspace
from app.storage.workspace import Workspace
from app.text import format_local_time, format_size
from ui.context import AppContext
from ui.dialogs import ask_yes_no, button_box
from ui.tasks import run_in_background, user_message
from ui.widgets.elided_label import ElidedLabel


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def _busy_bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setMaximumHeight(8)
    bar.hide()
    return bar


def _last_backup_text(ws: Workspace) -> str:
    backups = list_backups(backup_root(ws))
    if not backups:
        return "Chưa có bản sao lưu nào."
    last = backups[0]
    return f"Lần sao lưu gần nhất: {format_local_time(last.created_at)} ({last.kind_label.lower()}) — {last.contents_text()}."


class BackupDialog(QDialog):
    """Back up now, to the automatic backup folder or to a chosen folder / USB drive (optionally as one .zip)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_info: BackupInfo | None = None
        self.setWindowTitle("Sao lưu dữ liệu")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("Sao lưu dữ liệu và minh chứng"))
        layout.addWidget(_note(
            "Bản sao lưu gồm cơ sở dữ liệu và toàn bộ tệp minh chứng. Ứng dụng tự sao lưu khi đóng và sau mỗi "
            "30 phút có thay đổi; hãy sao lưu thêm ra ổ USB định kỳ để phòng khi máy hỏng hoặc bị thay."))
        self.last_label = _note(_last_backup_text(ctx.ws))
        layout.addWidget(self.last_label)

        grid = QGridLayout()
        self.default_choice = QRadioButton("Thư mục sao lưu tự động")
        self.other_choice = QRadioButton("Thư mục khác hoặc ổ USB")
        group = QButtonGroup(self)
        group.addButton(self.default_choice)
        group.addButton(self.other_choice)
        self.default_choice.setChecked(True)
        default_path = ElidedLabel(str(backup_root(ctx.ws)), Qt.TextElideMode.ElideMiddle)
        default_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText("Chưa chọn thư mục")
        self.folder_edit.setReadOnly(True)
        choose = QPushButton("Chọn…")
        choose.clicked.connect(self._choose_folder)
        self.zip_check = QCheckBox("Gói thành một tệp .zip (tiện chép sang máy khác)")
        grid.addWidget(self.default_choice, 0, 0)
        grid.addWidget(default_path, 0, 1, 1, 2)
        grid.addWidget(self.other_choice, 1, 0)
        grid.addWidget(self.folder_edit, 1, 1)
        grid.addWidget(choose, 1, 2)
        grid.addWidget(self.zip_check, 2, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)

        self.status = _note("")
        self.busy = _busy_bar()
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        layout.addStretch(1)
        buttons = button_box(QDialogButtonBox.StandardButton.Close, self)
        self.backup_button = buttons.addButton("Sao lưu ngay", QDialogButtonBox.ButtonRole.ActionRole)
        self.backup_button.setDefault(True)
        self.backup_button.clicked.connect(self.start_backup)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục hoặc ổ USB để sao lưu")
        if folder:
            self.set_folder(Path(folder))

    def set_folder(self, folder: Path) -> None:
        self.folder_edit.setText(str(folder))
        self.other_choice.setChecked(True)

    def _target(self) -> tuple[Path, bool]:
        if self.default_choice.isChecked():
            return backup_root(self.ctx.ws), False
        if not self.folder_edit.text():
            raise InputError("Hãy chọn thư mục hoặc ổ USB để đặt bản sao lưu.")
        return Path(self.folder_edit.text()), self.zip_check.isChecked()

    def start_backup(self) -> None:
        try:
            folder, as_zip = self._target()
        except CdhtError as exc:
            self.status.setText(exc.message)
            return
        ws = self.ctx.ws

        def work(progress: Any) -> BackupInfo:
            if as_zip:
                name = f"CDHT-sao-luu-{stamp_name(dt.datetime.now().astimezone())}.zip"
                return create_backup_zip(ws, folder / name, progress=progress)
            return create_backup(ws, folder, progress=progress)

        self.backup_button.setEnabled(False)
        self.busy.show()
        self.status.setText("Đang sao lưu…")
        run_in_background(work).success(self._done).failure(self._failed).run()

    def _done(self, info: BackupInfo) -> None:
        self.result_info = info
        self.busy.hide()
        self.backup_button.setEnabled(True)
        skipped = info.manifest.get("skipped", [])
        warning = (f"\nCảnh báo: {len(skipped)} tệp minh chứng bị mất hoặc bị thay đổi nên không được sao lưu; "
                   "hãy mở Kiểm tra dữ liệu.") if skipped else ""
        self.status.setText(f"✔ Đã sao lưu vào {info.path}\n{info.contents_text()}.{warning}")
        self.last_label.setText(_last_backup_text(self.ctx.ws))

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.backup_button.setEnabled(True)
        self.status.setText(f"✘ {user_message(error)}")


class RestoreDialog(QDialog):
    """Pick a backup, restore it into a new data folder and check it; `restored_path` is the new database.

    The data in use is never touched: the main window switches to `restored_path` after `exec()` accepts.
    """

    COLUMNS = ("Thời điểm", "Loại", "Xã", "Năm", "Minh chứng", "Dung lượng")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.restored_path: Path | None = None
        self.backups: list[BackupInfo] = []
        self.setWindowTitle("Khôi phục từ bản sao lưu")
        self.resize(820, 520)
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("Khôi phục từ bản sao lưu"))
        layout.addWidget(_note(
            "Dữ liệu được khôi phục vào một thư mục mới và được kiểm tra (mã băm từng tệp, tính toàn vẹn) trước "
            "khi dùng. Dữ liệu đang dùng không bị thay đổi."))
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        other = QPushButton("Chọn bản sao lưu khác (thư mục hoặc tệp .zip)…")
        other.clicked.connect(self._choose_backup)
        row = QHBoxLayout()
        row.addWidget(other)
        row.addStretch(1)
        layout.addLayout(row)

        target_row = QHBoxLayout()
        target_row.addWidget(QLabel("Khôi phục vào thư mục mới:"))
        self.target_edit = QLineEdit(str(self._default_target()))
        target_row.addWidget(self.target_edit, 1)
        choose = QPushButton("Chọn…")
        choose.clicked.connect(self._choose_target)
        target_row.addWidget(choose)
        layout.addLayout(target_row)
        self.busy = _busy_bar()
        self.status = _note("")
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        buttons = button_box(QDialogButtonBox.StandardButton.Cancel, self)
        self.restore_button = buttons.addButton("Khôi phục", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.clicked.connect(self.start_restore)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    def _default_target(self) -> Path:
        data = self.ctx.ws.data_dir
        return data.parent / f"{data.name}-khoi-phuc-{dt.datetime.now():%Y%m%d-%H%M}"

    def reload(self, extra: list[BackupInfo] | None = None) -> None:
        """List the backups of the automatic folder(s), newest first, plus any the user picked."""
        ws = self.ctx.ws
        found: dict[Path, BackupInfo] = {}
        for root in dict.fromkeys([backup_root(ws), default_backup_root(ws.data_dir)]):
            for info in list_backups(root):
                found[info.path] = info
        for info in extra or []:
            found[info.path] = info
        self.backups = sorted(found.values(), key=lambda b: b.created_at, reverse=True)
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            commune = f"{info.commune} ({info.province})" if info.commune else "—"
            cells = (format_local_time(info.created_at), info.kind_label, commune, ", ".join(map(str, info.years)) or "—",
                     str(info.evidence_count), format_size(info.size))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                if column in (4, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        if self.backups:
            self.table.selectRow(0)
        self.restore_button.setEnabled(bool(self.backups))
        if not self.backups:
            self.status.setText("Chưa có bản sao lưu nào trong thư mục sao lưu tự động. Hãy chọn bản sao lưu "
                                "trên ổ USB hoặc thư mục khác.")

    def select_backup(self, path: Path) -> None:
        """Add a backup folder or zip the user chose elsewhere, and select it."""
        info = read_backup_info(path)
        self.reload([*self.backups, info])
        self.table.selectRow(next(i for i, b in enumerate(self.backups) if b.path == info.path))

    def _choose_backup(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Chọn tệp sao lưu (.zip) hoặc tệp backup.json trong thư mục sao lưu",
                                              "", "Bản sao lưu (*.zip backup.json)")
        if not path:
            return
        chosen = Path(path)
        try:
            self.select_backup(chosen.parent if chosen.name == "backup.json" else chosen)
        except CdhtError as exc:
            self.status.setText(exc.message)

    def _choose_target(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục (trống) để khôi phục vào")
        if folder:
            self.target_edit.setText(folder)

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def start_restore(self) -> None:
        info = self.selected()
        if info is None:
            self.status.setText("Hãy chọn một bản sao lưu.")
            return
        target = Path(self.target_edit.text().strip()) / DATABASE_NAME

        def work(progress: Any) -> tuple[Path, IntegrityReport]:
            path = restore_backup(info.path, target, progress)
            health = diagnose_database(path)
            if not health.ok:
                raise InputError(health.message)
            restored = Workspace.open(path)
            try:
                return path, check_workspace(restored, progress)
            finally:
                restored.close()

        self.restore_button.setEnabled(False)
        self.busy.show()
        self.status.setText(f"Đang khôi phục bản sao lưu {format_local_time(info.created_at)} và kiểm tra…")
        run_in_background(work, uses_db=False).success(self._restored).failure(self._failed).run()

    def _restored(self, result: tuple[Path, IntegrityReport]) -> None:
        path, report = result
        self.busy.hide()
        self.restore_button.setEnabled(True)
        if not report.ok:
            self.status.setText("Đã khôi phục nhưng dữ liệu khôi phục chưa toàn vẹn, nên chưa chuyển sang dùng:\n"
                                + "\n".join(report.lines()))
            return
        self.restored_path = path
        self.status.setText(f"✔ Đã khôi phục và kiểm tra xong: {path}")
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.restore_button.setEnabled(True)
        self.status.setText(f"✘ {user_message(error)}")


class CheckDialog(QDialog):
    """Run the integrity check in the background, show the report, and repair what can be repaired."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, start: bool = True) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: IntegrityReport | None = None
        self.repair_result: RepairResult | None = None
        self.setWindowTitle("Kiểm tra dữ liệu")
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("Kiểm tra tính toàn vẹn của dữ liệu"))
        layout.addWidget(_note("Kiểm tra cơ sở dữ liệu, đối chiếu mã băm của từng tệp minh chứng và tìm tệp "
                               "thừa, liên kết hỏng. Việc kiểm tra không thay đổi dữ liệu."))
        self.summary = _heading("")
        self.busy = _busy_bar()
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        layout.addWidget(self.busy)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        buttons = button_box(QDialogButtonBox.StandardButton.Close, self)
        self.again_button = buttons.addButton("Kiểm tra lại", QDialogButtonBox.ButtonRole.ActionRole)
        self.repair_button = buttons.addButton("Sửa những gì sửa được", QDialogButtonBox.ButtonRole.ActionRole)
        self.repair_button.setEnabled(False)
        self.again_button.clicked.connect(self.start_check)
        self.repair_button.clicked.connect(self.start_repair)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if start:
            QTimer.singleShot(0, self.start_check)

    def _working(self, text: str) -> None:
        self.summary.setText(text)
        self.busy.show()
        self.again_button.setEnabled(False)
        self.repair_button.setEnabled(False)

    def start_check(self) -> None:
        self._working("Đang kiểm tra…")
        ws = self.ctx.ws
        run_in_background(lambda progress: check_workspace(ws, progress)).success(self.show_report) \
            .failure(self._failed).run()

    def show_report(self, report: IntegrityReport) -> None:
        self.report = report
        self.busy.hide()
        self.again_button.setEnabled(True)
        lines = report.lines()
        self.summary.setText(("✔ " if report.ok else "⚠ ") + lines[0])
        self.details.setPlainText("\n".join(line.strip() for line in lines[1:]) if not report.ok else
                                  "Cơ sở dữ liệu, chỉ mục, liên kết và mọi tệp minh chứng đều khớp.")
        self.repair_button.setEnabled(bool(report.fixable))

    def start_repair(self) -> None:
        if not ask_yes_no(self, "Sửa dữ liệu", "Ứng dụng sẽ sao lưu dữ liệu trước, rồi chỉ sửa những lỗi sửa được "
                                               "mà không phải phỏng đoán. Tiếp tục?"):
            return
        self.run_repair()

    def run_repair(self) -> None:
        self._working("Đang sửa…")
        ws, report = self.ctx.ws, self.report
        run_in_background(lambda progress: repair_workspace(ws, report, progress)).success(self._repaired) \
            .failure(self._failed).run()

    def _repaired(self, result: RepairResult) -> None:
        self.repair_result = result
        self.ctx.apply(Changes(evidence=True, checklist=True))
        self.show_report(result.remaining)
        self.details.setPlainText("\n".join(result.lines()))

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.again_button.setEnabled(True)
        self.summary.setText("✘ Không kiểm tra được")
        self.details.setPlainText(user_message(error))


__all__ = ["BackupDialog", "RestoreDialog", "CheckDialog"]
