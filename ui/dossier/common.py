"""Small widgets and dialogs shared by the dossier page's tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

OK_COLOR, FAIL_COLOR = "#1b7f3b", "#b3261e"


def ask_text(parent: QWidget, title: str, label: str, secret: bool = False) -> str | None:
    """A one-line question with Vietnamese buttons (`secret`: a password or PIN, not shown); None when cancelled."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    if secret:
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    dialog.setOkButtonText("Đồng ý")
    dialog.setCancelButtonText("Hủy")
    return dialog.textValue() if dialog.exec() else None


def table(headers: list[str]) -> QTableWidget:
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(headers)
    widget.verticalHeader().setVisible(False)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    widget.setWordWrap(True)
    widget.resizeColumnsToContents()  # an empty table still shows every heading in full
    return widget


def fill(widget: QTableWidget, rows: list[list[str]]) -> None:
    widget.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            widget.setItem(r, c, QTableWidgetItem(value))
    widget.resizeColumnsToContents()
    widget.horizontalHeader().setSectionResizeMode(widget.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
    widget.resizeRowsToContents()


def note(text: str = "", color: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if color:
        label.setStyleSheet(f"color: {color}; font-weight: bold;")
    return label


def file_row(edit: QLineEdit, pattern: str) -> QWidget:
    """A path field with a "Chọn…" button that opens a file dialog starting from the current path."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    button = QPushButton("Chọn…")

    def pick() -> None:
        path, _ = QFileDialog.getOpenFileName(holder, "Chọn tệp", edit.text(), pattern)
        if path:
            edit.setText(path)

    button.clicked.connect(pick)
    row.addWidget(button)
    return holder
