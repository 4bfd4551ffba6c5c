"""No English from Qt on any screen or dialog the gallery shows (`python -m ui.gallery`, ui/*/gallery.py), and the
app runs in the vi_VN locale with Qt's own texts translated."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabBar,
    QWidget,
)

import ui.gallery as gallery
from ui.i18n import TRANSLATION_FILE, install_vietnamese

ROOT = Path(__file__).resolve().parents[2]

#: Qt's English defaults for the windows and menus the app shows (compared without "&" accelerators).
QT_ENGLISH = {
    # standard buttons, message boxes, wizard
    "OK", "Cancel", "Yes", "No", "Yes to All", "No to All", "Open", "Save", "Save All", "Close", "Apply", "Reset",
    "Help", "Discard", "Don't Save", "Retry", "Ignore", "Abort", "Restore Defaults", "Close without Saving",
    "Show Details...", "Hide Details...", "Next >", "< Back", "Next", "Back", "Finish", "Commit", "Done", "Continue",
    "Go Back", "Enter a value:",
    # text-field menus
    "Undo", "Redo", "Cut", "Copy", "Paste", "Delete", "Select All", "Copy Link Location",
    "Insert Unicode control character", "Step up", "Step down",
    # file dialog
    "Look in:", "File name:", "Files of type:", "Directory:", "Forward", "Parent Directory", "Go back", "Go forward",
    "Go to the parent directory", "Create New Folder", "Create a New Folder", "New Folder", "List View",
    "Detail View", "Change to list view mode", "Change to detail view mode", "Name", "Size", "Type", "Kind",
    "Date Modified", "Computer", "My Computer", "Folder", "File Folder", "Drive", "Recent Places", "Sidebar",
    "Show hidden files", "Rename", "Choose", "All Files (*)", "Unknown",
    # print dialog and print preview
    "Print", "Printer", "Properties", "Options >>", "Options <<", "Location:", "Type:", "Output file:",
    "Print to File (PDF)", "Local file", "Write PDF file", "Copies", "Copies:", "Collate", "Reverse", "Options",
    "Print range", "Print all", "Pages from", "to", "Pages", "Current Page", "Selection", "Page Set:", "All Pages",
    "Odd Pages", "Even Pages", "Output Settings", "Color Mode", "Color", "Grayscale", "Duplex Printing", "None",
    "Long side", "Short side", "Print Preview", "Next page", "Previous page", "First page", "Last page",
    "Fit width", "Fit page", "Zoom in", "Zoom out", "Portrait", "Landscape", "Page setup", "Page Setup",
    "Show single page", "Show facing pages", "Show overview of all pages", "Export to PDF", "Preview", "Form",
    # scroll bars and tab bars
    "Scroll here", "Scroll up", "Scroll down", "Scroll left", "Scroll right", "Page up", "Page down", "Top",
    "Bottom", "Left edge", "Right edge", "Scroll Left", "Scroll Right", "AM", "PM",
}
#: Month and weekday names in English (the calendar), from Qt's own "C" locale; short names ("Mon", "Thu") count
#: only as a whole text, since they are also Vietnamese syllables.
C_LOCALE, SHORT = QLocale.c(), QLocale.FormatType.ShortFormat
ENGLISH_DATE_WORDS = {C_LOCALE.monthName(m) for m in range(1, 13)} | {C_LOCALE.dayName(d) for d in range(1, 8)}
ENGLISH_DATES = ENGLISH_DATE_WORDS | {C_LOCALE.monthName(m, SHORT) for m in range(1, 13)} \
    | {C_LOCALE.dayName(d, SHORT) for d in range(1, 8)}
WORD = re.compile(r"[A-Za-z]+")


def shown(text: str) -> str:
    """A label as the eye reads it: accelerator "&" dropped, a menu's shortcut column cut off."""
    return text.split("\t")[0].replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def visible_texts(window: QWidget) -> set[str]:
    """Every text a user can see in `window`: labels, buttons, titles, tabs, list and table cells, headers,
    menu entries, placeholders and tooltips."""
    texts = {window.windowTitle(), window.toolTip()}
    widgets = [window, *window.findChildren(QWidget)]
    for widget in widgets:
        if widget is not window and not widget.isVisibleTo(window):
            continue
        texts.add(widget.toolTip())
        if isinstance(widget, QLabel | QAbstractButton):
            texts.add(widget.text())
        if isinstance(widget, QLineEdit):
            texts.update((widget.text(), widget.placeholderText()))
        if isinstance(widget, QGroupBox):
            texts.add(widget.title())
        if isinstance(widget, QComboBox):
            texts.update(widget.itemText(i) for i in range(widget.count()))
        if isinstance(widget, QTabBar):
            texts.update(widget.tabText(i) for i in range(widget.count()))
        if isinstance(widget, QMenu):
            texts.add(widget.title())
        for action in widget.actions():
            texts.update((action.text(), action.toolTip(), action.iconText()))
            if action.menu() is not None:
                texts.update(sub.text() for sub in action.menu().actions())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            texts |= _model_texts(widget)
    return {shown(text) for text in texts if text}


def _model_texts(view: QAbstractItemView) -> set[str]:
    model, root = view.model(), view.rootIndex()
    try:
        columns = model.columnCount(root)
    except TypeError:  # a list model keeps columnCount private: one column
        columns = 1
    rows = model.rowCount(root)
    texts = {str(model.headerData(i, Qt.Orientation.Horizontal) or "") for i in range(min(columns, 12))}
    texts.update(str(model.headerData(i, Qt.Orientation.Vertical) or "") for i in range(min(rows, 60)))
    for row in range(min(rows, 60)):
        for column in range(min(columns, 12)):
            value = model.index(row, column, root).data()
            if isinstance(value, str):
                texts.add(value)
    return texts


def english_in(texts: set[str]) -> set[str]:
    return {text for text in texts
            if text in QT_ENGLISH or text in ENGLISH_DATES or ENGLISH_DATE_WORDS & set(WORD.findall(text))}


def test_every_window_the_gallery_shows_is_free_of_qt_english(qapp, monkeypatch, tmp_path) -> None:
    seen: dict[str, set[str]] = {}
    real_save = gallery.save

    def save_and_read(widget: QWidget, path: Path) -> Path:
        result = real_save(widget, path)
        seen[path.stem] = visible_texts(widget)
        return result

    monkeypatch.setattr(gallery, "save", save_and_read)
    files = gallery.run(tmp_path / "shots")
    assert len(files) == len(seen) >= 50
    assert {"qt-file-open", "qt-file-save", "qt-folder", "qt-print", "qt-print-options", "qt-message-details",
            "qt-input", "qt-progress", "qt-menu-line", "qt-menu-plain", "qt-menu-rich", "qt-calendar",
            "dialog-wizard-1", "dialog-wizard-2", "documents_print_preview"} <= set(seen)
    leaks = {stem: sorted(english_in(texts)) for stem, texts in seen.items() if english_in(texts)}
    assert leaks == {}
    # the walk reads what is on screen: Qt's own texts are there, in Vietnamese
    assert {"Tên tệp:", "Loại tệp:", "Tìm trong:", "Tên", "Kích thước", "Ngày sửa", "Máy tính"} <= seen["qt-file-open"]
    assert {"Hoàn tác", "Làm lại", "Cắt", "Sao chép", "Dán", "Xóa", "Chọn tất cả"} <= seen["qt-menu-plain"]
    assert {"Máy in", "Thuộc tính", "Số bản:", "Xếp bộ", "In tất cả", "Từ trang"} <= seen["qt-print-options"]
    assert {"Thứ 2", "CN", "Tháng 11", "Tháng 12"} <= seen["qt-calendar"]
    assert {"Xem chi tiết…", "Đồng ý", "Hủy"} <= seen["qt-message-details"]
    assert {"Tiếp theo >", "Hủy"} <= seen["dialog-wizard-1"]


def test_the_walk_would_see_english(qapp) -> None:
    """The check can fail: an untranslated standard window shows the English it looks for."""
    from PySide6.QtWidgets import QFileDialog

    install_vietnamese(qapp)
    QApplication.removeTranslator(qapp.property("cdhtTranslator"))
    qapp.setProperty("cdhtTranslator", None)
    try:
        files = QFileDialog(None, "Chọn tệp", str(ROOT))
        files.setOption(QFileDialog.Option.DontUseNativeDialog)
        files.show()
        assert {"Look in:", "File name:", "Cancel"} <= english_in(visible_texts(files))
        files.close()
    finally:
        install_vietnamese(qapp)
    files = QFileDialog(None, "Chọn tệp", str(ROOT))
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    files.show()
    assert english_in(visible_texts(files)) == set()
    files.close()


def test_the_app_runs_in_vietnamese_locale(qapp) -> None:
    install_vietnamese(qapp)
    assert QLocale().name() == "vi_VN"
    assert QLocale().toString(1234567) == "1.234.567"
    assert QLocale().toString(QDate(2026, 11, 27), "d MMMM yyyy") == "27 tháng 11 2026"
    assert QApplication.translate("QPlatformTheme", "Cancel") == "Hủy"


def test_the_translation_builds_from_its_source_with_the_wheels_lrelease(tmp_path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "resources" / "i18n" / "build.py"), str(tmp_path)],
                          capture_output=True, text=True, check=True)
    built = Path(done.stdout.strip())
    assert built == tmp_path / "qt_vi.qm" and built.read_bytes() == TRANSLATION_FILE.read_bytes()
