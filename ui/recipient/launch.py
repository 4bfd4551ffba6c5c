"""Opening the recipient's workspace: `cdht-gui --recipient`, or the "Cơ quan tiếp nhận hồ sơ" choice at first start.

The register lives in its own folder (`‹thư mục dữ liệu›/tiep-nhan`), held by the single-writer lock while open.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import CdhtError
from app.recipient.workspace import DATABASE_NAME, RecipientWorkspace

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from app.storage.lock import WriterLock
    from ui.recipient.window import RecipientWindow

RECIPIENT_FLAG = "--recipient"
FOLDER = "tiep-nhan"


def register_path(data_folder: Path) -> Path:
    return data_folder / FOLDER / DATABASE_NAME


class RecipientSession:
    """The open register, its lock and its window (kept together so that closing one closes all)."""

    def __init__(self, rws: RecipientWorkspace, lock: WriterLock, window: RecipientWindow) -> None:
        self.rws, self.lock, self.window = rws, lock, window


def open_recipient(data_folder: Path, parent: QWidget | None = None) -> RecipientSession | None:
    """Open (on first use: set up) the register and show its window; None when the user cancels the set-up."""
    from PySide6.QtCore import Qt

    from app.storage.lock import acquire_single_writer
    from ui.recipient.dialogs import AgencyDialog
    from ui.recipient.window import RecipientWindow

    path = register_path(data_folder)
    lock = acquire_single_writer(path.parent)
    rws = RecipientWorkspace.open(path)
    if not rws.has_agency():
        dialog = AgencyDialog(parent)
        if not dialog.exec():
            rws.close()
            lock.release()
            return None
        if dialog.user_name.text().strip():
            rws.write_setting("user_name", dialog.user_name.text().strip())
            rws.user = dialog.user_name.text().strip()
        rws.save_agency(dialog.value())
    window = RecipientWindow(rws)
    def release(*_: object) -> None:
        rws.close()
        lock.release()

    window.destroyed.connect(release)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return RecipientSession(rws, lock, window)


def main(argv: list[str]) -> int:
    """`cdht-gui --recipient`."""
    from ui.dialogs import message_box
    from ui.locations import data_dir
    from ui.main import create_application

    app = create_application([a for a in argv if a != RECIPIENT_FLAG])
    try:
        session = open_recipient(data_dir())
    except CdhtError as error:
        message_box(None, "Không mở được sổ tiếp nhận", error.message, kind="error")
        return 1
    if session is None:
        return 0
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
