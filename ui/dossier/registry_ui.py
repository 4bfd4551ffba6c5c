"""The recipient's register of communes on screen: list, add by hand, remove, import and export.

Everything goes through `app.dossier.registry` (the same functions as `cdht registry`), in the background.
Adding a package's signer (trust on first use) is offered by the verify tab, only after a check and a question.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.dossier import registry
from app.progress import ProgressState
from ui.dialogs import ask_yes_no, button_box
from ui.tasks import run_in_background, show_error


class FittingLabel(QLabel):
    """A wrapping, selectable label that always gets the height its text needs, also inside tab widgets (which
    do not pass height-for-width on to their pages): a long verdict is never cut to one line."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _fit(self) -> None:
        self.setMinimumHeight(self.heightForWidth(max(self.width(), 1)) if self.text() else 0)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()


class CommuneDialog(QDialog):
    """A commune to add to the register: name, province, its certificate (file or fingerprint), contact."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Thêm xã vào sổ đăng ký")
        form = QFormLayout(self)
        self.commune = QLineEdit()
        self.commune.setPlaceholderText("ví dụ: Đồng Tiến")
        self.province = QLineEdit()
        self.province.setPlaceholderText("ví dụ: Thái Nguyên")
        self.certificate = QLineEdit()
        self.certificate.setPlaceholderText("tệp chứng thư (.pem/.cer/.crt) xã gửi qua công văn hoặc thư")
        pick = QPushButton("Chọn…")
        pick.clicked.connect(self._pick)
        row = QHBoxLayout()
        row.addWidget(self.certificate, 1)
        row.addWidget(pick)
        self.fingerprint = QLineEdit()
        self.fingerprint.setPlaceholderText("hoặc dấu vân tay SHA-256 (64 chữ số hệ 16)")
        self.contact = QLineEdit()
        self.contact.setPlaceholderText("địa chỉ thư hoặc số điện thoại")
        form.addRow("Tên xã:", self.commune)
        form.addRow("Tỉnh/thành phố:", self.province)
        form.addRow("Chứng thư:", row)
        form.addRow("Dấu vân tay:", self.fingerprint)
        form.addRow("Liên hệ:", self.contact)
        buttons = button_box(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.buttons = buttons

    def _pick(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Chọn tệp chứng thư", self.certificate.text(),
                                              "Chứng thư (*.pem *.cer *.crt *.der)")
        if path:
            self.certificate.setText(path)


class RegistryBox(QGroupBox):
    """The register's communes with their confirmed certificates; `changed` after every saved change."""

    changed = Signal()

    def __init__(self, path: Callable[[], Path], parent: QWidget | None = None) -> None:
        super().__init__("Sổ đăng ký xã của nơi nhận", parent)
        self.path = path
        layout = QVBoxLayout(self)
        layout.addWidget(FittingLabel("Người ký được xác nhận là xã khi chứng thư ghi đúng tên xã và tỉnh, hoặc khi dấu "
                                      "vân tay chứng thư có trong sổ này. Chỉ thêm chứng thư đã xác minh với xã "
                                      "(công văn, điện thoại)."))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Xã", "Tỉnh/thành phố", "Chứng thư (SHA-256)", "Liên hệ"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("Thêm xã…")
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton("Xóa xã đã chọn")
        self.remove_button.clicked.connect(self.remove)
        self.import_button = QPushButton("Nhập sổ…")
        self.import_button.clicked.connect(self.import_file)
        self.export_button = QPushButton("Xuất sổ…")
        self.export_button.clicked.connect(self.export_file)
        for button in (self.add_button, self.remove_button, self.import_button, self.export_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = FittingLabel()
        layout.addWidget(self.status)
        self.entries: list[registry.CommuneEntry] = []

    def refresh(self) -> None:
        path = self.path()
        run_in_background(lambda _p: registry.load_registry(path), uses_db=False).success(self._show) \
            .failure(lambda e: self.status.setText(str(getattr(e, "message", e)))).run()

    def _show(self, loaded: registry.Registry) -> None:
        self.entries = sorted(loaded.entries, key=lambda e: (e.province, e.commune))
        self.table.setRowCount(len(self.entries))
        for r, entry in enumerate(self.entries):
            prints = "\n".join(entry.fingerprints) or "(chưa có)"
            for c, value in enumerate((entry.commune, entry.province, prints, entry.contact)):
                item = QTableWidgetItem(value)
                if c == 2 and entry.note:
                    item.setToolTip(entry.note)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()

    def _saved(self, text: str) -> None:
        self.status.setText(text)
        self.refresh()
        self.changed.emit()

    def make_dialog(self) -> CommuneDialog:
        return CommuneDialog(self)

    def add(self) -> None:
        dialog = self.make_dialog()
        if not dialog.exec():
            return
        path = self.path()
        commune, province = dialog.commune.text(), dialog.province.text()
        certificate, fingerprint, contact = dialog.certificate.text().strip(), dialog.fingerprint.text().strip(), \
            dialog.contact.text()

        def work(_p: ProgressState) -> registry.CommuneEntry:
            prints = ([fingerprint] if fingerprint else []) + (registry.fingerprints_of(Path(certificate))
                                                               if certificate else [])
            return registry.add_commune(path, commune, province, prints, contact)

        run_in_background(work, uses_db=False).success(
            lambda entry: self._saved(f"Đã lưu xã {entry.commune} ({entry.province}) vào sổ đăng ký.")) \
            .failure(lambda e: show_error(self, e)).run()

    def remove(self) -> None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.entries):
            self.status.setText("Hãy chọn một xã trong bảng trước.")
            return
        entry = self.entries[row]
        if not ask_yes_no(self, "Xóa xã khỏi sổ", f"Xóa xã {entry.commune} ({entry.province}) và các chứng thư đã "
                                                  "xác nhận của xã khỏi sổ đăng ký?"):
            return
        path = self.path()
        run_in_background(lambda _p: registry.remove_commune(path, entry.commune, entry.province), uses_db=False) \
            .success(lambda _r: self._saved(f"Đã xóa xã {entry.commune} ({entry.province}) khỏi sổ đăng ký.")) \
            .failure(lambda e: show_error(self, e)).run()

    def import_file(self) -> None:
        source, _ = QFileDialog.getOpenFileName(self, "Nhập sổ đăng ký xã", "", "Sổ đăng ký (*.json)")
        if not source:
            return
        path = self.path()
        run_in_background(lambda _p: registry.import_registry(path, Path(source)), uses_db=False).success(
            lambda s: self._saved(f"Đã gộp sổ '{Path(source).name}': thêm {s.added} xã, cập nhật {s.updated} xã, "
                                  f"{s.unchanged} xã không đổi.")).failure(lambda e: show_error(self, e)).run()

    def export_file(self) -> None:
        target, _ = QFileDialog.getSaveFileName(self, "Xuất sổ đăng ký xã", registry.REGISTRY_FILE,
                                                "Sổ đăng ký (*.json)")
        if not target:
            return
        path = self.path()
        run_in_background(lambda _p: registry.export_registry(path, Path(target)), uses_db=False).success(
            lambda count: self.status.setText(f"Đã ghi {count} xã ra '{target}'.")) \
            .failure(lambda e: show_error(self, e)).run()
