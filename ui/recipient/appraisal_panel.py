"""The council's verdicts on one commune's package: per indicator the commune's figure and own verdict, the
council's đạt/không đạt and its note; the verified level as the rules engine computes it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.rules import MET, MISSING, NOT_MET, STATUS_LABELS
from app.recipient import appraisal as ap
from app.recipient.workspace import RecipientWorkspace
from ui.tasks import run_in_background, show_error
from ui.widgets.verdict import wrapped

HEADER = ("Mã", "Chỉ tiêu", "Kết quả, số liệu", "Xã tự đánh giá", "Hội đồng", "Ghi chú, lý do của Hội đồng")
CHOICES = ((None, "Chưa đánh giá"), (MET, STATUS_LABELS[MET]), (NOT_MET, STATUS_LABELS[NOT_MET]))


class AppraisalPanel(QWidget):
    """Edits are kept in the table until "Lưu kết quả"; then all are recorded together, or none."""

    def __init__(self, rws: RecipientWorkspace, package_id: int, on_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rws, self.package_id, self.on_change = rws, package_id, on_change
        self.state = ap.appraisal(rws, package_id)
        self.level = self.state.level_requested
        self.level_box = QComboBox()
        self.level_box.setMinimumContentsLength(len("Mức độ 1") + 2)
        for level in range(1, self.state.level_requested + 1):
            self.level_box.addItem(f"Mức độ {level}", level)
        self.level_box.setCurrentIndex(self.level_box.count() - 1)
        self.level_box.currentIndexChanged.connect(self._change_level)
        self.table = QTableWidget(0, len(HEADER))
        self.table.setHorizontalHeaderLabels(HEADER)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch,
                                       QHeaderView.ResizeMode.Interactive, QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch)):
            header.setSectionResizeMode(column, mode)
        self.table.setColumnWidth(2, 190)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAccessibleName("Kết quả thẩm định từng chỉ tiêu")
        self.combos: dict[str, QComboBox] = {}
        self.notes: dict[str, QLineEdit] = {}
        self.result = wrapped()
        self.result.setObjectName("headline")
        self.agree_button = QPushButton("Đồng ý với kết quả tự đánh giá")
        self.agree_button.setToolTip("Ghi kết quả tự đánh giá của xã cho mọi chỉ tiêu Hội đồng chưa đánh giá")
        self.save_button = QPushButton("Lưu kết quả")
        self.save_button.setObjectName("primary")
        self.conclude_button = QPushButton("Kết luận thẩm định")
        self.reopen_button = QPushButton("Mở lại…")
        self.agree_button.clicked.connect(self.agree)
        self.save_button.clicked.connect(self.save)
        self.conclude_button.clicked.connect(self.conclude)
        self.reopen_button.clicked.connect(self.reopen)
        top = QHBoxLayout()
        top.addWidget(QLabel("Thẩm định ở:"))
        top.addWidget(self.level_box)
        top.addWidget(wrapped(f"Xã đề nghị mức độ {self.state.level_requested}; tự đánh giá "
                              f"{'mức độ ' + str(self.state.level_self) if self.state.level_self else 'chưa đạt'}.",
                              object_name="muted"), 1)
        buttons = QHBoxLayout()
        for button in (self.agree_button, self.save_button, self.conclude_button, self.reopen_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.result)
        layout.addLayout(buttons)
        self.fill()

    def fill(self) -> None:
        state, level = self.state, self.level
        self.table.setRowCount(len(state.indicators))
        for row, item in enumerate(state.indicators):
            own = item.self_verdicts.get(level, MISSING)
            cells = (item.indicator_id, item.text, item.figure or "—", STATUS_LABELS[own])
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(item.self_reasons.get(level, text) if column == 3 else text)
                self.table.setItem(row, column, cell)
            combo = QComboBox()
            for value, label in CHOICES:
                combo.addItem(label, value)
            council = item.council.get(level)
            combo.setCurrentIndex([c[0] for c in CHOICES].index(council.status if council else None))
            combo.setAccessibleName(f"Hội đồng đánh giá chỉ tiêu {item.indicator_id}")
            note = QLineEdit(council.note if council else "")
            note.setPlaceholderText("Bắt buộc khi khác kết quả tự đánh giá")
            note.setAccessibleName(f"Ghi chú chỉ tiêu {item.indicator_id}")
            if council:
                note.setToolTip(f"Ghi bởi {council.recorded_by}")
            self.table.setCellWidget(row, 4, combo)
            self.table.setCellWidget(row, 5, note)
            self.combos[item.indicator_id], self.notes[item.indicator_id] = combo, note
        locked = state.concluded or self._decided()
        for widget in [*self.combos.values(), *self.notes.values()]:
            widget.setEnabled(not locked)
        for button in (self.agree_button, self.save_button, self.conclude_button):
            button.setVisible(not locked)
        self.reopen_button.setVisible(state.concluded and not self._decided())
        judged = sum(1 for i in state.indicators if level in i.council)
        verified = state.concluded_level if state.concluded else state.verified_level
        text = (f"Đã kết luận: {'đạt mức độ ' + str(verified) if verified else 'chưa đủ điều kiện công nhận'}."
                if state.concluded else
                f"Hội đồng đã đánh giá {judged}/{len(state.indicators)} chỉ tiêu ở mức độ {level}; theo bộ quy tắc, "
                f"mức độ xác nhận hiện là: {('mức độ ' + str(verified)) if verified else 'chưa đạt'}.")
        self.result.setText(text)

    def _decided(self) -> bool:
        return ap.has_outcome(self.rws, self.package_id)

    def _change_level(self) -> None:
        self.level = self.level_box.currentData()
        self.fill()

    def changes(self) -> list[tuple[str, int, str, str]]:
        """The rows the user changed (a chosen verdict, or a new note on it)."""
        found = []
        for item in self.state.indicators:
            status = self.combos[item.indicator_id].currentData()
            note = self.notes[item.indicator_id].text().strip()
            before = item.council.get(self.level)
            if status is not None and (before is None or (before.status, before.note) != (status, note)):
                found.append((item.indicator_id, self.level, status, note))
        return found

    def _run(self, work: Callable[[], ap.Appraisal]) -> None:
        def finished(state: ap.Appraisal) -> None:
            self.state = state
            self.fill()
            self.on_change()

        def failed(error: BaseException) -> None:
            show_error(self, error, "Chưa ghi được kết quả thẩm định")

        run_in_background(lambda _p: work()).success(finished).failure(failed).run()

    def save(self) -> None:
        entries = self.changes()
        self._run(lambda: ap.record_verdicts(self.rws, self.package_id, entries))

    def agree(self) -> None:
        level = self.level

        def work() -> ap.Appraisal:
            ap.record_verdicts(self.rws, self.package_id, self.changes())
            ap.agree_with_self_assessment(self.rws, self.package_id, level)
            return ap.appraisal(self.rws, self.package_id)

        self._run(work)

    def conclude(self) -> None:
        entries = self.changes()

        def work() -> ap.Appraisal:
            ap.record_verdicts(self.rws, self.package_id, entries)
            return ap.conclude(self.rws, self.package_id)

        self._run(work)

    def reopen(self) -> None:
        reason, ok = QInputDialog.getText(self, "Mở lại kết quả thẩm định", "Lý do mở lại (ghi vào nhật ký):")
        if ok:
            self._run(lambda: ap.reopen(self.rws, self.package_id, reason))


__all__ = ["AppraisalPanel"]
