"""The "Tổng quan" page: the verdict at a glance, days to the deadline, progress chart, recognition history."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.domain.catalogue import LEVELS
from app.domain.checklist import EvidenceState
from app.text import format_date_short
from ui.context import AppContext
from ui.theme import status_color
from ui.widgets.progress_chart import ChartRow, ProgressChart
from ui.widgets.verdict import StatusIcon, card, wrapped

if TYPE_CHECKING:
    from app.services.next_step import NextStep

RECOGNITION_COLUMNS = ("Mức độ", "Số quyết định", "Ngày quyết định", "Cơ quan ra quyết định", "Hết hiệu lực")


def days_phrase(days: int) -> str:
    if days > 0:
        return f"còn {days} ngày"
    if days == 0:
        return "hôm nay là hạn cuối"
    return f"đã quá hạn {-days} ngày"


class StatCard(QWidget):
    """A titled figure with a status icon and a line of explanation."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, layout = card(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        head = QHBoxLayout()
        self.icon = StatusIcon("missing", 18)
        caption = wrapped(title, object_name="muted")
        head.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(caption, 1)
        layout.addLayout(head)
        self.value = wrapped(object_name="bigNumber")
        self.detail = wrapped()
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addStretch(1)

    def set_figure(self, status: str, value: str, detail: str) -> None:
        self.icon.set_status(status)
        self.value.setText(value)
        self.value.setStyleSheet(f"color: {status_color(status).name()};")
        self.detail.setText(detail)



class DashboardPage(QWidget):
    """The year at a glance and the one next step; `next_requested(NextStep)` asks the window to go there."""

    next_requested = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self._today = today
        body = QWidget()
        body.setObjectName("pageBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(12)
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)

        head, head_layout = card()
        row = QHBoxLayout()
        self.level_icon = StatusIcon("missing", 26)
        self.headline = wrapped(object_name="headline")
        row.addWidget(self.level_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.headline, 1)
        head_layout.addLayout(row)
        self.gaps = wrapped(object_name="muted")
        head_layout.addWidget(self.gaps)
        layout.addWidget(head)

        step_card, step_layout = card()
        step_row = QHBoxLayout()
        step_title = QLabel("Bước tiếp theo")
        step_title.setObjectName("cardTitle")
        self.next_text = wrapped()
        self.next_text.setAccessibleName("Bước tiếp theo")
        self.next_button = QPushButton()
        self.next_button.setObjectName("primary")
        self.next_button.clicked.connect(self._go_to_next_step)
        self.next_button.hide()
        text_column = QVBoxLayout()
        text_column.addWidget(step_title)
        text_column.addWidget(self.next_text)
        step_row.addLayout(text_column, 1)
        step_row.addWidget(self.next_button, 0, Qt.AlignmentFlag.AlignVCenter)
        step_layout.addLayout(step_row)
        layout.addWidget(step_card)
        self._next: NextStep | None = None

        stats = QGridLayout()
        stats.setSpacing(12)
        self.level_card = StatCard("Mức độ đạt được")
        self.deadline_card = StatCard("Hạn nộp hồ sơ đề nghị công nhận")
        self.assign_card = StatCard("Phân công thu thập số liệu")
        self.evidence_card = StatCard("Minh chứng")
        for column, widget in enumerate((self.level_card, self.deadline_card, self.assign_card, self.evidence_card)):
            stats.addWidget(widget, 0, column)
            stats.setColumnStretch(column, 1)
        layout.addLayout(stats)

        chart_card, chart_layout = card()
        chart_title = QLabel("Số chỉ tiêu đạt theo tiêu chí")
        chart_title.setObjectName("cardTitle")
        chart_layout.addWidget(chart_title)
        self.chart = ProgressChart()
        chart_layout.addWidget(self.chart)
        layout.addWidget(chart_card)

        rec_card, rec_layout = card()
        rec_head = QHBoxLayout()
        rec_title = QLabel("Lịch sử công nhận")
        rec_title.setObjectName("cardTitle")
        self.add_recognition = QPushButton("Thêm quyết định công nhận…")
        self.add_recognition.clicked.connect(self._add_recognition)
        self.import_result = QPushButton("Nhập kết quả công nhận…")
        self.import_result.setToolTip("Nhập gói kết quả đã ký số do cơ quan tiếp nhận gửi về")
        self.import_result.clicked.connect(self._import_result)
        rec_head.addWidget(rec_title, 1)
        rec_head.addWidget(self.import_result)
        rec_head.addWidget(self.add_recognition)
        rec_layout.addLayout(rec_head)
        self.recognition_status = wrapped()
        rec_layout.addWidget(self.recognition_status)
        self.recognitions = QTableWidget(0, len(RECOGNITION_COLUMNS))
        self.recognitions.setHorizontalHeaderLabels(RECOGNITION_COLUMNS)
        self.recognitions.verticalHeader().hide()
        self.recognitions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.recognitions.setWordWrap(True)
        self.recognitions.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.recognitions.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.recognitions.setAccessibleName("Lịch sử công nhận")
        rec_layout.addWidget(self.recognitions)
        layout.addWidget(rec_card)
        layout.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        ctx.changes_applied.connect(self._on_changes)
        ctx.year_changed.connect(lambda _year: self._on_changes(Changes(years=True)))
        self._stale = True
        self.refresh()

    def _go_to_next_step(self) -> None:
        if self._next is not None:
            self.next_requested.emit(self._next)

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def _on_changes(self, changes: Changes) -> None:
        if changes.any():
            self._stale = True
            if self.isVisible():
                self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        """Redraw every figure; while the page is hidden, changes only mark it stale (it refreshes when shown)."""
        self._stale = False
        ws, year = self.ctx.ws, self.ctx.year
        profile = ws.profile() if ws.has_profile() else None
        name = f"xã {profile.commune_name}, {profile.province}" if profile else ""
        if year is None:
            self.title.setText(f"Tổng quan — {name}")
            self.headline.setText("Chưa có năm đánh giá. Hãy thêm năm đánh giá (menu Năm → Thêm năm đánh giá).")
            self._refresh_next_step(None)
            return
        self.title.setText(f"Tổng quan năm {year} — {name}")
        checklist = self.ctx.checklist()
        assert checklist is not None
        assessment = checklist.assessment
        self.headline.setText(checklist.headline())
        reached = "met" if assessment.level else "not_met"
        self.level_icon.set_status(reached)
        self.headline.setStyleSheet(f"color: {status_color(reached).name()};")
        target = checklist.target_level()
        unmet = assessment.unmet(target) if assessment.level < max(LEVELS) else []
        self.gaps.setText(
            f"Chỉ tiêu cần hoàn thiện cho mức độ {target}: " + ", ".join(r.id for r in unmet) if unmet
            else f"Tất cả chỉ tiêu đều đạt mức độ {max(LEVELS)}.")

        self.level_card.set_figure(reached, f"Mức độ {assessment.level}" if assessment.level else "Chưa đạt",
                             "Theo số liệu đã nhập của năm đánh giá.")
        today = self.today()
        deadline = ws.submission_deadline(year)
        days = (deadline - today).days
        status = "met" if days > 30 else ("missing" if days >= 0 else "not_met")
        self.deadline_card.set_figure(status, format_date_short(deadline), days_phrase(days).capitalize() + ".")

        assignments = ws.assignments(year)
        overdue = sum(1 for a in assignments if a.overdue(today))
        done = sum(1 for a in assignments if a.status == "done")
        total = len(assessment.indicators)
        assigned = sum(1 for a in assignments if a.lead_unit)
        if not assigned:
            self.assign_card.set_figure("todo", f"0/{total}", "chỉ tiêu đã phân công đơn vị chủ trì (trang Phân công).")
        else:
            status = "overdue" if overdue else ("done" if done == total else "in_progress")
            self.assign_card.set_figure(status, f"{done}/{total}", "chỉ tiêu đã hoàn thành; " + (
                f"{overdue} việc quá hạn." if overdue else "không có việc quá hạn."))
        evidence = checklist.evidence or {}
        ready = sum(1 for iid in assessment.indicators if evidence.get(iid, EvidenceState()).status != "missing")
        lacking = len(checklist.lacking_evidence())
        self.evidence_card.set_figure("evidence_ok" if ready == total else "evidence_missing", f"{ready}/{total}",
                                "chỉ tiêu có minh chứng hoặc giải trình" + (f"; {lacking} chỉ tiêu đạt nhưng thiếu minh chứng."
                                                                            if lacking else "."))

        rows = []
        for criterion in ws.catalogue(year).criteria:
            results = [assessment.indicators[i.id] for i in criterion.indicators]
            rows.append(ChartRow(criterion.label,
                                 {lv: sum(r.verdicts[lv].met for r in results) for lv in LEVELS}, len(results)))
        rows.append(ChartRow("Tổng số chỉ tiêu", {lv: sum(r.met[lv] for r in rows) for lv in LEVELS},
                             sum(r.total for r in rows)))
        self.chart.set_rows(rows)
        self._refresh_recognitions(today, year)
        self._refresh_next_step(year)

    def _refresh_next_step(self, year: int | None) -> None:
        """Read the next step in the background (its later stages read the documents' checks)."""
        from app.services.next_step import next_step
        from ui.tasks import run_in_background

        ws = self.ctx.ws
        run_in_background(lambda _progress: next_step(ws, year)).success(
            lambda step: self._show_next_step(year, step)).failure(lambda _error: None).run()

    def _show_next_step(self, year: int | None, step: NextStep) -> None:
        if year != self.ctx.year:
            return
        self._next = step
        self.next_text.setText(step.reason)
        self.next_button.setText(step.title)
        self.next_button.setToolTip(step.reason)
        self.next_button.show()

    def _refresh_recognitions(self, today: dt.date, year: int) -> None:
        ws = self.ctx.ws
        catalogue = ws.catalogue(year)
        records = ws.recognitions()
        self.recognitions.setRowCount(len(records))
        for row, record in enumerate(reversed(records)):
            cells = (f"Mức độ {record.level}", record.decision_number, format_date_short(record.decision_date),
                     record.issuer, format_date_short(record.expires_on(catalogue.validity_months)))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(record.note or text)
                self.recognitions.setItem(row, column, item)
        self.recognitions.resizeRowsToContents()
        header_height = self.recognitions.horizontalHeader().sizeHint().height()
        rows_height = sum(self.recognitions.rowHeight(r) for r in range(len(records)))
        self.recognitions.setFixedHeight(header_height + max(rows_height, 30) + 4)
        if not records:
            self.recognition_status.setText("Xã chưa có quyết định công nhận nào được ghi lại.")
            return
        latest = records[-1]
        expires = latest.expires_on(catalogue.validity_months)
        left = (expires - today).days
        text = (f"Đang giữ: <b>Mức độ {latest.level}</b> theo Quyết định số {latest.decision_number} ngày "
                f"{format_date_short(latest.decision_date)}; hiệu lực đến {format_date_short(expires)} ")
        text += f"(còn {left} ngày)." if left >= 0 else f"— <b>đã hết hiệu lực</b> {-left} ngày."
        if latest.level == 1:
            upgrade = latest.upgrade_possible_from(catalogue.upgrade_after_months)
            if upgrade <= today:
                text += f"<br>Đã đủ thời gian để đề nghị công nhận mức độ 2 (từ {format_date_short(upgrade)})."
            else:
                text += f"<br>Có thể đề nghị công nhận mức độ 2 từ ngày {format_date_short(upgrade)}."
        self.recognition_status.setText(text)

    def _import_result(self) -> None:
        from ui.result_import_dialog import ResultImportDialog

        ResultImportDialog(self.ctx, self).exec()

    def _add_recognition(self) -> None:
        from ui.recognition_dialog import RecognitionDialog

        RecognitionDialog(self.ctx, self).exec()
