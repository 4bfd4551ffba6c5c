"""Step 3 of the dossier page: build, sign and write the package to a USB drive or folder, or copy the latest one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.dossier import drives, records
from app.dossier.before_signing import check_before_signing, signing_key
from app.dossier.delivery import copy_package, export_package
from app.errors import InputError
from app.text import format_local_time, format_size
from ui.context import AppContext
from ui.dialogs import message_box
from ui.dossier.common import OK_COLOR, fill, note, table
from ui.dossier.signing_tab import SigningTab
from ui.tasks import run_in_background, show_error

if TYPE_CHECKING:
    from app.dossier.delivery import Delivered
    from app.progress import ProgressState


class ExportTab(QWidget):
    """Export to a USB drive or folder in the background, with progress and cancel; then "Có thể rút ổ USB ra"."""

    def __init__(self, ctx: AppContext, signing: SigningTab, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.signing = ctx, signing
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Chọn nơi ghi gói hồ sơ:"))
        self.targets = QListWidget()
        self.targets.setMaximumHeight(130)
        layout.addWidget(self.targets)
        row = QHBoxLayout()
        refresh = QPushButton("Tìm lại ổ USB")
        refresh.clicked.connect(self.refresh_drives)
        folder = QPushButton("Chọn thư mục khác…")
        folder.clicked.connect(self.choose_folder)
        self.level = QComboBox()
        self.level.addItem("Mức độ đề nghị: theo kết quả đánh giá", None)
        self.level.addItem("Mức độ 1", 1)
        self.level.addItem("Mức độ 2", 2)
        self.level.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        row.addWidget(refresh)
        row.addWidget(folder)
        row.addWidget(self.level)
        row.addStretch(1)
        layout.addLayout(row)
        actions = QHBoxLayout()
        self.build_button = QPushButton("Lập, ký và ghi gói hồ sơ")
        self.build_button.clicked.connect(self.export)
        self.copy_button = QPushButton("Chép lại gói đã lập (không lập lại)")
        self.copy_button.clicked.connect(self.copy_latest)
        actions.addWidget(self.build_button)
        actions.addWidget(self.copy_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.result = note(color=OK_COLOR)
        layout.addWidget(self.result)
        layout.addWidget(QLabel("Các gói đã lập:"))
        self.history = table(["Phiên bản", "Mức độ", "Lập lúc", "Cách ký", "Người ký", "Dung lượng", "Tệp"])
        layout.addWidget(self.history, 1)
        self.refresh_drives()

    def refresh_drives(self, extra: Path | None = None) -> None:
        current = [self.targets.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.targets.count())]
        self.targets.clear()
        for drive in drives.removable_drives():
            item = QListWidgetItem(f"🖴 {drive.describe()}")
            item.setData(Qt.ItemDataRole.UserRole, str(drive.path))
            self.targets.addItem(item)
        folders = [c for c in current if c and not any(c == d for d in self._drive_paths())]
        for folder in folders + ([str(extra)] if extra else []):
            item = QListWidgetItem(f"📁 {folder}")
            item.setData(Qt.ItemDataRole.UserRole, folder)
            self.targets.addItem(item)
        if self.targets.count() == 0:
            placeholder = QListWidgetItem("Chưa thấy ổ USB nào. Cắm ổ USB rồi bấm \"Tìm lại ổ USB\", hoặc chọn thư mục.")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.targets.addItem(placeholder)
        for index in range(self.targets.count()):
            if self.targets.item(index).data(Qt.ItemDataRole.UserRole):
                self.targets.setCurrentRow(index if extra is None else self.targets.count() - 1)
                break

    def _drive_paths(self) -> list[str]:
        return [str(d.path) for d in drives.removable_drives()]

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục ghi gói hồ sơ")
        if folder:
            self.refresh_drives(Path(folder))

    def target_folder(self) -> Path:
        item = self.targets.currentItem()
        if item is None or not item.data(Qt.ItemDataRole.UserRole):
            raise InputError("Hãy chọn ổ USB hoặc thư mục để ghi gói hồ sơ.")
        return Path(item.data(Qt.ItemDataRole.UserRole))

    def export(self) -> None:
        """Check everything that can be checked (year locked, key chosen, documents made) before asking for
        the password or PIN; then sign, write and verify the package in the background."""
        try:
            folder = self.target_folder()
        except InputError as error:
            show_error(self, error)
            return
        ws, year, level, settings = self.ctx.ws, self.ctx.year, self.level.currentData(), self.signing.settings()
        if year is None:
            return
        run_in_background(lambda progress: check_before_signing(ws, year, level, settings, progress)) \
            .success(lambda _checked: self._sign_and_write(folder, level, settings)) \
            .failure(lambda e: show_error(self, e, "Chưa thể ký và lập gói")) \
            .with_progress(self, "Đang kiểm tra hồ sơ trước khi ký…").run()

    def _sign_and_write(self, folder: Path, level: int | None, settings: records.SigningSettings) -> None:
        secret = self.signing.ask_for_secret(settings)
        if secret is None:
            return
        try:
            key = signing_key(settings, secret)
        except InputError as error:
            show_error(self, error)
            return
        ws, year = self.ctx.ws, self.ctx.year
        if year is None:
            return

        def work(progress: ProgressState) -> Delivered:
            from app.dossier.package import package_name

            target = folder / f"{package_name(ws, year, ws.year(year).package_version)}.zip"
            return export_package(ws, year, target, key, level=level, progress=progress)

        run_in_background(work).success(self._done).failure(lambda e: show_error(self, e)) \
            .with_progress(self, "Đang ký, lập và ghi gói hồ sơ…").run()

    def copy_latest(self) -> None:
        try:
            folder = self.target_folder()
        except InputError as error:
            show_error(self, error)
            return
        year = self.ctx.year
        if year is None:
            return

        def work(progress: ProgressState) -> Delivered:
            record = records.latest_package(self.ctx.ws, year)
            if record is None:
                raise InputError("Chưa có gói nào cho phiên bản hiện tại; hãy lập gói trước.")
            return copy_package(Path(record.path), folder, progress)

        run_in_background(work).success(self._done).failure(lambda e: show_error(self, e)) \
            .with_progress(self, "Đang chép gói hồ sơ…").run()

    def _done(self, delivered: Delivered) -> None:
        self.result.setText(delivered.message)
        self.ctx.apply(Changes(documents=True))
        message_box(self, "Đã ghi gói hồ sơ", delivered.message)

    def refresh(self) -> None:
        year = self.ctx.year
        run_in_background(lambda _p: records.packages(self.ctx.ws, year)).success(self._show_history).run()

    def _show_history(self, packages: list[records.PackageRecord]) -> None:
        fill(self.history, [[str(p.version), str(p.level), format_local_time(p.built_at),
                             records.SIGNING_METHODS[p.signing_method], p.signer, format_size(p.size), p.path]
                            for p in packages])
