"""The live checklist: the headline, what is still missing, and every criterion and indicator at both levels.

It is rebuilt only when the catalogue changes; an edit only updates label texts, so it keeps pace with
typing. Clicking an indicator (or Enter / the space bar on it) asks the window to open it in the editor.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.changes import Changes
from app.domain.catalogue import LEVELS
from app.domain.checklist import Checklist, EvidenceState
from ui.context import AppContext
from ui.theme import evidence_status_key, status_color, status_word
from ui.widgets.verdict import StatusIcon, VerdictCell, card, wrapped


def missing_lines(checklist: Checklist) -> list[str]:
    """`missing_items()` with the evidence gaps (one line per indicator there) folded into one line."""
    items = checklist.missing_items()
    lacking = checklist.lacking_evidence()
    if len(lacking) < 2:
        return items
    lines = items[: len(items) - len(lacking)]
    lines.append(f"Thiếu minh chứng (chưa có tệp hoặc giải trình): chỉ tiêu {', '.join(lacking)}")
    return lines


class LinkLabel(QLabel):
    """A wrapped link that is one stop of the Tab order: a click, Enter or the space bar activates it."""

    activated = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(f'<a href="#" style="color:#1f2933;text-decoration:none">{text}</a>', parent)
        self.setObjectName("link")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(text)
        self.linkActivated.connect(lambda _href: self.activated.emit())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_Select):
            self.activated.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _IndicatorName(QWidget):
    """The indicator's short name as a link, with its evidence state under it."""

    activated = Signal(str)

    def __init__(self, indicator_id: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.indicator_id = indicator_id
        self.link = LinkLabel(text)
        self.link.activated.connect(lambda: self.activated.emit(self.indicator_id))
        self.evidence_icon = StatusIcon("evidence_missing", 12)
        self.evidence_text = QLabel()
        self.evidence_text.setObjectName("muted")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.link, 1)
        layout.addWidget(self.evidence_icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.evidence_text, 0, Qt.AlignmentFlag.AlignTop)

    def set_evidence(self, state: EvidenceState) -> None:
        key = evidence_status_key(state.status)
        self.evidence_icon.set_status(key)
        text = f"{state.count} minh chứng" if state.count else status_word(key)
        if self.evidence_text.text() != text:
            self.evidence_text.setText(text)
            self.evidence_text.setStyleSheet(f"color: {status_color(key).name()}; font-size: 8.5pt;")


class ChecklistPanel(QWidget):
    """Headline, missing items and a level 1 / level 2 grid, refreshed on every change of the checklist."""

    indicator_activated = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._catalogue_id = ""
        self._cells: dict[tuple[str, int], VerdictCell] = {}
        self._names: dict[str, _IndicatorName] = {}

        head, head_layout = card()
        self.level_icon = StatusIcon("missing", 22)
        self.headline = wrapped(object_name="headline")
        self.headline.setAccessibleName("Kết luận")
        top = QGridLayout()
        top.setHorizontalSpacing(8)
        top.addWidget(self.level_icon, 0, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.headline, 0, 1)
        top.setColumnStretch(1, 1)
        head_layout.addLayout(top)
        self.missing_title = QLabel("Cần bổ sung:")
        self.missing_title.setObjectName("cardTitle")
        self.missing = wrapped(selectable=True)
        head_layout.addWidget(self.missing_title)
        head_layout.addWidget(self.missing)

        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(10, 4, 10, 10)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(3)

        body = QWidget()
        body.setObjectName("pageBody")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(8, 8, 8, 8)
        body_layout.addWidget(head)
        details, details_layout = card()
        details_layout.setContentsMargins(0, 8, 0, 0)
        details_layout.addWidget(self.grid_host)
        body_layout.addWidget(details)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        ctx.changes_applied.connect(self._on_changes)
        ctx.year_changed.connect(lambda _year: self.refresh())
        self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if changes.checklist or changes.evidence or changes.years or changes.profile:
            self.refresh()

    def _build(self, checklist: Checklist) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._cells.clear()
        self._names.clear()
        for column, text in enumerate(("Mức độ 1", "Mức độ 2")):
            self.grid.addWidget(wrapped(text, object_name="cardTitle"), 0, column)
        assert self.ctx.year is not None  # a checklist exists only for an open year
        catalogue = self.ctx.ws.catalogue(self.ctx.year)
        row = 1
        for criterion in catalogue.criteria:
            line = QFrame()
            line.setFrameShape(QFrame.Shape.HLine)
            line.setStyleSheet("color: #d9dee5;")
            self.grid.addWidget(line, row, 0, 1, 2)
            name = wrapped(f"<b>Tiêu chí {criterion.label}</b>")
            name.setToolTip(criterion.name)
            self.grid.addWidget(name, row + 1, 0, 1, 2)
            self._add_cells(f"c{criterion.id}", row + 2)
            row += 3
            for indicator in criterion.indicators:
                label = _IndicatorName(indicator.id, indicator.label)
                label.setToolTip(indicator.text)
                label.activated.connect(self.indicator_activated)
                label.setContentsMargins(10, 4, 0, 0)
                self._names[indicator.id] = label
                self.grid.addWidget(label, row, 0, 1, 2)
                self._add_cells(indicator.id, row + 1, indent=10)
                row += 2
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        self._catalogue_id = checklist.assessment.catalogue_id

    def _add_cells(self, key: str, row: int, indent: int = 0) -> None:
        for level in LEVELS:
            cell = VerdictCell()
            if level == 1:
                cell.setContentsMargins(indent, 0, 0, 0)
            self._cells[(key, level)] = cell
            self.grid.addWidget(cell, row, level - 1)

    def refresh(self) -> None:
        checklist = self.ctx.checklist()
        if checklist is None:
            self.headline.setText("Chưa có năm đánh giá nào. Hãy thêm năm đánh giá (menu Năm).")
            self.missing_title.hide()
            self.missing.hide()
            return
        if checklist.assessment.catalogue_id != self._catalogue_id:
            self._build(checklist)
        assessment = checklist.assessment
        self.headline.setText(checklist.headline())
        self.level_icon.set_status("met" if assessment.level else "not_met")
        self.headline.setStyleSheet(f"color: {status_color('met' if assessment.level else 'not_met').name()};")
        lines = missing_lines(checklist)
        self.missing_title.setVisible(bool(lines))
        self.missing.setVisible(bool(lines))
        self.missing.setText("\n".join(f"• {line}" for line in lines))
        for cid, result in assessment.criteria.items():
            for level in LEVELS:
                verdict = result.verdicts[level]
                self._cells[(f"c{cid}", level)].set_verdict(verdict.status, verdict.reason)
        evidence = checklist.evidence or {}
        for iid, judged in assessment.indicators.items():
            for level in LEVELS:
                verdict = judged.verdicts[level]
                self._cells[(iid, level)].set_verdict(verdict.status, verdict.reason)
            self._names[iid].set_evidence(evidence.get(iid, EvidenceState()))

    def verdict_text(self, indicator_id: str, level: int) -> str:
        """The status word shown for one indicator and level (for tests and benchmarks)."""
        return self._cells[(indicator_id, level)].word_text()
