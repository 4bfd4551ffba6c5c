"""The recipient's main window: the register of the province's communes with filters, accent-free search and the
province progress chart; every step of the round (receive, council, appraise, documents, decision, results)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.recipient import register as reg
from app.recipient.decisions import completion_deadline, decision_of
from app.recipient.intake import OUTCOME_LABELS, submission_deadline
from app.recipient.workspace import RecipientWorkspace
from app.text import format_date_short
from ui.dialogs import message_box
from ui.recipient.chart import ProvinceChart
from ui.recipient.model import COLUMNS, WIDEST, RegisterFilter, RegisterModel
from ui.tasks import run_in_background, show_error
from ui.widgets.verdict import card, wrapped

if TYPE_CHECKING:
    from app.progress import ProgressState
    from app.recipient.intake import IntakeReport
    from ui.recipient.detail import CommuneDetail

ALL = ""


class RecipientWindow(QMainWindow):
    def __init__(self, rws: RecipientWorkspace, today: dt.date | None = None) -> None:
        super().__init__()
        self.rws = rws
        self.today = today or dt.date.today()
        agency = rws.agency()
        self.setWindowTitle(f"CĐHT xã — {agency.name} {agency.province} — Sổ tiếp nhận hồ sơ")
        self.setMinimumSize(1100, 640)
        self.detail: CommuneDetail | None = None
        self.model = RegisterModel(self)
        self.proxy = RegisterFilter(self)
        self.proxy.setSourceModel(self.model)
        self._build_toolbar()

        self.year = QComboBox()
        self.year.setAccessibleName("Năm đánh giá")
        years = reg.years(rws, self.today)
        for year in years:
            self.year.addItem(str(year), year)
        self.year.setCurrentIndex(self.year.findData(self._default_year(years)))
        self.status = QComboBox()
        self.status.setAccessibleName("Lọc theo tình trạng")
        self.status.addItem("Mọi tình trạng", ALL)
        for key in reg.STATUS_ORDER:
            self.status.addItem(reg.STATUS_LABELS[key], key)
        self.late = QCheckBox("Chỉ hồ sơ nộp sau hạn")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Tìm xã (gõ không dấu được)…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Tìm xã")
        filters = QHBoxLayout()
        for label, widget in (("Năm đánh giá:", self.year), ("Tình trạng:", self.status)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.late)
        filters.addWidget(self.search, 1)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        bold = QFont(self.table.font())
        bold.setBold(True)
        metrics, heading = self.table.fontMetrics(), QFontMetrics(bold)
        for column, widest in enumerate(WIDEST):  # heading bold, plus room for the sort arrow
            self.table.setColumnWidth(column, max(metrics.horizontalAdvance(widest) + 16,
                                                  heading.horizontalAdvance(COLUMNS[column]) + 40))
        self.table.setAccessibleName("Sổ tiếp nhận hồ sơ các xã")
        self.table.doubleClicked.connect(self.open_index)
        self.table.activated.connect(self.open_index)

        side, side_layout = card()
        title = QLabel("Tiến độ toàn tỉnh")
        title.setObjectName("cardTitle")
        self.chart = ProvinceChart()
        self.deadlines = wrapped()
        self.pending = wrapped(object_name="muted")
        side_layout.addWidget(title)
        side_layout.addWidget(self.chart)
        side_layout.addWidget(self.deadlines)
        side_layout.addWidget(self.pending)
        side_layout.addStretch(1)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        side.setMinimumWidth(300)
        side.setMaximumWidth(400)
        splitter.setSizes([960, 340])
        body = QWidget()
        body.setObjectName("page")
        layout = QVBoxLayout(body)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(body)

        self.year.currentIndexChanged.connect(self.reload)
        self.status.currentIndexChanged.connect(self._filter)
        self.late.toggled.connect(self._filter)
        self.search.textChanged.connect(self._filter)
        self.reload()

    def _default_year(self, years: list[int]) -> int:
        return reg.latest_package_year(self.rws) or years[-1]

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Việc cần làm")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.actions_by_name: dict[str, QAction] = {}
        for key, text, handler, shortcut in (
                ("intake", "Nhận hồ sơ…", self.receive, "Ctrl+O"),
                ("imap", "Nhận từ hộp thư…", self.receive_mail, ""),
                ("communes", "Nhập danh sách xã…", self.import_communes, ""),
                ("trust", "Chứng thư CA tin cậy…", self.add_trust, ""),
                ("council", "Hội đồng đánh giá…", self.edit_council, ""),
                ("documents", "Lập văn bản…", self.write_documents, ""),
                ("decide", "Ghi quyết định…", self.record_decision, ""),
                ("results", "Gói kết quả cho các xã…", self.write_results, "")):
            action = QAction(text, self)
            action.triggered.connect(handler)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            toolbar.addAction(action)
            self.actions_by_name[key] = action

    # ------------------------------------------------------------------ the register

    @property
    def current_year(self) -> int:
        year: int = self.year.currentData()
        return year

    def reload(self) -> None:
        rows = reg.register_rows(self.rws, self.current_year)
        self.model.set_rows(rows)
        self._filter()
        year = self.current_year
        deadline, completion = submission_deadline(self.rws, year), completion_deadline(year)
        left = (completion - self.today).days
        decision = decision_of(self.rws, year)
        text = (f"Hạn xã nộp hồ sơ: {format_date_short(deadline)}. Hạn hoàn thành công nhận: "
                f"{format_date_short(completion)}" + (f" (còn {left} ngày)." if left >= 0 else " (đã qua)."))
        if decision:
            text += f"<br>Đã có Quyết định số {decision.number} ngày {format_date_short(decision.date)}."
        self.deadlines.setText(text)
        from app.recipient.mail import pending_sets

        waiting = pending_sets(self.rws)
        self.pending.setText("; ".join(i.message for i in waiting[:3]) if waiting else "")
        self.pending.setVisible(bool(waiting))

    def _filter(self) -> None:
        self.proxy.set_filters(self.status.currentData(), self.late.isChecked(), self.search.text())
        visible = self.proxy.visible_rows()
        self.chart.set_counts(reg.status_counts(self.model.rows))
        self.statusBar().showMessage(f"Đang hiện {len(visible)}/{len(self.model.rows)} xã.")

    def open_index(self, index: QModelIndex) -> None:
        from ui.recipient.model import ROW_ROLE

        row = self.proxy.data(self.proxy.index(index.row(), 0), ROW_ROLE)
        if row is not None:
            self.open_row(row)

    def open_row(self, row: reg.RegisterRow) -> CommuneDetail:
        from ui.recipient.detail import CommuneDetail

        detail = CommuneDetail(self.rws, row, self.reload, self)
        self.detail = detail
        detail.show()
        return detail

    # ------------------------------------------------------------------ steps of the round

    def _background(self, work: Callable[[ProgressState], Any], title: str, done: Callable[[Any], object]) -> None:
        run_in_background(work).success(done).failure(lambda e: show_error(self, e, title)).with_progress(
            self, title).run()

    def _reload_and_say(self, title: str) -> Callable[[Any], None]:
        """After a step of the round: reload the register, then show the step's summary."""
        def done(summary: Any) -> None:
            self.reload()
            message_box(self, title, summary.message())
        return done

    def _show_intake(self, report: IntakeReport) -> None:
        from ui.recipient.dialogs import ReportDialog

        self.reload()
        self.report = ReportDialog("Kết quả nhận hồ sơ", report.summary(),
                                   [f"[{OUTCOME_LABELS[i.outcome]}] {i.message}" for i in report.items], self)
        self.report.show()

    def receive(self) -> None:
        from app.recipient.intake import intake_paths, received_on
        from ui.recipient.dialogs import IntakeDialog

        dialog = IntakeDialog(self)
        if not dialog.exec():
            return
        paths, moment = dialog.paths, received_on(dialog.received_on())
        self._background(lambda p: intake_paths(self.rws, paths, moment, p), "Đang nhận hồ sơ", self._show_intake)

    def receive_mail(self) -> None:
        from app.recipient.mail import ImapAccount, intake_imap
        from ui.recipient.dialogs import ImapDialog

        dialog = ImapDialog(self)
        if not dialog.exec():
            return
        account = ImapAccount(dialog.host.text().strip(), dialog.user.text().strip(), dialog.port.value(),
                              dialog.security.currentData(), dialog.mailbox.text().strip() or "INBOX")
        password = dialog.password.text()
        self._background(lambda p: intake_imap(self.rws, account, password, p), "Đang tải thư", self._show_intake)

    def import_communes(self) -> None:
        from app.recipient.communes import import_communes

        path, _ = QFileDialog.getOpenFileName(self, "Danh sách xã", "", "Danh sách (*.csv *.xlsx *.json)")
        if path:
            self._background(lambda _p: import_communes(self.rws, Path(path)), "Nhập danh sách xã",
                             self._reload_and_say("Danh sách xã"))

    def add_trust(self) -> None:
        from app.recipient.trust import add_trust_anchors

        path, _ = QFileDialog.getOpenFileName(self, "Chứng thư CA tin cậy", "", "Chứng thư (*.pem *.cer *.crt *.der)")
        if path:
            self._background(lambda _p: add_trust_anchors(self.rws, Path(path)), "Thêm chứng thư CA",
                             lambda added: message_box(self, "Chứng thư CA tin cậy", f"Đã thêm {len(added)} chứng thư: "
                                                       + "; ".join(a.subject for a in added)))

    def edit_council(self) -> None:
        from app.recipient.appraisal import council_of, set_council
        from ui.recipient.dialogs import CouncilDialog

        year = self.current_year
        dialog = CouncilDialog(year, council_of(self.rws, year), self)
        if dialog.exec():
            mode, members, basis, sitting = dialog.values()
            self._background(lambda _p: set_council(self.rws, year, mode, members, basis, sitting),
                             "Lưu Hội đồng đánh giá", lambda _c: self.reload())

    def write_documents(self) -> None:
        from app.recipient.documents import write_round_documents

        folder = QFileDialog.getExistingDirectory(self, "Thư mục ghi văn bản", str(self.rws.output_dir))
        if folder:
            year = self.current_year
            self._background(lambda p: write_round_documents(self.rws, year, Path(folder), p), "Đang lập văn bản",
                             lambda written: message_box(self, "Đã lập văn bản", f"Đã lập {len(written)} văn bản năm "
                                                         f"{year} trong {folder}."))

    def record_decision(self) -> None:
        from app.recipient.decisions import decide
        from ui.recipient.dialogs import DecisionDialog, _python_date

        year = self.current_year
        dialog = DecisionDialog(year, self)
        if not dialog.exec():
            return
        number, day = dialog.number.text(), _python_date(dialog.date)
        reply_from = dialog.reply_from.value() or None
        include = dialog.include_pending.isChecked()
        self._background(lambda _p: decide(self.rws, year, number, day, reply_from, None, include),
                         "Ghi quyết định", self._reload_and_say("Quyết định công nhận"))

    def write_results(self) -> None:
        from app.dossier.signing import Pkcs12Key
        from app.recipient.results import build_result_packages
        from ui.recipient.dialogs import ResultsDialog

        year = self.current_year
        dialog = ResultsDialog(year, self)
        if not dialog.exec():
            return
        out, key = Path(dialog.out.text().strip()), Pkcs12Key(Path(dialog.p12.text().strip()), dialog.password.text())
        self._background(lambda p: build_result_packages(self.rws, year, out, key, p), "Đang lập gói kết quả",
                         lambda written: message_box(self, "Gói kết quả", f"Đã lập {len(written)} gói kết quả đã ký "
                                                     f"trong {out}; gửi mỗi xã gói của xã đó."))
