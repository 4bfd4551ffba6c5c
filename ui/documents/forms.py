"""The forms of the documents page: the report's narrative, the review meeting with its composition, and the
numbers, dates and căn cứ the issued documents carry. Forms only hold values; the page saves them through
`app.services` on the worker thread."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
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
from app.domain import meeting as mt
from app.text import format_date_short
from ui.dialogs import button_box

ATTENDEE_COLUMNS = ("Họ và tên", "Chức vụ", "Cơ quan, tổ chức", "Vai trò", "Có mặt", "Lý do vắng")
NAME, TITLE, ORGANISATION, ROLE, PRESENT, REASON = range(len(ATTENDEE_COLUMNS))


def _short(iso: str) -> str:
    return format_date_short(dt.date.fromisoformat(iso)) if iso else ""


class NarrativeForm(QWidget):
    """The report's narrative sections, the year's extra căn cứ and the Nơi nhận list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QFormLayout(self)
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

    def load(self, texts: dict[str, str], usual_recipients: list[str] | None = None) -> None:
        for key, editor in self.editors.items():
            editor.setPlainText(texts.get(key, ""))
        self.extra_bases.setPlainText(texts.get("extra_bases", ""))
        self.recipients.setPlainText(texts.get("recipients", ""))
        self.recipients.setPlaceholderText("Để trống để dùng danh sách thường dùng:\n" + "\n".join(usual_recipients or []))

    def values(self) -> dict[str, str]:
        result = {key: editor.toPlainText() for key, editor in self.editors.items()}
        result["extra_bases"] = self.extra_bases.toPlainText()
        result["recipients"] = self.recipients.toPlainText()
        return result


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
        column = QVBoxLayout(bases_box)
        self.bases = QListWidget()
        self.bases.setWordWrap(True)
        self.bases.setMinimumHeight(90)
        self.bases.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.new_base = QLineEdit(placeholderText="Số, ngày, cơ quan ban hành và trích yếu đầy đủ của văn bản")
        add = QPushButton("Thêm căn cứ")
        add.clicked.connect(self._add_base)
        self.remove_base = QPushButton("Bỏ căn cứ đã chọn")
        self.remove_base.clicked.connect(self._remove_base)
        row = QHBoxLayout()
        row.addWidget(self.new_base, 1)
        row.addWidget(add)
        row.addWidget(self.remove_base)
        self.suggestions = QVBoxLayout()
        self.suggestions_label = QLabel("Gợi ý chưa xác nhận (chưa in). Hãy đối chiếu số, ngày và trích yếu với văn "
                                        "bản gốc trước khi xác nhận: căn cứ sai không sửa được sau khi ký.")
        self.suggestions_label.setWordWrap(True)
        self.suggestions_label.setObjectName("muted")
        column.addWidget(self.bases)
        column.addLayout(row)
        column.addWidget(self.suggestions_label)
        column.addLayout(self.suggestions)

        layout = QVBoxLayout(self)
        layout.addWidget(numbers_box)
        layout.addWidget(plan_box)
        layout.addWidget(bases_box)

    def load(self, texts: dict[str, str], base_lines: list, pending: list[bases.Suggestion]) -> None:
        for key, edit in self.numbers.items():
            edit.setText(texts.get(f"number.{key}", ""))
        for key, edit in self.dates.items():
            edit.setText(_short(texts.get(f"date.{key}", "")))
        self.plan_number.setText(texts.get("plan.number", ""))
        self.plan_date.setText(_short(texts.get("plan.date", "")))
        self.plan_summary.setText(texts.get("plan.summary", ""))
        self.bases.clear()
        for line in base_lines:
            note = f" — {line.not_printed}" if line.not_printed else ""
            entry = QListWidgetItem(f"Căn cứ {line.text}{note}" + ("" if line.position else " (riêng năm này)"))
            entry.setData(Qt.ItemDataRole.UserRole, line.position)
            if not line.position:  # the year's own bases are edited on the "Nội dung báo cáo" tab
                entry.setFlags(entry.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            self.bases.addItem(entry)
        while self.suggestions.count():
            widget = self.suggestions.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.suggestion_buttons: dict[str, QPushButton] = {}
        for suggestion in pending:
            box = QWidget()
            line = QHBoxLayout(box)
            line.setContentsMargins(0, 0, 0, 0)
            text = QLabel(suggestion.text)
            text.setWordWrap(True)
            confirm = QPushButton("Đã đối chiếu, in căn cứ này")
            confirm.clicked.connect(lambda _c=False, sid=suggestion.id: self.confirm_requested.emit(sid))
            self.suggestion_buttons[suggestion.id] = confirm
            line.addWidget(text, 1)
            line.addWidget(confirm, 0, Qt.AlignmentFlag.AlignTop)
            self.suggestions.addWidget(box)
        self.suggestions_label.setVisible(bool(pending))

    def values(self) -> dict[str, str]:
        result = {f"number.{key}": edit.text() for key, edit in self.numbers.items()}
        result.update({f"date.{key}": edit.text() for key, edit in self.dates.items()})
        result.update({"plan.number": self.plan_number.text(), "plan.date": self.plan_date.text(),
                       "plan.summary": self.plan_summary.text()})
        return result

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
    content, conclusions and the level agreed. Emits `organisations_requested` for the organisation list."""

    organisations_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.organisations: tuple[str, ...] = mt.DEFAULT_ORGANISATIONS
        layout = QFormLayout(self)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setDate(QDate.currentDate())
        self.place = QLineEdit()
        self.start_time, self.end_time = QLineEdit(), QLineEdit()
        self.start_time.setPlaceholderText("08 giờ 00 phút")
        self.end_time.setPlaceholderText("10 giờ 30 phút")
        self.chair, self.chair_title = QLineEdit(), QLineEdit()
        self.chair_title.setPlaceholderText("Chủ tịch hoặc Phó Chủ tịch UBND xã")
        self.secretary, self.secretary_title = QLineEdit(), QLineEdit()
        self.attendees = QTableWidget(0, len(ATTENDEE_COLUMNS))
        self.attendees.setHorizontalHeaderLabels(ATTENDEE_COLUMNS)
        header = self.attendees.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.attendees.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.attendees.setMinimumHeight(160)
        add = QPushButton("Thêm người dự họp")
        add.clicked.connect(lambda: self.add_attendee(mt.Attendee("", role=mt.OTHER)))
        self.complete_button = QPushButton("Thêm đủ thành phần theo Điều 9")
        self.complete_button.setToolTip("Thêm một dòng cho mỗi tổ chức Điều 9 khoản 1 điểm c yêu cầu mà danh sách "
                                        "còn thiếu: Hội Khuyến học, Ủy ban MTTQ và từng tổ chức chính trị - xã hội")
        self.complete_button.clicked.connect(self.add_required_rows)
        remove = QPushButton("Xóa dòng đã chọn")
        remove.clicked.connect(self._remove_selected)
        organisations = QPushButton("Tổ chức chính trị - xã hội…")
        organisations.clicked.connect(self.organisations_requested.emit)
        buttons = QHBoxLayout()
        for button in (add, self.complete_button, remove, organisations):
            buttons.addWidget(button)
        buttons.addStretch(1)
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
        for label, widget in (("Ngày họp", self.date), ("Địa điểm", self.place), ("Giờ bắt đầu", self.start_time),
                              ("Giờ kết thúc", self.end_time), ("Người chủ trì", self.chair),
                              ("Chức vụ người chủ trì", self.chair_title), ("Thư ký", self.secretary),
                              ("Chức vụ thư ký", self.secretary_title), ("Thành phần dự họp", self.attendees)):
            layout.addRow(label, widget)
        layout.addRow("", buttons)
        layout.addRow("", self.composition)
        layout.addRow("Nội dung thảo luận", self.content)
        layout.addRow("Kết luận", self.conclusions)
        layout.addRow("Mức độ thống nhất đề nghị", self.level)

    # ------------------------------------------------------------------ attendee rows

    def add_attendee(self, person: mt.Attendee) -> int:
        row = self.attendees.rowCount()
        self.attendees.insertRow(row)
        for column, text in ((NAME, person.name), (TITLE, person.title), (ORGANISATION, person.organisation),
                             (REASON, person.absence_reason)):
            self.attendees.setItem(row, column, QTableWidgetItem(text))
        role = QComboBox()
        for key, label in mt.ROLES.items():
            role.addItem(label, key)
        role.setCurrentIndex(max(0, role.findData(person.role or mt.OTHER)))
        self.attendees.setCellWidget(row, ROLE, role)
        present = QTableWidgetItem()
        present.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        present.setCheckState(Qt.CheckState.Checked if person.present else Qt.CheckState.Unchecked)
        self.attendees.setItem(row, PRESENT, present)
        return row

    def add_required_rows(self) -> None:
        """One empty row for each body Điều 9.1.c names that no row represents yet."""
        people = self.attendee_list()
        if not any(a.role == mt.KHUYEN_HOC for a in people):
            self.add_attendee(mt.Attendee("", "Chủ tịch", "Hội Khuyến học xã", mt.KHUYEN_HOC))
        if not any(a.role == mt.MTTQ for a in people):
            self.add_attendee(mt.Attendee("", "Chủ tịch", "Ủy ban MTTQ Việt Nam xã", mt.MTTQ))
        for name in self.organisations:
            if not any(a.role == mt.ORGANISATION and mt.matching_organisation(a.organisation, [name]) for a in people):
                self.add_attendee(mt.Attendee("", "Chủ tịch", f"{name} xã", mt.ORGANISATION))

    def _remove_selected(self) -> None:
        for row in sorted({index.row() for index in self.attendees.selectedIndexes()}, reverse=True):
            self.attendees.removeRow(row)

    def _text(self, row: int, column: int) -> str:
        item = self.attendees.item(row, column)
        return item.text().strip() if item else ""

    def attendee_list(self) -> list[mt.Attendee]:
        """The rows as typed (not validated); empty rows left out."""
        people = []
        for row in range(self.attendees.rowCount()):
            role = self.attendees.cellWidget(row, ROLE)
            present = self.attendees.item(row, PRESENT)
            person = mt.Attendee(self._text(row, NAME), self._text(row, TITLE), self._text(row, ORGANISATION),
                                 role.currentData() if role else mt.OTHER,
                                 present is None or present.checkState() == Qt.CheckState.Checked,
                                 self._text(row, REASON))
            if person.name or person.title or person.absence_reason:
                people.append(person)
        return people

    # ------------------------------------------------------------------ the record

    def load(self, meeting: mt.ReviewMeeting | None, organisations: tuple[str, ...] = mt.DEFAULT_ORGANISATIONS,
             problems: list[str] | None = None) -> None:
        self.organisations = organisations
        self.attendees.setRowCount(0)
        self.show_composition(problems or [])
        if meeting is None:
            for widget in (self.place, self.start_time, self.end_time, self.chair, self.chair_title,
                           self.secretary, self.secretary_title):
                widget.clear()
            self.content.clear()
            self.conclusions.clear()
            self.level.setCurrentIndex(0)
            return
        day = meeting.meeting_date
        self.date.setDate(QDate(day.year, day.month, day.day))
        for widget, text in ((self.place, meeting.place), (self.start_time, meeting.start_time),
                             (self.end_time, meeting.end_time), (self.chair, meeting.chair_name),
                             (self.chair_title, meeting.chair_title), (self.secretary, meeting.secretary_name),
                             (self.secretary_title, meeting.secretary_title)):
            widget.setText(text)
        for person in meeting.attendees:
            self.add_attendee(person)
        self.content.setPlainText(meeting.content)
        self.conclusions.setPlainText(meeting.conclusions)
        self.level.setCurrentIndex(max(0, self.level.findData(meeting.level_agreed)))

    def show_composition(self, problems: list[str]) -> None:
        if problems:
            self.composition.setText("<b>Thành phần chưa đủ theo Điều 9 khoản 1 điểm c:</b><br>"
                                     + "<br>".join(f"• {p}" for p in problems))
            self.composition.setStyleSheet("color: #8a4b00;")
        else:
            self.composition.setText("Thành phần họp xét đủ theo Điều 9 khoản 1 điểm c Thông tư 25/2023.")
            self.composition.setStyleSheet("color: #1b5e20;")

    def to_json(self) -> dict:
        return {"meeting_date": self.date.date().toString("yyyy-MM-dd"), "place": self.place.text(),
                "start_time": self.start_time.text(), "end_time": self.end_time.text(),
                "chair_name": self.chair.text(), "chair_title": self.chair_title.text(),
                "secretary_name": self.secretary.text(), "secretary_title": self.secretary_title.text(),
                "attendees": [a.to_json() for a in self.attendee_list()], "content": self.content.toPlainText(),
                "conclusions": self.conclusions.toPlainText(), "level_agreed": self.level.currentData()}
