"""Step 1 of the dossier page: chốt hồ sơ (lock the year's data) or unlock it with a reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.dossier import finalize, records
from app.text import format_local_time
from ui.context import AppContext
from ui.dialogs import confirm
from ui.dossier.common import ask_text, note
from ui.tasks import run_in_background, show_error

if TYPE_CHECKING:
    from app.progress import ProgressState


class FinalizeTab(QWidget):
    """Step 1: the pre-flight list with ✔/✘ and reasons; "Chốt hồ sơ…" after confirming what the lock freezes,
    and "Mở khóa…" with a reason."""

    finalized = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._info = None
        self._frozen = ""
        layout = QVBoxLayout(self)
        self.status = note()
        layout.addWidget(self.status)
        self.checks = QTreeWidget()
        self.checks.setHeaderHidden(True)
        self.checks.setWordWrap(True)
        layout.addWidget(self.checks, 1)
        buttons = QHBoxLayout()
        self.finalize_button = QPushButton("Chốt hồ sơ…")
        self.finalize_button.setObjectName("primary")
        self.unlock_button = QPushButton("Mở khóa…")
        self.finalize_button.clicked.connect(self.finalize)
        self.unlock_button.clicked.connect(self.unlock)
        buttons.addWidget(self.finalize_button)
        buttons.addWidget(self.unlock_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def refresh(self) -> None:
        year = self.ctx.year
        if year is None:
            self.status.setText("Chưa có năm đánh giá.")
            return
        ws = self.ctx.ws

        def load(_progress: ProgressState) -> tuple[Any, ...]:
            info = ws.year(year)
            return (info, finalize.preflight(ws, year), records.package_uuid(ws, year) if info.locked else None,
                    len(ws.catalogue(year).indicators))

        run_in_background(load).success(self._show).failure(lambda e: show_error(self, e)).run()

    def _show(self, loaded: tuple[Any, ...]) -> None:
        info, items, uuid, indicator_count = loaded
        self._info = info
        self._frozen = frozen_text(indicator_count)
        self.checks.clear()
        for item in items:
            node = QTreeWidgetItem([f"{'✔' if item.ok else '✘'}  {item.label}"])
            node.setForeground(0, Qt.GlobalColor.darkGreen if item.ok else Qt.GlobalColor.darkRed)
            for problem in item.problems:
                QTreeWidgetItem(node, [problem])
            self.checks.addTopLevelItem(node)
            node.setExpanded(True)
        ready = all(item.ok for item in items)
        if info.locked:
            self.status.setText(f"Hồ sơ năm {info.year} ĐÃ CHỐT lúc {format_local_time(info.locked_at)} — phiên bản "
                                f"gói {info.package_version}, mã gói {uuid}. Đang khóa: {self._frozen}. Muốn sửa, "
                                "bấm \"Mở khóa…\" và nêu lý do; lần chốt sau lập phiên bản gói mới.")
        else:
            self.status.setText(f"Hồ sơ năm {info.year} đang nhập liệu. "
                                + ("Đã đủ điều kiện chốt hồ sơ." if ready else "Còn các mục ✘ dưới đây cần hoàn thành."))
        self.finalize_button.setEnabled(not info.locked and ready)
        self.finalize_button.setToolTip("" if info.locked or ready else "Còn mục ✘ trong danh sách kiểm tra.")
        self.unlock_button.setEnabled(info.locked)

    def finalize(self) -> None:
        info = self._info
        if info is None or info.locked:
            return
        if not confirm(self, f"Chốt hồ sơ năm {info.year}?",
                       f"Sau khi chốt, không sửa được: {self._frozen}. Các văn bản được lập thành gói hồ sơ "
                       f"phiên bản {info.package_version + 1} để ký và gửi đi.\n\nMuốn sửa lại phải mở khóa "
                       "(nêu lý do, được ghi vào nhật ký); lần chốt sau lập phiên bản gói mới.", "Chốt hồ sơ"):
            return
        year, ws = info.year, self.ctx.ws
        run_in_background(lambda _p: finalize.finalize(ws, year)).success(self._finalized) \
            .failure(lambda e: show_error(self, e)).run()

    def _finalized(self, changes: Changes) -> None:
        self.ctx.apply(changes)
        self.finalized.emit()

    def unlock(self) -> None:
        reason = ask_text(self, "Mở khóa hồ sơ", "Lý do mở khóa (được ghi vào nhật ký thay đổi):")
        if reason is None:
            return
        year = self.ctx.year
        if year is None:
            return
        run_in_background(lambda _p: finalize.unlock(self.ctx.ws, year, reason)).success(self.ctx.apply) \
            .failure(lambda e: show_error(self, e)).run()


def frozen_text(indicator_count: int) -> str:
    """What chốt hồ sơ freezes (every mutation of a finalized year is refused by the core)."""
    return (f"số liệu và nội dung của {indicator_count} chỉ tiêu, minh chứng và giải trình, nội dung báo cáo, "
            "biên bản họp xét")
