"""The editor of one indicator: typed inputs for its figures, the report's texts, evidence note and history.

Every edit is stored at once, without a save button: choices (yes/no, level) immediately, typed text
and numbers a quarter of a second after typing stops or when the field loses focus (`ui.widgets.typing`;
one burst of typing is one undo step). The verdicts shown above the inputs follow every keystroke: the
rules engine judges what is in the fields before it is stored. Writes run on the database thread, so
typing never waits for the disk. A value the core refuses (say, more citizens than the total) stays
in the field, marked, with the core's message under the inputs, until it is corrected.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.domain.catalogue import LEVELS, Indicator
from app.domain.checklist import EvidenceState
from app.domain.dataset import figures_problem, validate_indicator_values
from app.domain.records import EXPLANATION_FIELD
from app.domain.rules import judge_indicator, requirement_text, share_checks
from app.errors import CdhtError
from app.services.indicators import set_values
from app.text import format_date_short, format_percent, format_threshold, nfc, parse_date
from ui.context import AppContext
from ui.labels import FIELD_NAMES
from ui.locking import locked_notice
from ui.models.audit import AuditTableModel
from ui.tasks import user_message
from ui.theme import evidence_status_key, status_word
from ui.widgets.number_edit import IntegerEdit
from ui.widgets.typing import TypingSaver
from ui.widgets.verdict import StatusIcon, VerdictCell, wrapped

INVALID = object()
HISTORY_ROWS = 60
REPORT_FIELDS = ("description", "situation", "strengths", "limitations", "notes")
PLACEHOLDERS = {
    "description": "Những việc xã đã làm cho chỉ tiêu này (số văn bản, hoạt động, kết quả)…",
    "situation": "Hiện trạng của địa phương đối với chỉ tiêu…",
    "strengths": "Điểm mạnh…",
    "limitations": "Hạn chế, nguyên nhân…",
    "notes": "Ghi chú nội bộ (không in vào báo cáo)…",
    "decision_number": "Ví dụ: Quyết định số 112/QĐ-UBND",
    EXPLANATION_FIELD: "Vì sao chưa có minh chứng, khi nào bổ sung, tài liệu đang lưu ở đâu…",
}


@dataclass
class Binding:
    """How one stored field maps to its input widget."""

    widget: QWidget
    get: Callable[[], Any]
    set: Callable[[Any], None]


def _text_value(text: str) -> str | None:
    text = nfc(text).strip()
    return text or None


class IndicatorEditor(QWidget):
    """Shows and stores one indicator of the current year."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.indicator: Indicator | None = None
        self.year: int | None = None
        self._bindings: dict[str, Binding] = {}
        self._stored: dict[str, Any] = {}
        self._dirty: set[str] = set()
        self._rejected: set[str] = set()
        self._loading = False
        self._disadvantaged = False
        self.typing = TypingSaver(self._store, self)
        self._form: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(16, 12, 16, 16)
        self._layout.setSpacing(12)
        self.audit_model = AuditTableModel(self)
        ctx.changes_applied.connect(self._on_changes)

    # ------------------------------------------------------------------ building

    def show_indicator(self, indicator_id: str) -> None:
        """Store pending typing of the indicator shown so far, then show `indicator_id` of the current year."""
        self.commit()
        if self.ctx.year is None:
            return
        self.year = self.ctx.year
        self.indicator = self.ctx.ws.catalogue(self.year).indicator(indicator_id)
        self._disadvantaged = self.ctx.ws.year(self.year).disadvantaged_area
        self._rebuild()

    def _rebuild(self) -> None:
        if self._form is not None:
            self._layout.removeWidget(self._form)
            self._form.hide()
            self._form.setParent(None)
            self._form.deleteLater()
        self._bindings.clear()
        self._dirty.clear()
        self._rejected.clear()
        form = QWidget()
        self._form = form
        layout = QVBoxLayout(form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        indicator = self.indicator
        assert indicator is not None and self.year is not None
        locked = self.ctx.ws.year(self.year).locked

        title = QLabel(f"Chỉ tiêu {indicator.id}")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        layout.addWidget(wrapped(indicator.text, selectable=True))
        layout.addWidget(wrapped(f"<b>Yêu cầu:</b> {requirement_text(indicator)}"))
        if indicator.hint:
            hint = wrapped(f"<i>Minh chứng gợi ý: {indicator.hint}</i>", object_name="muted")
            layout.addWidget(hint)
        if locked:
            layout.addWidget(wrapped(locked_notice(self.year), "error"))

        verdicts = QGroupBox("Kết quả đánh giá hiện tại")
        verdict_layout = QHBoxLayout(verdicts)
        self.level_cells = {level: VerdictCell(prefix=f"Mức độ {level}: ") for level in LEVELS}
        for cell in self.level_cells.values():
            verdict_layout.addWidget(cell, 1)
        layout.addWidget(verdicts)

        figures = QGroupBox("Số liệu, kết quả thực hiện")
        self.figures_form = QFormLayout(figures)
        self.figures_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.figures_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._build_value_inputs(indicator)
        if indicator.recognition_decision:
            self._add_line("decision_number", self.figures_form)
            self._add_date("decision_date", self.figures_form)
        if indicator.counted:
            self._add_text("data_source", self.figures_form, height=52, placeholder=indicator.data_source_hint)
        self.error_label = wrapped(object_name="error")
        self.error_label.hide()
        self.figures_form.addRow(self.error_label)
        layout.addWidget(figures)

        texts = QGroupBox("Nội dung cho báo cáo tự đánh giá")
        texts_form = QFormLayout(texts)
        texts_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for name in REPORT_FIELDS:
            self._add_text(name, texts_form)
        layout.addWidget(texts)

        evidence = QGroupBox("Minh chứng")
        evidence_layout = QVBoxLayout(evidence)
        row = QHBoxLayout()
        self.evidence_icon = StatusIcon("evidence_missing", 16)
        self.evidence_label = wrapped()
        row.addWidget(self.evidence_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.evidence_label, 1)
        evidence_layout.addLayout(row)
        explanation_form = QFormLayout()
        explanation_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self._add_text(EXPLANATION_FIELD, explanation_form)
        self._explanation_form = explanation_form
        evidence_layout.addLayout(explanation_form)
        layout.addWidget(evidence)

        history = QGroupBox("Lịch sử thay đổi")
        history_layout = QVBoxLayout(history)
        self.audit_view = QTableView()
        self.audit_view.setModel(self.audit_model)
        self.audit_view.verticalHeader().hide()
        self.audit_view.setWordWrap(True)
        self.audit_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.audit_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.audit_view.setTabKeyNavigation(False)  # Tab moves on, not from cell to cell
        header = self.audit_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(header.sectionSizeHint(2))  # a narrow editor scrolls instead of cutting headings
        self.audit_view.setMinimumHeight(160)
        history_layout.addWidget(self.audit_view)
        layout.addWidget(history)
        layout.addStretch(1)

        for binding in self._bindings.values():
            binding.widget.setEnabled(not locked)
        self._layout.addWidget(form)
        form.show()
        self._load_values()
        self._refresh_verdicts()
        self._refresh_history()

    def _watch(self, widget: QWidget) -> None:
        self.typing.watch(widget)

    def _build_value_inputs(self, indicator: Indicator) -> None:
        if indicator.input == "boolean":
            host = QWidget()
            box = QVBoxLayout(host)
            box.setContentsMargins(0, 0, 0, 0)
            group = QButtonGroup(host)
            buttons = {True: QRadioButton(indicator.yes_text), False: QRadioButton(indicator.no_text),
                       None: QRadioButton("Chưa đánh giá")}
            def chosen(on: bool) -> None:
                if on:
                    self._changed("met", immediate=True)

            for button in buttons.values():
                group.addButton(button)
                box.addWidget(button)
                button.toggled.connect(chosen)
            self._group = group

            def get() -> Any:
                return next(v for v, b in buttons.items() if b.isChecked()) if group.checkedButton() else None

            def put(value: Any) -> None:
                buttons.get(value, buttons[None]).setChecked(True)

            self.figures_form.addRow("Kết quả thực hiện:", host)
            self._bindings["met"] = Binding(host, get, put)
        elif indicator.input == "level":
            combo = QComboBox()
            combo.addItem("— Chưa nhập —", None)
            for level in indicator.levels:
                combo.addItem(indicator.level_name(level), level)
            combo.currentIndexChanged.connect(lambda _i: self._changed("level", immediate=True))
            combo.setAccessibleName("Mức độ đạt chuẩn")
            self.figures_form.addRow("Mức độ đạt chuẩn:", combo)
            self._bindings["level"] = Binding(combo, combo.currentData,
                                              lambda v: combo.setCurrentIndex(max(0, combo.findData(v))))
        else:
            names = ("achieved", "total") if indicator.input == "ratio" else ("trained", "university", "total")
            for name in names:
                edit = IntegerEdit()
                edit.setAccessibleName(indicator.fields.get(name, FIELD_NAMES[name]))
                edit.textEdited.connect(lambda _t, n=name: self._changed(n))
                edit.textChanged.connect(lambda _t: self._update_live_ratio())
                self._watch(edit)
                label = wrapped(indicator.fields.get(name, FIELD_NAMES[name]) + ":")
                self.figures_form.addRow(label, edit)
                self._bindings[name] = Binding(edit, edit.value, edit.set_value)
            self.live_ratio = wrapped()
            self.live_ratio.setAccessibleName("Tỷ lệ và ngưỡng")
            self.figures_form.addRow(self.live_ratio)

    def _add_line(self, name: str, form: QFormLayout, label: str | None = None) -> None:
        edit = QLineEdit()
        edit.setPlaceholderText(PLACEHOLDERS.get(name, ""))
        edit.textEdited.connect(lambda _t: self._changed(name))
        self._watch(edit)
        form.addRow(wrapped((label or FIELD_NAMES[name]) + ":"), edit)
        self._bindings[name] = Binding(edit, lambda: _text_value(edit.text()), lambda v: edit.setText(v or ""))

    def _add_date(self, name: str, form: QFormLayout) -> None:
        edit = QLineEdit()
        edit.setPlaceholderText("ngày/tháng/năm, ví dụ 05/12/2025")
        edit.textEdited.connect(lambda _t: self._changed(name))
        self._watch(edit)

        def get() -> Any:
            text = edit.text().strip()
            if not text:
                return None
            try:
                return parse_date(text).isoformat()
            except ValueError:
                return INVALID

        def put(value: Any) -> None:
            try:
                edit.setText(format_date_short(parse_date(value)) if value else "")
            except ValueError:
                edit.setText(str(value))

        form.addRow(wrapped(FIELD_NAMES[name] + ":"), edit)
        self._bindings[name] = Binding(edit, get, put)

    def _add_text(self, name: str, form: QFormLayout, height: int | None = None, placeholder: str = "") -> None:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setPlaceholderText(placeholder or PLACEHOLDERS.get(name, ""))
        edit.setFixedHeight(height or (96 if name == "description" else 72))
        edit.textChanged.connect(lambda: self._changed(name))
        edit.setAccessibleName(FIELD_NAMES[name])
        self._watch(edit)

        def put(value: Any) -> None:
            if _text_value(edit.toPlainText()) != (value or None):
                edit.setPlainText(value or "")

        form.addRow(wrapped(FIELD_NAMES[name] + ":"), edit)
        self._bindings[name] = Binding(edit, lambda: _text_value(edit.toPlainText()), put)

    # ------------------------------------------------------------------ values in and out

    def _load_values(self, only_clean: bool = False) -> None:
        """Show the stored values; with `only_clean`, leave fields the user is editing alone."""
        assert self.indicator is not None and self.year is not None
        self._stored = dict(self.ctx.ws.values(self.year).get(self.indicator.id, {}))
        self._loading = True
        try:
            for name, binding in self._bindings.items():
                if only_clean and (name in self._dirty or name in self._rejected):
                    continue
                stored = self._stored.get(name)
                current = binding.get()
                if not only_clean or current is INVALID or current != stored or type(current) is not type(stored):
                    binding.set(stored)
        finally:
            self._loading = False
        if self.indicator.input in ("ratio", "training"):
            self._update_live_ratio()

    def _changed(self, name: str, immediate: bool = False) -> None:
        if self._loading or self.indicator is None:
            return
        self._dirty.add(name)
        if name in ("achieved", "trained", "university", "total"):
            self._update_live_ratio()
        self.preview_verdicts()
        if immediate:
            self.commit()
        else:
            self.typing.edited(self._bindings[name].widget)

    def pending_updates(self) -> dict[str, Any]:
        """Fields whose input differs from what is stored (valid inputs only)."""
        updates: dict[str, Any] = {}
        invalid = []
        for name, binding in self._bindings.items():
            value = binding.get()
            if value is INVALID:
                invalid.append(name)
                continue
            stored = self._stored.get(name)
            if value != stored or type(value) is not type(stored):
                updates[name] = value
        self._mark_invalid(invalid)
        return updates

    def _mark_invalid(self, names: list[str]) -> None:
        for name, binding in self._bindings.items():
            flag = name in names
            if binding.widget.property("invalid") != flag:
                binding.widget.setProperty("invalid", flag)
                binding.widget.style().unpolish(binding.widget)
                binding.widget.style().polish(binding.widget)
        if names:
            self._show_error(f"{FIELD_NAMES[names[0]]} không hợp lệ: hãy nhập ngày theo dạng ngày/tháng/năm.")

    def commit(self) -> None:
        """Store every field that differs from the database now (on the database thread); typing after this
        is a new undo step."""
        self.typing.end_burst()
        self._store(continuing=False)

    def _store(self, continuing: bool) -> None:
        """Store what differs; `continuing`: more of the typing whose previous save is the latest edit."""
        if self.indicator is None or self.year is None or self._form is None:
            return
        updates = self.pending_updates()
        self._dirty.clear()
        if not updates:
            return
        year, indicator_id = self.year, self.indicator.id
        self._stored.update(updates)
        self.ctx.submit(lambda ws: set_values(ws, year, indicator_id, updates, continue_edit=continuing), self,
                        on_success=lambda _c: self._stored_ok(updates),
                        on_failure=lambda error: self._stored_failed(indicator_id, updates, error))

    def _stored_ok(self, updates: dict[str, Any]) -> None:
        self._rejected -= set(updates)
        if self._rejected:
            # a figure refused earlier may be acceptable now (e.g. the total was raised): try it again once
            self.commit()
        elif self.error_label.isVisible():
            self.error_label.hide()

    def _stored_failed(self, indicator_id: str, updates: dict[str, Any], error: BaseException) -> None:
        if self.indicator is None or self.indicator.id != indicator_id or self.year is None:
            from ui.tasks import show_error

            show_error(self, error)
            return
        self._rejected |= set(updates)
        self._stored = dict(self.ctx.ws.values(self.year).get(indicator_id, {}))
        self._show_error("Chưa lưu: " + (error.message if isinstance(error, CdhtError) else user_message(error)))

    def unsaved(self) -> list[str]:
        """Fields whose typed value the core refused, with the reason shown under the inputs."""
        if self.indicator is None or not self._rejected or self._form is None:
            return []
        reason = self.error_label.text().removeprefix("Chưa lưu: ")
        return [f"Chỉ tiêu {self.indicator.id}, {FIELD_NAMES.get(name, name).lower()}: {reason}"
                for name in sorted(self._rejected) if self._bindings[name].get() != self._stored.get(name)]

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    # ------------------------------------------------------------------ live feedback

    def _update_live_ratio(self) -> None:
        """Show the shares typed so far against each level's threshold, as the rules engine computes them."""
        indicator = self.indicator
        if indicator is None or not indicator.counted or not hasattr(self, "live_ratio"):
            return
        values = {name: self._bindings[name].get() for name in self._bindings if name in indicator.fields}
        shares = share_checks(indicator, values, self._disadvantaged)
        if not shares:
            self.live_ratio.setText("<span style='color:#5f6b7a'>Nhập đủ các số để xem tỷ lệ.</span>")
            return
        lines = []
        for share in shares:
            checks = []
            for level, threshold in share.thresholds.items():
                ok = share.reached[level]
                mark = "<span style='color:#1b7f3b'>✔ đạt</span>" if ok else "<span style='color:#c0392b'>✘ chưa đạt</span>"
                checks.append(f"mức độ {level} (≥ {format_threshold(threshold)}) {mark}")
            lines.append(f"<b>{share.name}: {format_percent(share.percent)}</b> — " + "; ".join(checks))
        problem = figures_problem(values)
        if problem is not None:
            why = problem[1]
            lines.append(f"<span style='color:#c0392b'>{html.escape(why[0].upper() + why[1:])}.</span>")
        self.live_ratio.setText("<br>".join(lines))

    def preview_verdicts(self) -> None:
        """Judge what the fields hold now (stored values plus valid typing) with the rules engine alone, and
        show it in the verdict cells; no database work, so it keeps up with every keystroke."""
        if self.indicator is None or not self._bindings or not hasattr(self, "level_cells"):
            return
        values = dict(self._stored)
        for name, binding in self._bindings.items():
            value = binding.get()
            if value is not INVALID:
                values[name] = value
        values = {k: v for k, v in values.items() if v is not None}
        try:
            validate_indicator_values(self.indicator, values, f"chỉ tiêu {self.indicator.id}")
        except CdhtError:
            return  # figures the store would refuse (say, more than the total) get no verdict
        result = judge_indicator(self.indicator, values, self._disadvantaged)
        for level, cell in self.level_cells.items():
            cell.set_verdict(result.verdicts[level].status, result.verdicts[level].reason)

    def _refresh_verdicts(self) -> None:
        checklist = self.ctx.checklist()
        if checklist is None or self.indicator is None or self.indicator.id not in checklist.assessment.indicators:
            return
        result = checklist.assessment.indicators[self.indicator.id]
        for level, cell in self.level_cells.items():
            cell.set_verdict(result.verdicts[level].status, result.verdicts[level].reason)
        state = (checklist.evidence or {}).get(self.indicator.id, EvidenceState())
        key = evidence_status_key(state.status)
        self.evidence_icon.set_status(key)
        if state.count:
            text = f"Đã gắn {state.count} minh chứng với chỉ tiêu này."
        elif state.status == "explained":
            text = "Chưa có minh chứng; đã có giải trình (sẽ in vào báo cáo)."
        else:
            text = f"{status_word(key)}: chưa có tệp minh chứng nào. Hãy thêm ở trang Minh chứng hoặc viết giải trình."
        self.evidence_label.setText(text)
        explanation = self._bindings[EXPLANATION_FIELD]
        show = state.count == 0 or bool(explanation.get())
        explanation.widget.setVisible(show)
        label = self._explanation_form.labelForField(explanation.widget)
        if label is not None:
            label.setVisible(show)

    def _refresh_history(self, only_new: bool = False) -> None:
        """Show the indicator's latest changes; `only_new` reads just the rows after the newest one shown."""
        if self.indicator is None or self.year is None:
            return
        newest = self.audit_model.newest_id() if only_new else None
        entries = self.ctx.ws.audit_entries(entity="indicator_value", key_prefix=f"{self.indicator.id}/",
                                            year=self.year, limit=HISTORY_ROWS, after_id=newest)
        if newest is None:
            self.audit_model.set_entries(entries)
            self.audit_view.resizeRowsToContents()
            return
        for row in range(self.audit_model.add_newer(entries, HISTORY_ROWS)):
            self.audit_view.resizeRowToContents(row)  # only the new rows: the others keep their height

    def _on_changes(self, changes: Changes) -> None:
        if self.indicator is None or self._form is None or self.year is None or self.year != self.ctx.year:
            return
        if changes.years:
            if all(info.year != self.year for info in self.ctx.ws.years()):
                return
            self._disadvantaged = self.ctx.ws.year(self.year).disadvantaged_area
        if changes.indicators or changes.years:
            self._load_values(only_clean=True)
            self._refresh_history(only_new=not changes.years)
        if changes.checklist or changes.evidence or changes.years or changes.indicators:
            self._refresh_verdicts()
