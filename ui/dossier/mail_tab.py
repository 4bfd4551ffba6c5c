"""Step 4 of the dossier page: the e-mail outbox (SMTP settings, queue, send and retry)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.dossier import outbox, records
from app.errors import InputError
from app.text import format_local_time
from ui.context import AppContext
from ui.dossier.common import ask_text, fill, note, table
from ui.dossier.registry_ui import FittingLabel
from ui.tasks import run_in_background, show_error

if TYPE_CHECKING:
    from app.progress import ProgressState

AUTO_SEND_MS = 60_000


class MailTab(QWidget):
    """SMTP settings, queueing the package, and the outbox with each message's state; sends in the background."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._password: str | None = None  # kept in memory for this session only
        layout = QVBoxLayout(self)
        settings_box = QGroupBox("Máy chủ thư đi (SMTP)")
        form = QFormLayout(settings_box)
        self.host = QLineEdit()
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.security = QComboBox()
        for key, label in outbox.SECURITY.items():
            self.security.addItem(label, key)
        self.username = QLineEdit()
        self.sender_address = QLineEdit()
        self.max_mb = QSpinBox()
        self.max_mb.setRange(1, 100)
        self.max_mb.setSuffix(" MB mỗi thư")
        self.remember = QCheckBox("Lưu mật khẩu vào két mật khẩu của hệ điều hành")
        form.addRow("Máy chủ:", self.host)
        form.addRow("Cổng:", self.port)
        form.addRow("Bảo mật:", self.security)
        form.addRow("Tên đăng nhập:", self.username)
        form.addRow("Địa chỉ người gửi:", self.sender_address)
        form.addRow("Giới hạn tệp đính kèm:", self.max_mb)
        form.addRow("", self.remember)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Lưu cài đặt thư")
        self.save_button.clicked.connect(self.save)
        self.test_button = QPushButton("Thử kết nối")
        self.test_button.clicked.connect(self.test_connection)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        form.addRow("", buttons)
        layout.addWidget(settings_box)
        row = QHBoxLayout()
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText("địa chỉ thư của Phòng/Sở Giáo dục và Đào tạo")
        self.queue_button = QPushButton("Xếp gói đã lập vào hộp thư đi")
        self.queue_button.clicked.connect(self.queue)
        self.send_button = QPushButton("Gửi ngay")
        self.send_button.clicked.connect(lambda: self.send(interactive=True))
        self.retry_button = QPushButton("Xếp lại thư gửi lỗi")
        self.retry_button.clicked.connect(self.retry_failed)
        row.addWidget(QLabel("Gửi tới:"))
        row.addWidget(self.recipient, 1)
        row.addWidget(self.queue_button)
        row.addWidget(self.send_button)
        row.addWidget(self.retry_button)
        layout.addLayout(row)
        layout.addWidget(note("Thư điện tử có thể tới nơi nhận hai lần (ví dụ khi mạng ngắt đúng lúc máy chủ vừa nhận "
                              "thư). Mỗi phần mang mã gói, số thứ tự và mã băm nên bản trùng được bỏ qua khi ghép."))
        self.status = FittingLabel()
        layout.addWidget(self.status)
        self.messages = table(["Trạng thái", "Người nhận", "Năm", "Phiên bản", "Phần", "Lần gửi", "Lúc",
                               "Ghi chú"])
        layout.addWidget(self.messages, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(AUTO_SEND_MS)
        self.timer.timeout.connect(lambda: self.send(interactive=False))
        self.timer.start()

    def refresh(self) -> None:
        def load(_p: ProgressState) -> tuple[outbox.MailSettings, list[outbox.OutboxMessage]]:
            return outbox.mail_settings(self.ctx.ws), outbox.outbox_messages(self.ctx.ws)

        run_in_background(load).success(self._show).run()

    def _show(self, loaded: tuple[outbox.MailSettings, list[outbox.OutboxMessage]]) -> None:
        settings, messages = loaded
        self.host.setText(settings.host)
        self.port.setValue(settings.port)
        self.security.setCurrentIndex(max(0, self.security.findData(settings.security)))
        self.username.setText(settings.username)
        self.sender_address.setText(settings.sender)
        self.max_mb.setValue(max(1, settings.max_attachment_bytes // 1_000_000))
        fill(self.messages, [[m.state_label, m.recipient, str(m.year), str(m.version), f"{m.part_index}/{m.part_count}",
                              str(m.attempts), self._when(m), m.last_error if m.state != "sent" else ""]
                             for m in messages])

    @staticmethod
    def _when(message: outbox.OutboxMessage) -> str:
        """When it was sent, or when it will be tried again."""
        if message.state == "sent":
            return f"đã gửi {format_local_time(message.sent_at)}" if message.sent_at else ""
        if message.state == "queued":
            return f"gửi lúc {format_local_time(message.next_try_at)}"
        return ""

    def current_settings(self) -> outbox.MailSettings:
        return outbox.MailSettings(self.host.text(), self.port.value(), self.security.currentData(),
                                   self.username.text(), self.sender_address.text(), self.max_mb.value() * 1_000_000)

    def save(self) -> None:
        settings = self.current_settings()
        if settings.username and self.remember.isChecked():
            password = ask_text(self, "Mật khẩu thư điện tử", f"Mật khẩu của {settings.username}:", secret=True)
            if password:
                self._password = password
                if not outbox.remember_password(settings, password):
                    self.status.setText("Máy này không có két mật khẩu; mật khẩu sẽ được hỏi mỗi lần mở ứng dụng.")
        run_in_background(lambda _p: outbox.save_mail_settings(self.ctx.ws, settings)).success(self.ctx.apply) \
            .failure(lambda e: show_error(self, e)).run()

    def _ensure_password(self, settings: outbox.MailSettings, interactive: bool) -> bool:
        """The SMTP password for this session: from memory, the OS keyring, or (interactively) a dialog."""
        if not settings.username or self._password is not None:
            return True
        self._password = outbox.stored_password(settings)
        if self._password is None and interactive:
            self._password = ask_text(self, "Mật khẩu thư điện tử", f"Mật khẩu của {settings.username}:", secret=True)
        return self._password is not None

    def test_connection(self) -> None:
        settings = self.current_settings()
        if not self._ensure_password(settings, interactive=True):
            return
        password = self._password
        run_in_background(lambda _p: outbox.check_connection(settings, password), uses_db=False) \
            .success(self.status.setText).failure(lambda e: show_error(self, e)) \
            .with_progress(self, "Đang thử kết nối máy chủ thư…").run()

    def queue(self) -> None:
        year, recipient = self.ctx.year, self.recipient.text()
        if year is None:
            return

        def work(_p: ProgressState) -> outbox.QueueResult:
            record = records.latest_package(self.ctx.ws, year)
            if record is None:
                raise InputError("Chưa có gói hồ sơ cho phiên bản hiện tại; hãy lập gói ở thẻ Xuất gói trước.")
            return outbox.queue_package(self.ctx.ws, Path(record.path), recipient)

        def queued(result: outbox.QueueResult) -> None:
            self.status.setText(result.describe() + " Thư sẽ tự gửi khi có mạng.")
            self.ctx.apply(Changes(documents=True))
            self.send(interactive=True)

        run_in_background(work).success(queued) \
            .failure(lambda e: show_error(self, e)).with_progress(self, "Đang chia gói thành các tệp đính kèm…").run()

    def retry_failed(self) -> None:
        def requeued(count: int) -> None:
            self.status.setText(f"Đã xếp lại {count} thư gửi lỗi, từ đúng các phần đã xếp trước." if count
                                else "Không có thư gửi thất bại nào để xếp lại.")
            self.refresh()

        run_in_background(lambda _p: outbox.requeue_failed(self.ctx.ws)).success(requeued) \
            .failure(lambda e: show_error(self, e)).run()

    def send(self, interactive: bool) -> None:
        settings = self.current_settings()
        if not self._ensure_password(settings, interactive):
            return
        password = self._password

        def work(_p: ProgressState) -> outbox.FlushResult | None:
            if not interactive and outbox.pending_count(self.ctx.ws) == 0:
                return None
            return outbox.flush_outbox(self.ctx.ws, password)

        run_in_background(work).success(self._sent).failure(lambda e: show_error(self, e) if interactive else None).run()

    def _sent(self, result: outbox.FlushResult | None) -> None:
        if result is None:
            return
        if result.error and "mật khẩu" in result.error:
            self._password = None
        self.status.setText(result.describe())
        self.refresh()
