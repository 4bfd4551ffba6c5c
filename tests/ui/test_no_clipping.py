"""No clipped Vietnamese text: every page of the window at 1366×768 with the checklist open, and every dialog.

Walks every navigation page (and every tab of tabbed pages) of the demo commune's window and every main dialog
at its default size, and checks that the text of each visible button, tab, column heading, group box title,
combo box and unwrapped label fits in the space the layout gave it. A label or combo box may shorten its text with "…" on
purpose only when its tooltip holds the full text.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionComboBox,
    QTabBar,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.demo import create_demo_workspace
from ui.context import AppContext
from ui.locations import demo_database
from ui.main_window import MainWindow
from ui.tasks import wait_for_idle
from ui.widgets.combo import full_text_tooltip
from ui.widgets.elided_label import ElidedLabel

#: A 1366×768 laptop, and a 1920×1080 screen at 150% scaling (1280×720 logical pixels, common on office laptops).
WINDOW_SIZES = [(1366, 768), (1280, 720)]
ELLIPSIS = "…"


# ---------------------------------------------------------------------------------------------- the checker


def _name(widget: QWidget) -> str:
    names = []
    node: QWidget | None = widget
    while node is not None and len(names) < 4:
        names.append(node.objectName() or type(node).__name__)
        node = node.parentWidget()
    return "/".join(reversed(names))


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _text_width(widget: QWidget, text: str, rich: bool) -> int:
    """Width of the widest line of `text` drawn in `widget`'s font (rich text laid out as QLabel does)."""
    if rich:
        document = QTextDocument()
        document.setDefaultFont(widget.font())
        document.setDocumentMargin(0)
        document.setHtml(text)
        return int(document.idealWidth() + 0.999)
    metrics = QFontMetrics(widget.font())
    return max((metrics.horizontalAdvance(line) for line in text.splitlines() or [""]), default=0)


def _elided_on_purpose(text: str, tooltip: str) -> bool:
    """A text shortened with "…" (at the end or in the middle) whose tooltip holds the full text."""
    head, _, tail = text.partition(ELLIPSIS)
    return bool(tooltip) and tooltip.startswith(head.rstrip()) and tooltip.endswith(tail.lstrip())


def _label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text.strip() or label.wordWrap() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return None
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))
    needed = _text_width(label, text, rich) + max(label.indent(), 0) + 2 * label.margin()
    available = label.contentsRect().width()
    if ELLIPSIS in text and label.toolTip() and not _elided_on_purpose(text, label.toolTip()):
        return f"nhãn rút gọn {text!r} nhưng chú thích không chứa đủ chữ ({label.toolTip()!r})"
    if needed > available:
        return f"nhãn {text!r} cần {needed}px, chỉ có {available}px"
    return None


def _button_problem(button: QAbstractButton) -> str | None:
    text = button.text()
    if not text.strip():
        return None
    hint = button.sizeHint().width()
    if hint > button.width():
        return f"nút {_plain(text)!r} cần {hint}px, chỉ có {button.width()}px"
    return None


def _tab_problems(bar: QTabBar) -> list[str]:
    problems = []
    space = bar.style().pixelMetric(QStyle.PixelMetric.PM_TabBarTabHSpace, None, bar)
    metrics = QFontMetrics(bar.font())
    for index in range(bar.count()):
        if not bar.isTabVisible(index):
            continue
        text = _plain(bar.tabText(index))
        rect = bar.tabRect(index)
        needed = metrics.horizontalAdvance(text) + space
        if not bar.tabIcon(index).isNull():
            needed += bar.iconSize().width()
        if rect.width() < needed:
            problems.append(f"thẻ {text!r} cần {needed}px, chỉ có {rect.width()}px")
        elif rect.left() < 0 or rect.right() > bar.rect().right():
            problems.append(f"thẻ {text!r} nằm ngoài thanh thẻ (phải cuộn mới thấy)")
    return problems


def _header_problems(header: QHeaderView) -> list[str]:
    """Column headings must show in full (a heading may break onto a second line with "\\n")."""
    if header.orientation() != Qt.Orientation.Horizontal or header.model() is None:
        return []
    problems = []
    for index in range(header.count()):
        text = header.model().headerData(index, Qt.Orientation.Horizontal)
        if header.isSectionHidden(index) or not isinstance(text, str) or not text.strip():
            continue
        needed, given = header.sectionSizeHint(index), header.sectionSize(index)
        if given < needed:
            problems.append(f"cột {text!r} cần {needed}px, chỉ có {given}px")
    return problems


def _combo_problem(combo: QComboBox) -> str | None:
    """The longest item must fit, or the tooltip must follow the chosen item's full text."""
    texts = [combo.itemText(index) for index in range(combo.count())] + [combo.currentText()]
    longest = max(texts, key=QFontMetrics(combo.font()).horizontalAdvance)
    if not longest.strip():
        return None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    needed = QFontMetrics(combo.font()).horizontalAdvance(longest)
    if needed <= field.width() or combo.toolTip() == combo.currentText():
        return None
    return f"ô chọn: mục {longest!r} cần {needed}px, chỉ có {field.width()}px và chú thích không ghi đủ mục đang chọn"


def _group_problem(group: QGroupBox) -> str | None:
    if not group.title().strip():
        return None
    needed = group.minimumSizeHint().width()
    if needed > group.width():
        return f"khung {_plain(group.title())!r} cần {needed}px, chỉ có {group.width()}px"
    return None


def clipped_texts(root: QWidget) -> list[str]:
    """Every visible text under `root` (inclusive) that does not fit, as readable Vietnamese lines."""
    problems: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        if not widget.isVisible() or widget.width() <= 0:
            continue
        found: list[str | None] = []
        if isinstance(widget, QLabel):
            found.append(_label_problem(widget))
        elif isinstance(widget, QAbstractButton):
            found.append(_button_problem(widget))
        elif isinstance(widget, QTabBar):
            found.extend(_tab_problems(widget))
        elif isinstance(widget, QHeaderView):
            found.extend(_header_problems(widget))
        elif isinstance(widget, QComboBox):
            found.append(_combo_problem(widget))
        elif isinstance(widget, QGroupBox):
            found.append(_group_problem(widget))
        problems.extend(f"{_name(widget)}: {problem}" for problem in found if problem)
    return problems


def settle() -> None:
    wait_for_idle()
    for _ in range(3):
        QApplication.processEvents()


def problems_in_every_tab(root: QWidget, place: str) -> list[str]:
    """Problems under `root` as shown, then with each tab of each visible tab widget shown in turn (each once)."""
    settle()
    found = {problem: place for problem in clipped_texts(root)}
    for tabs in [t for t in root.findChildren(QTabWidget) if t.isVisible()]:
        current = tabs.currentIndex()
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            settle()
            for problem in clipped_texts(root):
                found.setdefault(problem, f"{place}, thẻ {tabs.tabText(index)!r}")
        tabs.setCurrentIndex(current)
        settle()
    return [f"{where}: {problem}" for problem, where in found.items()]


# ---------------------------------------------------------------------------------------------- the checker can fail


def test_the_checker_reports_clipped_texts_and_accepts_fitting_ones(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    squeezed_button = QPushButton("Tạo toàn bộ hồ sơ vào thư mục…")
    squeezed_button.setFixedWidth(60)
    squeezed_label = QLabel("Chức vụ người chủ trì cuộc họp xét")
    squeezed_label.setFixedWidth(60)
    fitting_label = QLabel("Xã")
    elided = QLabel("Kế hoạch xây…")
    elided.setToolTip("Kế hoạch xây dựng xã hội học tập năm 2026")
    wrong_tip = QLabel("Quyết định số…")
    wrong_tip.setToolTip("Kế hoạch")
    combo = QComboBox()
    combo.addItem("1.1 Tuyên truyền, phổ biến về ý nghĩa, tầm quan trọng của học tập suốt đời")
    combo.setFixedWidth(120)
    tabs = QTabWidget()
    tabs.setFixedWidth(150)
    tabs.tabBar().setUsesScrollButtons(True)
    for title in ("Nội dung báo cáo", "Họp xét", "Phiếu đơn vị"):
        tabs.addTab(QWidget(), title)
    path = ElidedLabel("C:/Users/Nguyễn Văn Bình/AppData/Local/CDHT/CDHT-xa/backups", Qt.TextElideMode.ElideMiddle)
    path.setFixedWidth(120)
    table = QTableWidget(0, 2)
    table.setHorizontalHeaderLabels(["Cơ quan ra quyết định", "Ghi chú"])
    table.horizontalHeader().resizeSection(0, 40)
    for widget in (squeezed_button, squeezed_label, fitting_label, elided, wrong_tip, combo, tabs, path, table):
        layout.addWidget(widget)
    host.show()
    settle()
    problems = "\n".join(clipped_texts(host))
    assert "Tạo toàn bộ hồ sơ" in problems and "Chức vụ người chủ trì" in problems
    assert "Phiếu đơn vị" in problems and "1.1 Tuyên truyền" in problems
    assert "'Xã'" not in problems and "Kế hoạch xây…" not in problems
    assert "Quyết định số…" in problems
    assert "Cơ quan ra quyết định" in problems and "Ghi chú" not in problems
    assert "backups" not in problems and ELLIPSIS in path.text() and path.toolTip() == path.full_text()

    full_text_tooltip(combo)
    squeezed_button.setMinimumWidth(0)
    squeezed_button.setMaximumWidth(16777215)
    settle()
    assert "1.1 Tuyên truyền" not in "\n".join(clipped_texts(host))
    assert "Tạo toàn bộ hồ sơ" not in "\n".join(clipped_texts(host))


# ---------------------------------------------------------------------------------------------- the window


@pytest.fixture
def demo_ctx(data_dir):
    ws = create_demo_workspace(demo_database(data_dir))
    ctx = AppContext(ws, demo=True)
    yield ctx
    wait_for_idle()
    ws.close()


@pytest.mark.parametrize("size", WINDOW_SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_every_page_fits_with_the_checklist_open(qtbot, demo_ctx, size) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    window.dock.show()
    settle()
    assert (window.width(), window.height()) == size
    problems: list[str] = []
    for row in range(window.nav.count()):
        window.show_page(row)
        settle()
        assert window.dock.isVisible()
        problems += problems_in_every_tab(window, f"Trang {window.nav.item(row).text()!r}")
    assert window.width() == size[0], f"một trang đòi cửa sổ rộng hơn {size[0]}px"
    assert not problems, "Chữ bị cắt:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------- the dialogs


def _settings(ctx):
    from ui.settings_dialog import SettingsDialog

    return SettingsDialog(ctx)


def _wizard(_ctx):
    from ui.wizard import SetupWizard

    return SetupWizard()


def _start(_ctx):
    from ui.wizard import StartDialog

    return StartDialog()


def _add_year(ctx):
    from ui.year_dialog import AddYearDialog

    return AddYearDialog(ctx)


def _recognition(ctx):
    from ui.recognition_dialog import RecognitionDialog

    return RecognitionDialog(ctx)


def _backup(ctx):
    from ui.backup.dialogs import BackupDialog

    return BackupDialog(ctx)


def _restore(ctx):
    from ui.backup.dialogs import RestoreDialog

    return RestoreDialog(ctx)


def _check(ctx):
    from ui.backup.dialogs import CheckDialog

    return CheckDialog(ctx)


DIALOGS = {"settings": _settings, "wizard": _wizard, "start": _start, "add-year": _add_year,
           "recognition": _recognition, "backup": _backup, "restore": _restore, "check": _check}


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_dialog_fits_at_its_default_size(qtbot, demo_ctx, name) -> None:
    dialog: QDialog = DIALOGS[name](demo_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    settle()
    problems = problems_in_every_tab(dialog, name)
    if name == "wizard":
        dialog.next()
        problems += problems_in_every_tab(dialog, "wizard, trang 2")
    dialog.close()
    assert not problems, "Chữ bị cắt:\n" + "\n".join(problems)
