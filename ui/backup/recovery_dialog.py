"""The screen shown instead of a traceback when the database will not open: what happened, and the way back.

The main window calls it when opening fails:
    health = diagnose_database(path)
    if not health.ok:
        dialog = RecoveryDialog(path, health)
        if dialog.exec():
            path = dialog.restored_path  # the same path, now holding the restored backup
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QFrame, QVBoxLayout, QWidget

from app.backup.manifest import BackupInfo, read_backup_info
from app.backup.recovery import DatabaseHealth, diagnose_database, latest_good_backup, recover_from_backup
from app.backup.restore import DamagedBackupError
from app.errors import CdhtError
from app.text import format_local_time
from ui.backup.dialogs import _busy_bar, _heading, _note
from ui.dialogs import button_box
from ui.tasks import run_in_background, user_message

_SEARCHING = object()


class RecoveryDialog(QDialog):
    """Offer the newest good backup (or one the user picks) for a database that cannot be opened."""

    def __init__(self, db_path: Path, health: DatabaseHealth | None = None, parent: QWidget | None = None,
                 extra_roots: tuple[Path, ...] = ()) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.health = health or diagnose_database(self.db_path)
        self.extra_roots = extra_roots
        self.backup: BackupInfo | None = None
        self.restored_path: Path | None = None
        lost = self.health.status in ("missing", "empty")
        self.setWindowTitle("Không tìm thấy dữ liệu" if lost else "Không mở được dữ liệu")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("Không tìm thấy dữ liệu của xã" if lost else "Không mở được dữ liệu của xã"))
        layout.addWidget(_note(self.health.message))
        layout.addWidget(_note(
            "Đừng khai báo lại xã từ đầu: dữ liệu còn trong các bản sao lưu tự động. Hãy khôi phục bản sao lưu tốt "
            "gần nhất." if lost else
            "Dữ liệu chưa mất: ứng dụng tự sao lưu định kỳ. Hãy khôi phục bản sao lưu tốt gần nhất. "
            "Tệp bị hỏng không bị xóa mà được đổi tên và giữ lại bên cạnh để cán bộ kỹ thuật kiểm tra."))
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(box)
        self.backup_title = _heading("Đang tìm bản sao lưu tốt gần nhất…")
        self.backup_details = _note("")
        inner.addWidget(self.backup_title)
        inner.addWidget(self.backup_details)
        layout.addWidget(box)
        self.busy = _busy_bar()
        self.status = _note("")
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        if self.health.details:
            technical = _note("Chi tiết kỹ thuật: " + "; ".join(self.health.details[:3]))
            technical.setStyleSheet("color: #666;")
            layout.addWidget(technical)
        buttons = button_box(QDialogButtonBox.StandardButton.NoButton, self)
        self.restore_button = buttons.addButton("Khôi phục bản sao lưu này", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setDefault(True)
        self.restore_button.setEnabled(False)
        other = buttons.addButton("Chọn bản sao lưu khác…", QDialogButtonBox.ButtonRole.ActionRole)
        quit_button = buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.clicked.connect(self.start_restore)
        other.clicked.connect(self._choose_backup)
        quit_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.search()

    def search(self) -> None:
        """Find the newest backup whose every file checks out, in the background."""
        self.busy.show()
        data_dir, roots = self.db_path.parent, self.extra_roots
        run_in_background(lambda progress: latest_good_backup(data_dir, roots, progress), uses_db=False) \
            .success(self.show_backup).failure(lambda error: self.show_backup(None)).run()

    def show_backup(self, info: BackupInfo | None) -> None:
        self.busy.hide()
        self.backup = info
        if info is None:
            self.backup_title.setText("Không tìm thấy bản sao lưu dùng được trong thư mục dữ liệu")
            self.backup_details.setText("Nếu đã sao lưu ra ổ USB hoặc thư mục khác, hãy cắm ổ vào rồi bấm "
                                        "“Chọn bản sao lưu khác…”.")
        else:
            self.backup_title.setText(f"Bản sao lưu tốt gần nhất: {format_local_time(info.created_at)} ({info.kind_label.lower()})")
            self.backup_details.setText(f"{info.contents_text()}\n{info.path}")
        self.restore_button.setEnabled(info is not None)

    def _choose_backup(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Chọn tệp sao lưu (.zip) hoặc tệp backup.json trong thư mục sao lưu",
                                              "", "Bản sao lưu (*.zip backup.json)")
        if path:
            chosen = Path(path)
            try:
                self.show_backup(read_backup_info(chosen.parent if chosen.name == "backup.json" else chosen))
            except CdhtError as exc:
                self.status.setText(exc.message)

    def start_restore(self) -> None:
        if self.backup is None:
            return
        source, target = self.backup.path, self.db_path

        def work(progress: Any) -> Path:
            return recover_from_backup(source, target, progress)

        self.restore_button.setEnabled(False)
        self.busy.show()
        self.status.setText("Đang khôi phục và kiểm tra từng tệp…")
        run_in_background(work, uses_db=False).success(self._restored).failure(self._failed).run()

    def _restored(self, path: Path) -> None:
        self.busy.hide()
        self.restored_path = path
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.restore_button.setEnabled(True)
        self.status.setText(f"✘ {user_message(error)}")
        if isinstance(error, DamagedBackupError) and error.older is not None:
            self.show_backup(error.older)  # the next older good backup, ready to restore


__all__ = ["RecoveryDialog"]
