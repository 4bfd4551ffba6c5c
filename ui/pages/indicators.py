"""The "Chỉ tiêu & số liệu" page: the criteria tree with a status icon per level, and the indicator editor."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.domain.catalogue import LEVELS
from ui.context import AppContext
from ui.pages.deferred import LoadsWhenShown
from ui.pages.indicator_editor import IndicatorEditor
from ui.theme import status_icon, status_word

ID_ROLE = Qt.ItemDataRole.UserRole


class WrappingDelegate(QStyledItemDelegate):
    """Gives first-column rows the height their wrapped text needs, so long names are never cut."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        if index.column() != 0:
            return hint
        depth = 1 if index.parent().isValid() else 0
        width = self.tree.columnWidth(0) - self.tree.indentation() * (depth + 1) - 10
        font = index.data(Qt.ItemDataRole.FontRole)
        metrics = QFontMetrics(font if isinstance(font, QFont) else option.font)
        text = str(index.data() or "")
        rect = metrics.boundingRect(QRect(0, 0, max(width, 40), 10000), Qt.TextFlag.TextWordWrap, text)
        return QSize(hint.width(), max(hint.height(), rect.height() + 10))


class CriteriaTree(QTreeWidget):
    """5 tiêu chí, 15 chỉ tiêu; columns MĐ1 and MĐ2 carry the status icon of each level."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setColumnCount(3)
        self.setHeaderLabels(["Tiêu chí, chỉ tiêu", "MĐ 1", "MĐ 2"])
        self.headerItem().setToolTip(1, "Mức độ 1")
        self.headerItem().setToolTip(2, "Mức độ 2")
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setItemDelegate(WrappingDelegate(self))
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)  # rows of many heights: scrolling
        # to one (from the checklist) must land on it, which item-by-item scrolling does not do reliably
        header.sectionResized.connect(lambda *_: self.scheduleDelayedItemsLayout())
        self.setAccessibleName("Cây tiêu chí")
        self._items: dict[str, QTreeWidgetItem] = {}
        self._shown: dict[tuple[str, int], tuple[str, str]] = {}
        self._catalogue_id = ""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()

    def rebuild(self) -> None:
        if self.ctx.year is None:
            self.clear()
            self._items.clear()
            return
        catalogue = self.ctx.ws.catalogue(self.ctx.year)
        if catalogue.id != self._catalogue_id:
            self.clear()
            self._items.clear()
            self._shown.clear()
            for criterion in catalogue.criteria:
                top = QTreeWidgetItem([criterion.label])
                top.setToolTip(0, criterion.name)
                top.setData(0, ID_ROLE, f"c{criterion.id}")
                font = top.font(0)
                font.setBold(True)
                top.setFont(0, font)
                top.setFlags(top.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                self.addTopLevelItem(top)
                self._items[f"c{criterion.id}"] = top
                for indicator in criterion.indicators:
                    item = QTreeWidgetItem([indicator.label])
                    item.setToolTip(0, indicator.text)
                    item.setData(0, ID_ROLE, indicator.id)
                    top.addChild(item)
                    self._items[indicator.id] = item
            self.expandAll()
            self._catalogue_id = catalogue.id
        self.update_icons()

    def update_icons(self) -> None:
        checklist = self.ctx.checklist()
        if checklist is None:
            return
        assessment = checklist.assessment
        results = {f"c{cid}": r.verdicts for cid, r in assessment.criteria.items()}
        results.update({iid: r.verdicts for iid, r in assessment.indicators.items()})
        for key, verdicts in results.items():
            item = self._items.get(key)
            if item is None:
                continue
            for level in LEVELS:
                verdict = verdicts[level]
                if self._shown.get((key, level)) == (verdict.status, verdict.reason):
                    continue
                self._shown[(key, level)] = (verdict.status, verdict.reason)
                item.setIcon(level, status_icon(verdict.status))
                item.setToolTip(level, f"Mức độ {level}: {status_word(verdict.status)} — {verdict.reason}")
                item.setData(level, Qt.ItemDataRole.AccessibleTextRole, status_word(verdict.status))

    def select_indicator(self, indicator_id: str) -> None:
        item = self._items.get(indicator_id)
        if item is not None:
            self.setCurrentItem(item)
            self.scrollToItem(item)

    def current_indicator(self) -> str | None:
        item = self.currentItem()
        value = item.data(0, ID_ROLE) if item is not None else None
        return value if value and not str(value).startswith("c") else None


class IndicatorsPage(LoadsWhenShown, QWidget):
    """Tree on the left, the selected indicator's editor on the right (filled when first shown)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.tree = CriteriaTree(ctx)
        self.editor = IndicatorEditor(ctx)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.editor)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.editor_scroll = scroll
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([270, 600])
        self.splitter.setChildrenCollapsible(False)
        self.tree.setMinimumWidth(220)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.tree.currentItemChanged.connect(self._on_selected)
        ctx.changes_applied.connect(self._on_changes)
        ctx.year_changed.connect(lambda _year: self.request_load())

    def _load(self) -> None:
        selected = self.tree.current_indicator() or "1.1"
        self.tree.rebuild()
        if self.ctx.year is not None:
            self.tree.blockSignals(True)  # the editor is rebuilt once, below
            self.tree.select_indicator(selected)
            self.tree.blockSignals(False)
            self.editor.show_indicator(selected)

    def _on_selected(self, _current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        indicator_id = self.tree.current_indicator()
        if indicator_id and (self.editor.indicator is None or self.editor.indicator.id != indicator_id
                             or self.editor.year != self.ctx.year):
            self.editor.show_indicator(indicator_id)
            self.editor_scroll.verticalScrollBar().setValue(0)

    def _on_changes(self, changes: Changes) -> None:
        if changes.years:
            self.request_load()
        elif changes.checklist or changes.evidence or changes.profile:
            self.tree.update_icons()

    def open_indicator(self, indicator_id: str) -> None:
        self.ensure_loaded()
        self.tree.select_indicator(indicator_id)
        self.tree.setFocus()

    def flush(self) -> None:
        self.editor.commit()

    def unsaved(self) -> list[str]:
        return self.editor.unsaved()
