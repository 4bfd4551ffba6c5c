"""The forms of the documents page: the report's narrative, the review meeting with its composition, and the
numbers, dates and căn cứ the issued documents carry. Forms only hold values; the page binds their fields to
`ui.widgets.typing` (stored as they are typed) and saves through `app.services` on the worker thread."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.documents import legal_bases as bases
from app.documents import texts as doc_texts
from app.documents.phrases import BaseLine
from app.domain import meeting as mt
from app.text import format_date_short
from ui.dialogs import button_box
from ui.widgets.typing import SavedFields, set_read_only

ATTENDEE_COLUMNS = ("Họ và tên", "Chức vụ", "Cơ quan, tổ chức", "Vai trò", "Có mặt", "Lý do vắng")
NAME, TITLE, ORGANISATION, ROLE, PRESENT, REASON = range(len(ATTENDEE_COLUMNS))


def _short(iso: Any) -> str:
    """A stored ISO date as shown (05/02/2026); anything else as it is."""
    try:
        return format_date_short(dt.date.fromisoformat(iso)) if iso else ""
    except (TypeError, ValueError):
        return str(iso)


class NarrativeForm(QWidget):
    """The report's narrative sections, the year's extra căn cứ and the Nơi nhận list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QFormLayout(self)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.editors: dict[str, QPlainTextEdit] = {}
        for key, label in doc_texts.NARRATIVE_FIELDS.items():
            editor = QPlainTextEdit()
            editor.setPlaceholderText(f"Nhập {label.lower()}… (mỗi đoạn một dòng)")
            editor.setMinimumHeight(60)
            self.editors[key] = editor
            layout.addRow(label, editor)
        self.extra_bases = QPlainTextEdit()
        self.extra_bases.setPlaceholderText("Căn cứ riêng của năm này, ví dụ: Hướng dẫn số 619/HD-UBND ngày "
                                            "06/02/2025 của UBND tỉnh …")
        self.extra_bases.setMaximumHeight(60)
        layout.addRow("Căn cứ riêng của năm", self.extra_bases)
        self.recipients = QPlainTextEdit()
        self.recipients.setMaximumHeight(80)
        self.recipients.setToolTip("Nơi nhận của Tờ trình và Báo cáo năm này, mỗi dòng một nơi. Để trống để dùng "
                                   "danh sách thường dùng. Dòng \"Lưu: …\" luôn in ở cuối.")
        layout.addRow("Nơi nhận", self.recipients)

    def bind(self, fields: SavedFields) -> None:
        """Store each box as it is typed."""
        for key, editor in self.editors.items():
            fields.add_text(key, editor, doc_texts.NARRATIVE_FIELDS[key])
        fields.add_text("extra_bases", self.extra_bases, "Căn cứ riêng của năm")
        fields.add_text("recipients", self.recipients, "Nơi nhận")

    def show_usual_recipients(self, usual_recipients: list[str]) -> None:
        self.recipients.setPlaceholderText("Để trống để dùng danh sách thường dùng:\n" + "\n".join(usual_recipients))


class NumbersForm(QWidget):
    """Số and ngày of every issued document, the commune's plan, and the căn cứ (with the suggestions to
    confirm). Emits `confirm_requested(id)`, `add_base_requested(text)` and `remove_base_requested(position)`."""

    confirm_requested = Signal(str)
    add_base_requested = Signal(str)
    remove_base_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.numbers: dict[str, QLineEdit] = {}
        self.dates: dict[str, QLineEdit] = {}
        numbers_box = QGroupBox("Số và ngày văn bản (phải có trước khi chốt hồ sơ và ký)")
        grid = QGridLayout(numbers_box)
        for column, heading in enumerate(("Văn bản", "Số", "Ký hiệu", "Ngày ký")):
            grid.addWidget(QLabel(f"<b>{heading}</b>"), 0, column)
        for row, (key, (name, code)) in enumerate(doc_texts.NUMBERED_DOCUMENTS.items(), start=1):
            number = QLineEdit(placeholderText="ví dụ 05")
            number.setAccessibleName(f"Số {name}")
            self.numbers[key] = number
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(number, row, 1)
            grid.addWidget(QLabel(f"/{code}"), row, 2)
            if key in doc_texts.DATED_DOCUMENTS:
                day = QLineEdit(placeholderText="ngày/tháng/năm")
                day.setAccessibleName(f"Ngày ký {name}")
                self.dates[key] = day
                grid.addWidget(day, row, 3)
            else:
                grid.addWidget(QLabel("ngày họp (theo biên bản)"), row, 3)
        hint = QLabel("Bản tổng hợp và Danh mục minh chứng là phần kèm theo Tờ trình nên in số, ngày của Tờ trình.")
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        grid.addWidget(hint, len(doc_texts.NUMBERED_DOCUMENTS) + 1, 0, 1, 4)

        plan_box = QGroupBox("Kế hoạch xây dựng “Cộng đồng học tập” của xã (Phân công kèm theo Kế hoạch này)")
        plan = QFormLayout(plan_box)
        self.plan_number = QLineEdit(placeholderText=f"ví dụ 46 (ký hiệu {doc_texts.PLAN_CODE})")
        self.plan_date = QLineEdit(placeholderText="ngày/tháng/năm")
        self.plan_summary = QLineEdit(placeholderText="ví dụ: Xây dựng “Cộng đồng học tập” năm 2025")
        plan.addRow("Số Kế hoạch", self.plan_number)
        plan.addRow("Ngày Kế hoạch", self.plan_date)
        plan.addRow("Trích yếu", self.plan_summary)

        bases_box = QGroupBox("Căn cứ in trên Tờ trình và Báo cáo (cài đặt của xã)")
        bases_column = QVBoxLayout(bases_box)
        self.bases = QListWidget()
        self.bases.setWordWrap(True)
        self.bases.setMinimumHeight(90)
        self.bases.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.new_base = QLineEdit(placeholderText="Số, ngày, cơ quan ban hành và trích yếu đầy đủ của văn bản")
        add = QPushButton("Thêm căn cứ")
        add.clicked.connect(self._add_base)
        self.new_base.returnPressed.connect(self._add_base)
        self.remove_base = QPushButton("Bỏ căn cứ đã chọn")
        self.remove_base.clicked.connect(self._remove_base)
        base_row = QHBoxLayout()
        base_row.addWidget(self.new_base, 1)
        base_row.addWidget(add)
        base_row.addWidget(self.remove_base)
        self.suggestions = QVBoxLayout()
        self.suggestions_label = QLabel("Gợi ý chưa xác nhận (chưa in). Hãy đối chiếu số, ngày và trích yếu với văn "
                                        "bản gốc trước khi xác nhận: căn cứ sai không sửa được sau khi ký.")
        self.suggestions_label.setWordWrap(True)
        self.suggestions_label.setObjectName("muted")
        bases_column.addWidget(self.bases)
        bases_column.addLayout(base_row)
        bases_column.addWidget(self.suggestions_label)
        bases_column.addLayout(self.suggestions)

        layout = QVBoxLayout(self)
        layout.addWidget(numbers_box)
        layout.addWidget(plan_box)
        layout.addWidget(bases_box)

    def bind(self, fields: SavedFields) -> None:
        """Store each number, date and the plan's fields as they are typed (dates shown as 05/02/2026)."""
        for key, edit in self.numbers.items():
            fields.add_line(f"number.{key}", edit, doc_texts.TEXT_KEYS[f"number.{key}"])
        for key, edit in self.dates.items():
            fields.add_line(f"date.{key}", edit, doc_texts.TEXT_KEYS[f"date.{key}"], show=_short)
        fields.add_line("plan.number", self.plan_number, doc_texts.TEXT_KEYS["plan.number"])
        fields.add_line("plan.date", self.plan_date, doc_texts.TEXT_KEYS["plan.date"], show=_short)
        fields.add_line("plan.summary", self.plan_summary, doc_texts.TEXT_KEYS["plan.summary"])

    def load_bases(self, base_lines: list[BaseLine], pending: list[bases.Suggestion]) -> None:
        """The căn cứ printed, and the suggestions still to confirm."""
        self.bases.clear()
        for line in base_lines:
            note = f" — {line.not_printed}" if line.not_printed else ""
            entry = QListWidgetItem(f"Căn cứ {line.text}{note}" + ("" if line.position else " (riêng năm này)"))
            entry.setData(Qt.ItemDataRole.UserRole, line.position)
            if not line.position:  # the year's own bases are edited on the "Nội dung báo cáo" tab
                entry.setFlags(entry.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            self.bases.addItem(entry)
        while self.suggestions.count():
            item = self.suggestions.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.suggestion_buttons: dict[str, QPushButton] = {}
        for suggestion in pending:
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            text = QLabel(suggestion.text)
            text.setWordWrap(True)
            confirm = QPushButton("Đã đối chiếu, in căn cứ này")
            confirm.clicked.connect(lambda _c=False, sid=suggestion.id: self.confirm_requested.emit(sid))
            self.suggestion_buttons[suggestion.id] = confirm
            row.addWidget(text, 1)
            row.addWidget(confirm, 0, Qt.AlignmentFlag.AlignTop)
            self.suggestions.addWidget(box)
        self.suggestions_label.setVisible(bool(pending))

    def _add_base(self) -> None:
        if self.new_base.text().strip():
            self.add_base_requested.emit(self.new_base.text())

    def _remove_base(self) -> None:
        entry = self.bases.currentItem()
        if entry is not None:
            self.remove_base_requested.emit(int(entry.data(Qt.ItemDataRole.UserRole)))


class OrganisationsDialog(QDialog):
    """The commune's socio-political organisations whose leaders the meeting needs, one a line."""

    def __init__(self, names: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tổ chức chính trị - xã hội của xã")
        text = QLabel("Điều 9 khoản 1 điểm c Thông tư 25/2023: lãnh đạo Hội Khuyến học, Ủy ban MTTQ Việt Nam và các "
                      "tổ chức chính trị - xã hội của xã dự cuộc họp xét. Mỗi dòng một tổ chức; để trống để dùng "
                      "danh sách thường dùng.")
        text.setWordWrap(True)
        self.editor = QPlainTextEdit("\n".join(names))
        buttons = button_box(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.editor)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def names(self) -> list[str]:
        return [line for line in self.editor.toPlainText().splitlines() if line.strip()]


class MeetingForm(QWidget):
    """The review meeting record: chair, secretary, the composition (role, present or absent with a reason),
    content, conclusions and the level agreed. The form's whole content is one value (`to_json`, the shape
    `app.services.documents.save_meeting_form` takes). Emits `typed(field)` on each keystroke in a text field,
    `chosen()` when a choice, a cell or the rows change, and `organisations_requested` for the organisation list."""

    organisations_requested = Signal()
    typed = Signal(QObject)
    chosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.organisations: tuple[str, ...] = mt.DEFAULT_ORGANISATIONS
        self._loading = False
        layout = QFormLayout(self)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.date = QLineEdit(placeholderText="ngày/tháng/năm, ví dụ 20/01/2026")  # typed like every date of the app
        self.place = QLineEdit()
        self.start_time, self.end_time = QLineEdit(), QLineEdit()
        self.start_time.setPlaceholderText("08 giờ 00 phút")
        self.end_time.setPlaceholderText("10 giờ 30 phút")
        self.chair, self.chair_title = QLineEdit(), QLineEdit()
        self.chair_title.setPlaceholderText("Chủ tịch hoặc Phó Chủ tịch UBND xã")
        self.secretary, self.secretary_title = QLineEdit(), QLineEdit()
        self.attendees = QTableWidget(0, len(ATTENDEE_COLUMNS))
        self.attendees.setHorizontalHeaderLabels(ATTENDEE_COLUMNS)
        self.attendees.setAccessibleName("Thành phần dự họp")
        header = self.attendees.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.attendees.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.attendees.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                       | QAbstractItemView.EditTrigger.EditKeyPressed
                                       | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.attendees.setMinimumHeight(160)
        self.attendees.setTabKeyNavigation(False)  # arrows move between cells; Tab leaves the table (it would wrap)
        self.attendees.itemChanged.connect(lambda _item: self._chosen())
        add = QPushButton("Thêm người dự họp")
        add.clicked.connect(lambda: self._add_rows([mt.Attendee("", role=mt.OTHER)]))
        self.complete_button = QPushButton("Thêm đủ thành phần theo Điều 9")
        self.complete_button.setToolTip("Thêm một dòng cho mỗi tổ chức Điều 9 khoản 1 điểm c yêu cầu mà danh sách "
                                        "còn thiếu: Hội Khuyến học, Ủy ban MTTQ và từng tổ chức chính trị - xã hội")
        self.complete_button.clicked.connect(self.add_required_rows)
        self.remove_button = QPushButton("Xóa dòng đã chọn")
        self.remove_button.clicked.connect(self._remove_selected)
        self.organisations_button = QPushButton("Tổ chức chính trị - xã hội…")
        self.organisations_button.clicked.connect(self.organisations_requested.emit)
        self.buttons = (add, self.complete_button, self.remove_button, self.organisations_button)
        buttons = QGridLayout()  # two a row: four side by side do not fit beside the checklist at 1366×768
        for index, button in enumerate(self.buttons):
            buttons.addWidget(button, index // 2, index % 2)
        buttons.setColumnStretch(2, 1)
        self.draft_note = QLabel()
        self.draft_note.setWordWrap(True)
        self.draft_note.setObjectName("error")
        self.draft_note.hide()
        self.composition = QLabel()
        self.composition.setWordWrap(True)
        self.content, self.conclusions = QPlainTextEdit(), QPlainTextEdit()
        self.content.setMaximumHeight(70)
        self.conclusions.setMaximumHeight(70)
        self.conclusions.setPlaceholderText("Kết luận khác của cuộc họp; câu thống nhất mức độ đề nghị được in tự động")
        self.level = QComboBox()
        self.level.addItem("(chưa thống nhất)", None)
        self.level.addItem("Mức độ 1", 1)
        self.level.addItem("Mức độ 2", 2)
        self.level.currentIndexChanged.connect(lambda _i: self._chosen())
        self.text_fields: tuple[QWidget, ...] = (
            self.date, self.place, self.start_time, self.end_time, self.chair, self.chair_title, self.secretary,
            self.secretary_title, self.content, self.conclusions)
        for edit in (self.date, self.place, self.start_time, self.end_time, self.chair, self.chair_title,
                     self.secretary, self.secretary_title):
            edit.textEdited.connect(lambda _text, e=edit: self._typed(e))
        for box in (self.content, self.conclusions):
            box.setTabChangesFocus(True)
            box.textChanged.connect(lambda b=box: self._typed(b))
        for label, widget in (("Ngày họp", self.date), ("Địa điểm", self.place), ("Giờ bắt đầu", self.start_time),
                              ("Giờ kết thúc", self.end_time), ("Người chủ trì", self.chair),
                              ("Chức vụ người chủ trì", self.chair_title), ("Thư ký", self.secretary),
                              ("Chức vụ thư ký", self.secretary_title)):
            layout.addRow(label, widget)
            widget.setAccessibleName(label)
        layout.addRow(self.draft_note)
        layout.addRow(QLabel("Thành phần dự họp"))
        layout.addRow(self.attendees)
        layout.addRow(buttons)
        layout.addRow(self.composition)
        layout.addRow("Nội dung thảo luận", self.content)
        layout.addRow("Kết luận", self.conclusions)
        layout.addRow("Mức độ thống nhất đề nghị", self.level)
        self.content.setAccessibleName("Nội dung thảo luận")
        self.conclusions.setAccessibleName("Kết luận")
        self.level.setAccessibleName("Mức độ thống nhất đề nghị")

    def _typed(self, field: QWidget) -> None:
        if not self._loading:
            self.typed.emit(field)

    def _chosen(self) -> None:
        if not self._loading:
            self.chosen.emit()

    def set_read_only(self, read_only: bool) -> None:
        """A finalized year: everything readable, nothing changeable."""
        for widget in self.text_fields:
            set_read_only(widget, read_only)
        self.level.setEnabled(not read_only)
        self.attendees.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if read_only else
                                       QAbstractItemView.EditTrigger.DoubleClicked
                                       | QAbstractItemView.EditTrigger.EditKeyPressed
                                       | QAbstractItemView.EditTrigger.AnyKeyPressed)
        for row in range(self.attendees.rowCount()):
            role = self.attendees.cellWidget(row, ROLE)
            if role is not None:
                role.setEnabled(not read_only)
        for button in self.buttons:
            button.setEnabled(not read_only)

    # ------------------------------------------------------------------ attendee rows

    def add_attendee(self, person: mt.Attendee) -> int:
        row = self.attendees.rowCount()
        loading, self._loading = self._loading, True
        try:
            self.attendees.insertRow(row)
            for column, text in ((NAME, person.name), (TITLE, person.title), (ORGANISATION, person.organisation),
                                 (REASON, person.absence_reason)):
                self.attendees.setItem(row, column, QTableWidgetItem(text))
            role = QComboBox()
            for key, label in mt.ROLES.items():
                role.addItem(label, key)
            role.setCurrentIndex(max(0, role.findData(person.role or mt.OTHER)))
            role.setAccessibleName(f"Vai trò dòng {row + 1}")
            role.currentIndexChanged.connect(lambda _i: self._chosen())
            self.attendees.setCellWidget(row, ROLE, role)
            present = QTableWidgetItem()
            present.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                             | Qt.ItemFlag.ItemIsSelectable)
            present.setCheckState(Qt.CheckState.Checked if person.present else Qt.CheckState.Unchecked)
            self.attendees.setItem(row, PRESENT, present)
        finally:
            self._loading = loading
        return row

    def _add_rows(self, people: list[mt.Attendee]) -> None:
        rows = [self.add_attendee(person) for person in people]
        if rows:
            self.attendees.setCurrentCell(rows[0], NAME)
            self.attendees.setFocus()  # the name of the first new row is typed next
            self._chosen()

    def add_required_rows(self) -> None:
        """One empty row for each body Điều 9.1.c names that no row represents yet."""
        people = self.attendee_list()
        missing = []
        if not any(a.role == mt.KHUYEN_HOC for a in people):
            missing.append(mt.Attendee("", "Chủ tịch", "Hội Khuyến học xã", mt.KHUYEN_HOC))
        if not any(a.role == mt.MTTQ for a in people):
            missing.append(mt.Attendee("", "Chủ tịch", "Ủy ban MTTQ Việt Nam xã", mt.MTTQ))
        for name in self.organisations:
            if not any(a.role == mt.ORGANISATION and mt.matching_organisation(a.organisation, [name]) for a in people):
                missing.append(mt.Attendee("", "Chủ tịch", f"{name} xã", mt.ORGANISATION))
        self._add_rows(missing)

    def _remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.attendees.selectedIndexes()}, reverse=True)
        for row in rows:
            self.attendees.removeRow(row)
        if rows:
            self._chosen()

    def _text(self, row: int, column: int) -> str:
        item = self.attendees.item(row, column)
        return item.text().strip() if item else ""

    def attendee_list(self) -> list[mt.Attendee]:
        """The rows as typed (not validated); empty rows left out."""
        people = []
        for row in range(self.attendees.rowCount()):
            role = cast(QComboBox | None, self.attendees.cellWidget(row, ROLE))  # the role picker of each row
            present = self.attendees.item(row, PRESENT)
            person = mt.Attendee(self._text(row, NAME), self._text(row, TITLE), self._text(row, ORGANISATION),
                                 role.currentData() if role else mt.OTHER,
                                 present is None or present.checkState() == Qt.CheckState.Checked,
                                 self._text(row, REASON))
            if person.name or person.title or person.absence_reason:
                people.append(person)
        return people

    # ------------------------------------------------------------------ the record

    def load(self, form: dict[str, Any] | None, organisations: tuple[str, ...] = mt.DEFAULT_ORGANISATIONS) -> None:
        """Show a meeting form (`record_form` of the stored record, or a draft); None shows an empty form."""
        self.organisations = organisations
        self._loading = True
        try:
            self.attendees.setRowCount(0)
            form = form or {}
            for widget, key in ((self.date, "meeting_date"), (self.place, "place"), (self.start_time, "start_time"), (self.end_time, "end_time"),
                                (self.chair, "chair_name"), (self.chair_title, "chair_title"),
                                (self.secretary, "secretary_name"), (self.secretary_title, "secretary_title")):
                text = _short(form.get(key)) if key == "meeting_date" else str(form.get(key) or "")
                if widget.text() != text:
                    widget.setText(text)
            for person in form.get("attendees") or []:
                if isinstance(person, dict):
                    self.add_attendee(mt.Attendee(
                        str(person.get("name") or ""), str(person.get("title") or ""),
                        str(person.get("organisation") or ""), str(person.get("role") or mt.OTHER),
                        person.get("present", True) is not False, str(person.get("absence_reason") or "")))
            for box, key in ((self.content, "content"), (self.conclusions, "conclusions")):
                text = str(form.get(key) or "")
                if box.toPlainText() != text:
                    box.setPlainText(text)
            self.level.setCurrentIndex(max(0, self.level.findData(form.get("level_agreed"))))
        finally:
            self._loading = False

    def show_composition(self, problems: list[str], draft_problem: str = "") -> None:
        self.draft_note.setText(f"Chưa thành biên bản (đã giữ bản đang nhập): {draft_problem}" if draft_problem else "")
        self.draft_note.setVisible(bool(draft_problem))
        if draft_problem:
            self.composition.setText("")
        elif problems:
            self.composition.setText("<b>Thành phần chưa đủ theo Điều 9 khoản 1 điểm c:</b><br>"
                                     + "<br>".join(f"• {p}" for p in problems))
            self.composition.setStyleSheet("color: #8a4b00;")
        else:
            self.composition.setText("Thành phần họp xét đủ theo Điều 9 khoản 1 điểm c Thông tư 25/2023.")
            self.composition.setStyleSheet("color: #1b5e20;")

    def to_json(self) -> dict[str, Any]:
        """The form as typed, every attendee with all six fields (an absence reason is kept even when ticked
        present, so that the check can name the mismatch)."""
        return {"meeting_date": self.date.text().strip(), "place": self.place.text(),
                "start_time": self.start_time.text(), "end_time": self.end_time.text(),
                "chair_name": self.chair.text(), "chair_title": self.chair_title.text(),
                "secretary_name": self.secretary.text(), "secretary_title": self.secretary_title.text(),
                "attendees": [{"name": a.name, "title": a.title, "organisation": a.organisation, "role": a.role,
                               "present": a.present, "absence_reason": a.absence_reason}
                              for a in self.attendee_list()],
                "content": self.content.toPlainText(), "conclusions": self.conclusions.toPlainText(),
                "level_agreed": self.level.currentData()}


def record_form(meeting: mt.ReviewMeeting | None) -> dict[str, Any] | None:
    """A stored meeting record in the form's shape (`MeetingForm.to_json`)."""
    if meeting is None:
        return None
    form = meeting.to_json()
    form["attendees"] = [{"name": a.name, "title": a.title, "organisation": a.organisation, "role": a.role,
                          "present": a.present, "absence_reason": a.absence_reason} for a in meeting.attendees]
    return form
