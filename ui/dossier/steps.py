"""Where the year stands in chốt → ký → ghi → gửi, which steps are open, and what to do next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from app.dossier import records
from app.dossier.before_signing import key_problem
from ui.dossier.common import note

if TYPE_CHECKING:
    from app.storage.workspace import Workspace


@dataclass(frozen=True)
class Steps:
    """Where the year stands in chốt → ký → ghi → gửi (read off the GUI thread)."""

    year: int
    locked: bool
    key_problem: str  # "" once a key (or ký ngoài) is chosen
    package_version: int
    has_package: bool  # a package of the current version was written


def read_steps(ws: Workspace, year: int) -> Steps:
    info = ws.year(year)
    return Steps(year, info.locked, key_problem(records.signing_settings(ws)), info.package_version,
                 info.locked and records.latest_package(ws, year) is not None)


STEP_TITLES = ("1. Chốt hồ sơ", "2. Ký số", "3. Ghi gói hồ sơ", "4. Gửi thư điện tử")
VERIFY_TITLE = "Kiểm tra gói"


def blocked_reasons(steps: Steps) -> list[str]:
    """Per step, why it cannot be taken yet ("" when it can): each needs the one before it."""
    reasons = ["", f"Cần chốt hồ sơ năm {steps.year} ở bước 1 trước."]
    if not steps.locked:
        return reasons + [reasons[1]] * 2
    third = f"Cần chọn cách ký ở bước 2 trước: {steps.key_problem}" if steps.key_problem else ""
    # A package already written for the locked year can be sent whatever the signing settings say now.
    fourth = "" if steps.has_package else (third or "Cần lập và ghi gói hồ sơ ở bước 3 trước.")
    return ["", "", third, fourth]


def next_dossier_step(steps: Steps) -> tuple[int, str]:
    """The dossier step to take now (its tab index) and what to do there."""
    if not steps.locked:
        return 0, (f"Bước 1/4 — Chốt hồ sơ năm {steps.year}: khi mọi mục trong danh sách có dấu ✔, bấm "
                   "\"Chốt hồ sơ…\". Các bước ký, ghi và gửi mở sau khi chốt.")
    if steps.key_problem:
        return 1, f"Bước 2/4 — Chọn cách ký rồi bấm \"Lưu cài đặt ký số\". {steps.key_problem}"
    if not steps.has_package:
        return 2, ("Bước 3/4 — Chọn ổ USB hoặc thư mục, rồi bấm \"Lập, ký và ghi gói hồ sơ\". Mật khẩu hoặc mã "
                   "PIN chỉ được hỏi sau khi mọi điều kiện đã được kiểm tra.")
    return 3, (f"Bước 4/4 — Gói hồ sơ phiên bản {steps.package_version} đã ghi. Gửi qua thư điện tử ở bước 4, "
               "hoặc nộp ổ USB đã ghi.")


class StepPage(QWidget):
    """One step's tab: the step itself, greyed while closed, under a line saying why it is closed."""

    def __init__(self, step: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.step = step
        self.notice = note()
        self.notice.setObjectName("stepClosed")
        self.notice.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notice)
        layout.addWidget(step, 1)

    def set_blocked(self, reason: str) -> None:
        self.notice.setText(f"Bước này chưa mở. {reason}")
        self.notice.setVisible(bool(reason))
        self.step.setEnabled(not reason)

    def blocked(self) -> bool:
        return not self.step.isEnabled()
