"""Keyboard use: Tab pane by pane, F6 / Ctrl+Tab between panes, Tab leaving text boxes and tables, checklist links
opened by Enter or the space bar, and a focus ring that can be seen on every kind of control."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QPlainTextEdit, QPushButton, QRadioButton, QWidget

from tests.ui.conftest import open_main_window, type_text
from tests.ui.journey import settle
from ui.main_window import PAGE_INDICATORS, MainWindow
from ui.theme import FOCUS, FOCUS_ON_DARK


@pytest.fixture
def window(qtbot, ctx) -> MainWindow:
    return open_main_window(qtbot, ctx)


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> QWidget | None:
    QTest.keyClick(QApplication.focusWidget(), key, modifier)
    return QApplication.focusWidget()


def test_tab_goes_from_the_tree_to_the_indicators_fields_before_the_checklist(qtbot, window) -> None:
    window.open_indicator("1.2")
    settle(qtbot)
    tree, editor, dock = window.indicators.tree, window.indicators.editor, window.dock
    assert QApplication.focusWidget() is tree
    first = press(Qt.Key.Key_Tab)
    assert editor.isAncestorOf(first) and isinstance(first, QRadioButton), first  # not one of 31 checklist links
    seen = [first]
    for _ in range(200):
        widget = press(Qt.Key.Key_Tab)
        if dock.isAncestorOf(widget):
            break
        seen.append(widget)
    assert all(window.stack.isAncestorOf(w) for w in seen)  # the page's fields, then the side panel
    assert any(isinstance(w, QPlainTextEdit) for w in seen)  # text boxes passed Tab on
    assert editor.audit_view in seen  # and so did the history table
    back = press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert back is seen[-1]


def test_f6_and_ctrl_tab_move_between_panes_and_back_to_where_the_focus_was(qtbot, window) -> None:
    window.open_indicator("5.1")
    settle(qtbot)
    achieved = window.indicators.editor._bindings["achieved"].widget
    achieved.setFocus()
    pane = press(Qt.Key.Key_F6)
    assert window.dock.isAncestorOf(pane)
    pane = press(Qt.Key.Key_F6)
    assert not any(p.isAncestorOf(pane) for p in (window.nav, window.stack, window.dock))  # the toolbar
    assert press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier) is window.nav
    assert press(Qt.Key.Key_F6) is achieved  # back to the field the focus left
    assert press(Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier) is window.nav


def test_ctrl_tab_types_a_tab_in_a_text_box_and_tab_moves_on(qtbot, window) -> None:
    window.open_indicator("1.1")
    settle(qtbot)
    box = window.indicators.editor._bindings["description"].widget
    type_text(box, "Thôn")
    QTest.keyClick(box, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    type_text(box, "Đông")
    assert box.toPlainText() == "Thôn\tĐông" and QApplication.focusWidget() is box
    assert press(Qt.Key.Key_Tab) is not box and box.toPlainText() == "Thôn\tĐông"


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Space])
def test_enter_or_space_on_a_checklist_link_opens_the_indicator_and_shows_it_in_the_tree(qtbot, window, key) -> None:
    link = window.checklist._names["5.2"].link
    link.setFocus()
    assert link.focusPolicy() & Qt.FocusPolicy.TabFocus
    QTest.keyClick(link, key)
    settle(qtbot)
    tree = window.indicators.tree
    assert window.nav.currentRow() == PAGE_INDICATORS and window.indicators.editor.indicator.id == "5.2"
    item = tree.currentItem()
    assert tree.current_indicator() == "5.2" and tree.viewport().rect().contains(tree.visualItemRect(item))


def ring(widget: QWidget) -> tuple[str, str]:
    """The colours of the two outermost pixel columns at the widget's left edge, half way down."""
    image = widget.grab().toImage()
    y = image.height() // 2
    return QColor(image.pixel(0, y)).name(), QColor(image.pixel(1, y)).name()


@pytest.mark.parametrize("make", [
    QLineEdit, QPlainTextEdit, lambda: QPushButton("Lưu"), lambda: QCheckBox("Vùng khó khăn"),
    lambda: _primary("Nhập tệp…")], ids=["line", "text", "button", "checkbox", "primary"])
def test_every_kind_of_control_shows_a_2px_focus_ring(qtbot, make) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    control, other = make(), QLineEdit()
    control.setParent(host)
    other.setParent(host)
    control.setGeometry(10, 10, 200, 40)
    other.setGeometry(10, 60, 200, 30)
    with qtbot.waitActive(host):
        host.show()
        host.activateWindow()
    other.setFocus()
    QApplication.processEvents()
    assert ring(control) != (FOCUS, FOCUS)
    control.setFocus()
    QApplication.processEvents()
    assert ring(control) == (FOCUS, FOCUS)


def _primary(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("primary")
    return button


def test_the_navigation_list_checklist_links_and_tab_bars_show_the_focus(qtbot, window) -> None:
    from PySide6.QtGui import QImage

    def has(widget: QWidget, colour: str) -> bool:
        image: QImage = widget.grab().toImage()
        return any(QColor(image.pixel(x, y)).name() == colour
                   for x in range(0, image.width(), 1) for y in range(0, image.height(), 3))

    window.nav.setFocus()
    QApplication.processEvents()
    assert has(window.nav, FOCUS_ON_DARK)
    link = window.checklist._names["1.1"].link
    assert not has(link, FOCUS)
    link.setFocus()
    QApplication.processEvents()
    assert has(link, FOCUS)
    window.show_page(4)
    settle(qtbot)
    bar = window.external_pages[1].page().tabs.tabBar()
    bar.setFocus()
    QApplication.processEvents()
    assert has(bar, FOCUS)
