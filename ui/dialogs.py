"""Message boxes and standard buttons in Vietnamese (Qt ships no Vietnamese translation of its own)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget

BUTTON_TEXTS = {
    QMessageBox.StandardButton.Ok: "Đồng ý",
    QMessageBox.StandardButton.Cancel: "Hủy",
    QMessageBox.StandardButton.Yes: "Có",
    QMessageBox.StandardButton.No: "Không",
    QMessageBox.StandardButton.Close: "Đóng",
    QMessageBox.StandardButton.Save: "Lưu",
    QMessageBox.StandardButton.Discard: "Không lưu",
    QMessageBox.StandardButton.Retry: "Thử lại",
    QMessageBox.StandardButton.Open: "Mở",
    QMessageBox.StandardButton.Apply: "Áp dụng",
    QMessageBox.StandardButton.Reset: "Đặt lại",
    QMessageBox.StandardButton.Help: "Trợ giúp",
}

DIALOG_BUTTON_TEXTS = {
    QDialogButtonBox.StandardButton.Ok: "Đồng ý",
    QDialogButtonBox.StandardButton.Cancel: "Hủy",
    QDialogButtonBox.StandardButton.Yes: "Có",
    QDialogButtonBox.StandardButton.No: "Không",
    QDialogButtonBox.StandardButton.Close: "Đóng",
    QDialogButtonBox.StandardButton.Save: "Lưu",
    QDialogButtonBox.StandardButton.Apply: "Áp dụng",
    QDialogButtonBox.StandardButton.Reset: "Đặt lại",
    QDialogButtonBox.StandardButton.Help: "Trợ giúp",
    QDialogButtonBox.StandardButton.Open: "Mở",
    QDialogButtonBox.StandardButton.Discard: "Không lưu",
    QDialogButtonBox.StandardButton.RestoreDefaults: "Khôi phục mặc định",
}


def translate_buttons(box: QDialogButtonBox) -> QDialogButtonBox:
    """Give a button box's standard buttons their Vietnamese texts."""
    for standard, text in DIALOG_BUTTON_TEXTS.items():
        button = box.button(standard)
        if button is not None:
            button.setText(text)
    return box


def button_box(buttons: QDialogButtonBox.StandardButton, parent: QWidget | None = None) -> QDialogButtonBox:
    return translate_buttons(QDialogButtonBox(buttons, parent))


def _box(parent: QWidget | None, title: str, text: str, icon: QMessageBox.Icon,
         buttons: QMessageBox.StandardButton) -> QMessageBox:
    box = QMessageBox(icon, title, text, buttons, parent)
    for standard, label in BUTTON_TEXTS.items():
        button = box.button(standard)
        if button is not None:
            button.setText(label)
    return box


def message_box(parent: QWidget | None, title: str, text: str, kind: str = "info") -> None:
    icon = {"info": QMessageBox.Icon.Information, "warning": QMessageBox.Icon.Warning,
            "error": QMessageBox.Icon.Critical}[kind]
    _box(parent, title, text, icon, QMessageBox.StandardButton.Ok).exec()


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    box = _box(parent, title, text, QMessageBox.Icon.Question,
               QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def confirm(parent: QWidget | None, title: str, text: str, action: str) -> bool:
    """Ask before a weighty step; the buttons name the action ("Chốt hồ sơ") and "Hủy", which is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    accept = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton("Hủy", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is accept
