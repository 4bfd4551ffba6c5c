"""`python -m ui.gallery OUT_DIR`: a PNG of every main screen and dialog, drawn from the demo commune.

Runs offscreen in a temporary data folder, so it never touches real data. Other parts of the app add
their own screens through `ui/<area>/gallery.py` modules exposing `shots(ctx) -> [(file_stem, widget)]`.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["LANG"] = "vi_VN.UTF-8"  # drawn as on a Vietnamese PC: Qt's file dialog dates and sizes follow the system

import importlib  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QTabWidget, QWidget  # noqa: E402

if TYPE_CHECKING:
    from ui.context import AppContext
    from ui.main_window import MainWindow

WINDOW_SIZE = (1366, 768)
_KEPT_ALIVE: list[object] = []  # what a shown Qt window acts on but does not own (a collected one crashes Qt)


def _settle() -> None:
    """Let layouts, queued work and the PDF views' background page rendering finish before the picture."""
    deadline = time.monotonic() + 0.15
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)


def save(widget: QWidget, path: Path) -> Path:
    """Show `widget` (at its size hint when it has no size yet), render it and save it as PNG."""
    if not widget.isVisible():
        if not widget.testAttribute(Qt.WidgetAttribute.WA_Resized):
            widget.adjustSize()
        widget.show()
    _settle()
    widget.grab().save(str(path))
    return path


def area_gallery_modules() -> list[str]:
    """`ui.<area>.gallery` modules other parts of the app provide."""
    root = Path(__file__).resolve().parent
    return sorted(f"ui.{folder.name}.gallery" for folder in root.iterdir()
                  if folder.is_dir() and (folder / "gallery.py").exists())


def main_screens(window: MainWindow, out: Path) -> list[Path]:
    from ui.main_window import PAGE_ASSIGNMENTS, PAGE_INDICATORS, PAGE_OVERVIEW

    files = []

    def shot(name: str, prepare: Callable[..., object], *args: object) -> None:
        prepare(*args)
        _settle()
        files.append(save(window, out / f"{name}.png"))

    shot("main-overview", lambda: window.show_page(PAGE_OVERVIEW))
    for indicator_id in ("1.2", "4.2", "5.1", "5.2"):
        shot(f"main-indicator-{indicator_id.replace('.', '-')}", window.open_indicator, indicator_id)
    shot("main-assignments", lambda: window.show_page(PAGE_ASSIGNMENTS))
    shot("main-assignments-filtered", lambda: window.assignments.set_unit_filter("Phòng Kinh tế"))
    window.assignments.set_unit_filter(None)
    for offset, name in enumerate(("evidence", "documents", "dossier")):
        index = PAGE_ASSIGNMENTS + 1 + offset
        shot(f"main-{name}", window.show_page, index)
        tabs = getattr(window.external_pages[offset].page(), "tabs", None)
        if isinstance(tabs, QTabWidget):
            for tab in range(1, tabs.count()):
                shot(f"main-{name}-tab-{tab + 1}", tabs.setCurrentIndex, tab)
            tabs.setCurrentIndex(0)
    window.dock.hide()
    shot("main-indicators-no-panel", lambda: window.open_indicator("5.1"))
    window.dock.show()
    window.show_page(PAGE_INDICATORS)
    return files


def full_length(widget: QWidget, width: int) -> QWidget:
    """Lay a scrollable page's content out at full height, for a whole-page picture."""
    widget.setFixedWidth(width)
    widget.adjustSize()
    widget.resize(width, max(widget.sizeHint().height(), widget.minimumSizeHint().height()))
    return widget


def dialogs(ctx: AppContext) -> list[tuple[str, QWidget]]:
    from ui.recognition_dialog import RecognitionDialog
    from ui.settings_dialog import SettingsDialog
    from ui.wizard import SetupWizard, StartDialog
    from ui.year_dialog import AddYearDialog

    result: list[tuple[str, QWidget]] = [("dialog-start", StartDialog())]
    wizard = SetupWizard()
    result.append(("dialog-wizard-1", wizard))
    settings = SettingsDialog(ctx)
    result.append(("dialog-settings-profile", settings))
    result += [("dialog-add-year", AddYearDialog(ctx)), ("dialog-recognition", RecognitionDialog(ctx))]
    return result + qt_windows()


def qt_windows() -> list[tuple[str, QWidget]]:
    """Qt's own windows as the app opens them — file and print dialogs, messages, password and progress windows,
    text-field menus, the calendar — so that their Vietnamese can be seen (and checked) too."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import (
        QCalendarWidget,
        QFileDialog,
        QInputDialog,
        QLineEdit,
        QMessageBox,
        QPlainTextEdit,
        QProgressDialog,
        QPushButton,
        QTextEdit,
    )

    from ui.dialogs import BUTTON_TEXTS

    folder = Path(tempfile.mkdtemp(prefix="cdht-gallery-files-"))
    (folder / "Hồ sơ năm 2025").mkdir()
    (folder / "to_trinh_2025.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "phieu_phong_kinh_te.xlsx").write_bytes(b"PK")
    result: list[tuple[str, QWidget]] = []
    for stem, title, mode in (("qt-file-open", "Chọn phiếu đơn vị đã điền", QFileDialog.FileMode.ExistingFile),
                              ("qt-file-save", "Lưu PDF", QFileDialog.FileMode.AnyFile),
                              ("qt-folder", "Chọn thư mục lưu hồ sơ", QFileDialog.FileMode.Directory)):
        files = QFileDialog(None, title, str(folder), "Tệp PDF (*.pdf);;Sổ Excel (*.xlsx)")
        files.setOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own dialog (Linux); Windows shows its own
        files.setFileMode(mode)
        files.setViewMode(QFileDialog.ViewMode.Detail)
        if stem == "qt-file-save":
            files.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        files.resize(800, 480)
        result.append((stem, files))
    for stem in ("qt-print", "qt-print-options"):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printing = QPrintDialog(printer)
        printing.setWindowTitle("In văn bản")
        _KEPT_ALIVE.append(printer)  # the dialog acts on the printer
        if stem == "qt-print-options":  # Qt's "Options >>" button shows the copies, range and duplex settings
            next(b for b in printing.findChildren(QPushButton) if b.text().endswith(">>")).click()
        result.append((stem, printing))
    box = QMessageBox(QMessageBox.Icon.Warning, "Không thực hiện được", "Không ghi được vào ổ USB: ổ đã đầy.",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    box.setDetailedText("Cần 120 MB, ổ USB còn 35 MB.")
    for standard, text in BUTTON_TEXTS.items():
        button = box.button(standard)
        if button is not None:
            button.setText(text)
    result.append(("qt-message-details", box))
    secret = QInputDialog()
    secret.setWindowTitle("Mật khẩu chứng thư số")
    secret.setLabelText("Mật khẩu của tệp chu-ky-so.p12:")
    secret.setTextEchoMode(QLineEdit.EchoMode.Password)
    result.append(("qt-input", secret))
    progress = QProgressDialog("Đang lập và ghi gói hồ sơ…", "Hủy", 0, 100)
    progress.setValue(40)
    result.append(("qt-progress", progress))
    for stem, field in (("qt-menu-line", QLineEdit("Đồng Tiến")), ("qt-menu-plain", QPlainTextEdit("Nội dung")),
                        ("qt-menu-rich", QTextEdit("Nội dung"))):
        menu = field.createStandardContextMenu()
        _KEPT_ALIVE.append(field)  # the menu acts on its field
        result.append((stem, menu))
    calendar = QCalendarWidget()
    calendar.setGridVisible(True)
    result.append(("qt-calendar", calendar))
    return result


def run(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="cdht-gallery-"))
    os.environ["CDHT_DATA_DIR"] = str(data)

    from app.demo import create_demo_workspace
    from ui.context import AppContext
    from ui.locations import demo_database
    from ui.main import create_application
    from ui.main_window import MainWindow
    from ui.pages.indicator_editor import IndicatorEditor
    from ui.settings_dialog import SettingsDialog
    from ui.widgets.checklist_panel import ChecklistPanel
    from ui.wizard import SetupWizard

    app = create_application([sys.argv[0]])
    ws = create_demo_workspace(demo_database(data))
    ctx = AppContext(ws, demo=True)
    window = MainWindow(ctx)
    window.resize(*WINDOW_SIZE)
    window.show()
    files = main_screens(window, out)

    editor = IndicatorEditor(ctx)
    editor.show_indicator("5.1")
    files.append(save(full_length(editor, 640), out / "part-indicator-editor-5-1-full.png"))
    panel = ChecklistPanel(ctx)
    panel.resize(420, 1500)
    files.append(save(panel, out / "part-checklist-panel-full.png"))

    for name, dialog in dialogs(ctx):
        files.append(save(dialog, out / f"{name}.png"))
        if name == "dialog-wizard-1" and isinstance(dialog, SetupWizard):
            dialog.next()
            files.append(save(dialog, out / "dialog-wizard-2.png"))
        if name == "dialog-settings-profile" and isinstance(dialog, SettingsDialog):
            for index, tab in enumerate(("deadline", "user", "folder"), start=1):
                dialog.tabs.setCurrentIndex(index)
                files.append(save(dialog, out / f"dialog-settings-{tab}.png"))
        dialog.close()

    for module_name in area_gallery_modules():
        try:
            module = importlib.import_module(module_name)
            for stem, widget in module.shots(ctx):
                files.append(save(widget, out / f"{stem}.png"))
                if isinstance(widget, QDialog):
                    widget.close()
        except Exception as error:  # noqa: BLE001 - one area's broken gallery must not stop the others
            print(f"Bỏ qua {module_name}: {error!r}", file=sys.stderr)
    window.close()
    ws.close()
    app.processEvents()
    return files


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("Cách dùng: python -m ui.gallery THƯ_MỤC_ẢNH", file=sys.stderr)
        return 2
    files = run(Path(args[0]))
    for path in files:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
