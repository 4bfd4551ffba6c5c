"""The recipient's dialogs: the agency (first start), the council, receiving packages, the decision and the
signing key for result packages. Each collects values; the window runs the service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import cast

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.catalogue import catalogue_for_year
from app.recipient.appraisal import MODES, ROLES, Council, CouncilMember, council_problems
from app.recipient.workspace import DEFAULT_AGENCY, Agency
from ui.dialogs import button_box
from ui.widgets.verdict import wrapped


def _date_edit(day: dt.date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    return edit


def _python_date(edit: QDateEdit) -> dt.date:
    value = edit.date()
    return dt.date(value.year(), value.month(), value.day())


class _Form(QDialog):
    """A titled form with an error line and Đồng ý/Hủy; `check()` returns the error to show, or ''."""

    def __init__(self, title: str, intro: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = wrapped(object_name="error")
        self.error.hide()
        self.buttons = button_box(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if intro:
            layout.addWidget(wrapped(intro, object_name="muted"))
        layout.addLayout(self.form)
        self.extra = QVBoxLayout()
        layout.addLayout(self.extra)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def check(self) -> str:
        return ""

    def _accept(self) -> None:
        problem = self.check()
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.accept()


class AgencyDialog(_Form):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Cơ quan tiếp nhận hồ sơ", "Tên cơ quan và tỉnh được in trên mọi văn bản của Hội đồng và "
                                                    "của cơ quan; có thể sửa sau.", parent)
        self.agency = QLineEdit(DEFAULT_AGENCY)
        self.province = QLineEdit()
        self.province.setPlaceholderText("Ví dụ: Thái Nguyên (không cần chữ \"tỉnh\")")
        self.head_title = QLineEdit("Giám đốc")
        self.head_name = QLineEdit()
        self.head_name.setPlaceholderText("Họ và tên người ký quyết định")
        self.user_name = QLineEdit()
        self.user_name.setPlaceholderText("Tên của bạn, ghi vào nhật ký thay đổi")
        for label, widget in (("Cơ quan:", self.agency), ("Tỉnh, thành phố:", self.province),
                              ("Chức vụ người ký:", self.head_title), ("Người ký:", self.head_name),
                              ("Người sử dụng:", self.user_name)):
            self.form.addRow(label, widget)

    def check(self) -> str:
        if not self.agency.text().strip() or not self.province.text().strip():
            return "Hãy nhập tên cơ quan và tỉnh, thành phố."
        return ""

    def value(self) -> Agency:
        return Agency(self.agency.text(), self.province.text(), head_title=self.head_title.text(),
                      head_name=self.head_name.text())


class CouncilDialog(_Form):
    """Members (name, role, title), the way the council works, its founding decision and sitting date."""

    def __init__(self, year: int, council: Council | None, parent: QWidget | None = None) -> None:
        super().__init__(f"Hội đồng đánh giá năm {year}", "Hội đồng gồm Chủ tịch, Thư ký và các ủy viên, số thành viên "
                                                          "lẻ, tối thiểu 05 người (Điều 9 khoản 2 Thông tư 25/2023).",
                         parent)
        self.mode = QComboBox()
        self.mode.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for key, label in MODES.items():
            self.mode.addItem(label[:1].upper() + label[1:], key)
        self.basis = QLineEdit(council.basis if council else "")
        self.basis.setPlaceholderText("Ví dụ: Quyết định số 45/QĐ-SGDĐT ngày 02/3/2026 về việc thành lập Hội đồng")
        self.sitting = _date_edit(council.sitting_date if council and council.sitting_date else dt.date.today())
        if council:
            self.mode.setCurrentIndex(list(MODES).index(council.mode))
        self.form.addRow("Hình thức:", self.mode)
        self.form.addRow("Căn cứ thành lập:", self.basis)
        self.form.addRow("Ngày họp / lấy ý kiến:", self.sitting)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(("Họ và tên", "Vai trò", "Chức vụ, cơ quan"))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 180)
        widest = max(self.fontMetrics().horizontalAdvance(label) for label in ROLES.values())
        self.table.setColumnWidth(1, widest + 48)
        self.add_button = QPushButton("Thêm thành viên")
        self.remove_button = QPushButton("Bỏ thành viên đã chọn")
        self.add_button.clicked.connect(lambda: self.add_member())
        self.remove_button.clicked.connect(self._remove)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        self.extra.addWidget(self.table)
        self.extra.addLayout(row)
        for member in council.members if council else ():
            self.add_member(member)
        if not council:
            for role in ("chair", "secretary", "member", "member", "member"):
                self.add_member(CouncilMember("", role))
        self.setMinimumSize(720, 480)

    def add_member(self, member: CouncilMember | None = None) -> None:
        member = member or CouncilMember("", "member")
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(member.name))
        role = QComboBox()
        for key, label in ROLES.items():
            role.addItem(label, key)
        role.setCurrentIndex(list(ROLES).index(member.role))
        self.table.setCellWidget(row, 1, role)
        self.table.setItem(row, 2, QTableWidgetItem(member.title))

    def _remove(self) -> None:
        for index in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(index)

    def members(self) -> list[CouncilMember]:
        found = []
        for row in range(self.table.rowCount()):
            name_item, title_item = self.table.item(row, 0), self.table.item(row, 2)
            name = (name_item.text() if name_item else "").strip()
            title = (title_item.text() if title_item else "").strip()
            if name:
                role = cast(QComboBox, self.table.cellWidget(row, 1))  # the role picker this table puts in column 1
                found.append(CouncilMember(name, role.currentData(), title))
        return found

    def check(self) -> str:
        return " ".join(council_problems(tuple(self.members())))

    def values(self) -> tuple[str, list[CouncilMember], str, dt.date]:
        return self.mode.currentData(), self.members(), self.basis.text(), _python_date(self.sitting)


class IntakeDialog(_Form):
    """Where the packages are (a folder or USB drive, or mail files) and the day they were handed in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Nhận hồ sơ", "Chọn thư mục (ổ USB) chứa các gói hồ sơ — mọi thư mục con đều được duyệt — "
                                       "hoặc các tệp thư .eml/.mbox. Gói trùng được nhận ra và không lưu lại.", parent)
        self.path = QLineEdit()
        self.path.setPlaceholderText("Thư mục hoặc tệp")
        folder = QPushButton("Chọn thư mục…")
        files = QPushButton("Chọn tệp…")
        folder.clicked.connect(self._folder)
        files.clicked.connect(self._files)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(folder)
        row.addWidget(files)
        self.form.addRow("Nguồn:", row)
        self.received = _date_edit(dt.date.today())
        self.form.addRow("Ngày nhận:", self.received)
        self.paths: list[Path] = []

    def _folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Thư mục chứa gói hồ sơ")
        if chosen:
            self.path.setText(chosen)

    def _files(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "Gói hồ sơ hoặc tệp thư", "",
                                                 "Gói hồ sơ, phần thư, tệp thư (*.zip *.parts.json *.eml *.mbox)")
        if chosen:
            self.path.setText(" | ".join(chosen))

    def check(self) -> str:
        self.paths = [Path(p.strip()) for p in self.path.text().split("|") if p.strip()]
        missing = [str(p) for p in self.paths if not p.exists()]
        if not self.paths:
            return "Hãy chọn thư mục hoặc tệp cần nhận."
        if missing:
            return f"Không tìm thấy: {', '.join(missing)}."
        return ""

    def received_on(self) -> dt.date:
        return _python_date(self.received)


class ImapDialog(_Form):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Nhận hồ sơ từ hộp thư", "Chỉ đọc thư, không đánh dấu hay xóa thư trên máy chủ. Mật khẩu "
                                                  "không được lưu.", parent)
        self.host = QLineEdit()
        self.host.setPlaceholderText("Ví dụ: mail.thainguyen.gov.vn")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(993)
        self.security = QComboBox()
        for key, label in (("ssl", "SSL/TLS"), ("starttls", "STARTTLS"), ("none", "Không mã hóa")):
            self.security.addItem(label, key)
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.mailbox = QLineEdit("INBOX")
        for label, widget in (("Máy chủ IMAP:", self.host), ("Cổng:", self.port), ("Bảo mật:", self.security),
                              ("Tên đăng nhập:", self.user), ("Mật khẩu:", self.password), ("Hộp thư:", self.mailbox)):
            self.form.addRow(label, widget)

    def check(self) -> str:
        return "" if self.host.text().strip() and self.user.text().strip() else "Hãy nhập máy chủ và tên đăng nhập."


class DecisionDialog(_Form):
    def __init__(self, year: int, parent: QWidget | None = None) -> None:
        super().__init__(f"Ghi quyết định công nhận năm {year}",
                         "Ghi số và ngày của Quyết định công nhận đã được ký ban hành. Xã đạt được công nhận (hiệu lực "
                         f"{catalogue_for_year(year).validity_months} tháng kể từ ngày quyết định); xã chưa đạt nhận "
                         "công văn trả lời nêu lý do.", parent)
        self.number = QLineEdit()
        self.number.setPlaceholderText("Ví dụ: 123 hoặc 123/QĐ-SGDĐT")
        self.date = _date_edit(dt.date.today())
        self.reply_from = QSpinBox()
        self.reply_from.setRange(0, 99999)
        self.reply_from.setSpecialValueText("Để trống (văn thư ghi số)")
        self.include_pending = QCheckBox("Ghi cả khi còn hồ sơ chưa thẩm định xong")
        self.form.addRow("Số quyết định:", self.number)
        self.form.addRow("Ngày quyết định:", self.date)
        self.form.addRow("Số công văn trả lời đầu tiên:", self.reply_from)
        self.form.addRow(self.include_pending)

    def check(self) -> str:
        return "" if self.number.text().strip() else "Hãy nhập số quyết định."


class ResultsDialog(_Form):
    def __init__(self, year: int, parent: QWidget | None = None) -> None:
        super().__init__(f"Gói kết quả gửi các xã — năm {year}",
                         "Mỗi xã một gói đã ký số bằng chứng thư của cơ quan: quyết định công nhận hoặc công văn trả "
                         "lời, kèm kết quả thẩm định từng chỉ tiêu. Mật khẩu không được lưu.", parent)
        self.out = QLineEdit()
        self.p12 = QLineEdit()
        self.p12.setPlaceholderText("Tệp chứng thư số của cơ quan (.p12, .pfx)")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for label, line, pick in (("Thư mục ghi:", self.out, self._out), ("Chứng thư số:", self.p12, self._p12)):
            button = QPushButton("Chọn…")
            button.clicked.connect(pick)
            row = QHBoxLayout()
            row.addWidget(line, 1)
            row.addWidget(button)
            self.form.addRow(label, row)
        self.form.addRow("Mật khẩu chứng thư:", self.password)

    def _out(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Thư mục ghi gói kết quả")
        if chosen:
            self.out.setText(chosen)

    def _p12(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Chứng thư số", "", "PKCS#12 (*.p12 *.pfx)")
        if chosen:
            self.p12.setText(chosen)

    def check(self) -> str:
        if not self.out.text().strip() or not Path(self.p12.text().strip()).is_file():
            return "Hãy chọn thư mục ghi và tệp chứng thư số."
        return ""


class ReportDialog(QDialog):
    """A list of outcomes (what was received, what was refused and why) and its summary."""

    def __init__(self, title: str, summary: str, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.summary = wrapped(summary)
        self.summary.setObjectName("headline")
        self.text = QPlainTextEdit("\n".join(lines))
        self.text.setReadOnly(True)
        buttons = button_box(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(820, 460)
