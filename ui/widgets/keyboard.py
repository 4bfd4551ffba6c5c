"""Moving around the window by keyboard: Tab goes through one pane after another (the navigation list, the page,
then the side panel); F6 / Ctrl+Tab jump to the next pane and Shift+F6 / Ctrl+Shift+Tab to the previous one,
back to where the focus was in it. In a text box, Tab moves on and Ctrl+Tab types a tab character.

Qt's own Tab order is the order in which widgets were made, so fields built later (the indicator editor, a
page opened after the side panel) would come after the side panel's links; the window asks `next_focus`
instead, which keeps Qt's order inside each pane and puts the panes in order.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QTextEdit, QWidget

# Qt's `Qt` namespace is named only inside functions: building it costs the window's first paint some 12 ms.

#: Keys that move to the next / the previous pane.
NEXT_PANE = ("F6", "Ctrl+Tab")
PREVIOUS_PANE = ("Shift+F6", "Ctrl+Shift+Tab", "Ctrl+Shift+Backtab")
_CHAIN_LIMIT = 20000  # a focus chain is a ring; this only guards against a broken one


def _reachable(widget: QWidget, window: QWidget) -> bool:
    """Whether Tab may stop on `widget` (what Qt's own Tab order checks)."""
    from PySide6.QtCore import Qt

    return (bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.focusProxy() is None
            and widget.isEnabled() and widget.isVisibleTo(window) and widget.window() is window)


def focus_chain(window: QWidget) -> list[QWidget]:
    """The widgets Tab can reach in `window`, in Qt's focus chain order."""
    result = []
    widget = window.nextInFocusChain()
    for _ in range(_CHAIN_LIMIT):
        if widget is None or widget is window:
            break
        if _reachable(widget, window):
            result.append(widget)
        widget = widget.nextInFocusChain()
    return result


class PaneKeyboard(QObject):
    """Tab order and pane keys for `window`, whose panes (in order) `panes()` returns; widgets outside every
    pane (the toolbar) come after the last pane."""

    def __init__(self, window: QWidget, panes: Callable[[], list[QWidget]]) -> None:
        super().__init__(window)
        self.window = window
        self._panes = panes
        self._last: dict[int, QWidget] = {}  # pane index -> the widget last focused in it
        for keys, step in ((NEXT_PANE, 1), (PREVIOUS_PANE, -1)):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), window)
                shortcut.activated.connect(lambda s=step, k=key: self._pane_key(s, k))
        app = QApplication.instance()
        assert isinstance(app, QApplication), "a pane keyboard needs the running QApplication"
        app.focusChanged.connect(self._focus_changed)

    def pane_of(self, widget: QWidget | None) -> int:
        panes = self._panes()
        for index, pane in enumerate(panes):
            if widget is not None and (widget is pane or pane.isAncestorOf(widget)):
                return index
        return len(panes)

    def ordered(self) -> list[QWidget]:
        """Qt's Tab order, pane by pane."""
        chain = focus_chain(self.window)
        return sorted(chain, key=self.pane_of)  # stable: Qt's order within a pane

    def next_focus(self, forward: bool) -> bool:
        """Move the focus one step in the pane-by-pane order; False when there is nowhere to go."""
        from PySide6.QtCore import Qt

        current = QApplication.focusWidget()
        target = self._next_in_pane(current) if forward and current is not None else None
        if target is None:
            order = self.ordered()
            if not order:
                return False
            if current in order:
                index = (order.index(current) + (1 if forward else -1)) % len(order)
            else:
                index = 0 if forward else len(order) - 1
            target = order[index]
        target.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
        show_in_scroll_areas(target)
        return True

    def _next_in_pane(self, current: QWidget) -> QWidget | None:
        """Qt's next Tab stop after `current` when it is in the same pane and before the pane's end in Qt's order
        (the common case, found without walking the whole window); None when the full order must decide."""
        pane = self.pane_of(current)
        if pane >= len(self._panes()):
            return None
        widget = current.nextInFocusChain()
        for _ in range(_CHAIN_LIMIT):
            if widget is None or widget is current or widget is self.window:
                return None
            if _reachable(widget, self.window):
                return widget if self.pane_of(widget) == pane else None
            widget = widget.nextInFocusChain()
        return None

    def focus_pane(self, step: int) -> None:
        """Jump to the next (`step` 1) or previous (-1) pane that has something to focus."""
        order = self.ordered()
        count = len(self._panes()) + 1
        by_pane: dict[int, list[QWidget]] = {}
        for widget in order:
            by_pane.setdefault(self.pane_of(widget), []).append(widget)
        current = self.pane_of(QApplication.focusWidget())
        for offset in range(1, count + 1):
            pane = (current + step * offset) % count
            if pane in by_pane:
                last = self._last.get(pane)
                target = last if last in by_pane[pane] else by_pane[pane][0]
                from PySide6.QtCore import Qt

                target.setFocus(Qt.FocusReason.ShortcutFocusReason)
                show_in_scroll_areas(target)
                return

    def _pane_key(self, step: int, key: str) -> None:
        focused = QApplication.focusWidget()
        if key == "Ctrl+Tab" and isinstance(focused, (QPlainTextEdit, QTextEdit)) and not focused.isReadOnly():
            focused.insertPlainText("\t")  # the one way to type a tab in a text box
            return
        self.focus_pane(step)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and new.window() is self.window:
            self._last[self.pane_of(new)] = new


def show_in_scroll_areas(widget: QWidget) -> None:
    """Scroll every scroll area around `widget` so that it is on screen."""
    from PySide6.QtWidgets import QScrollArea

    parent = widget.parentWidget()
    while parent is not None:
        inner = parent.widget() if isinstance(parent, QScrollArea) else None
        if isinstance(parent, QScrollArea) and inner is not None and inner.isAncestorOf(widget):
            parent.ensureWidgetVisible(widget)
        parent = parent.parentWidget()


def pass_tab_on(root: QWidget) -> None:
    """Tab leaves text boxes and tables under `root` instead of typing a tab or walking their cells (the arrow keys
    move between cells), and skips the scroll areas around forms."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractItemView, QScrollArea

    for area in root.findChildren(QScrollArea):
        area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a frame around fields is no stop of its own; it scrolls to them
    for box in root.findChildren(QPlainTextEdit) + root.findChildren(QTextEdit):
        box.setTabChangesFocus(True)
    for view in root.findChildren(QAbstractItemView):
        view.setTabKeyNavigation(False)  # a table wraps Tab from its last cell to its first: never left otherwise
