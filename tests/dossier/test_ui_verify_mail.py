"""The "Kiểm tra gói" and "Gửi thư điện tử" tabs driven like a person: typing, clicking the real buttons,
answering the real dialogs; the three verdicts, the register of communes, trust on first use, the outbox."""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QEvent, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWidget  # noqa: E402

from app.storage.workspace import Workspace  # noqa: E402
from tests.dossier.conftest import YEAR, build_signed  # noqa: E402

SHOTS = Path(os.environ["CDHT_DOSSIER_SHOTS"]) if os.environ.get("CDHT_DOSSIER_SHOTS") else None


def type_text(widget: QWidget, text: str) -> None:
    """Type like a person, one key event per character (QTest.keyClicks aborts on Vietnamese letters)."""
    widget.setFocus()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def answer_next_dialog(action) -> None:
    """Act on the next modal dialog as soon as it is shown (its exec() runs its own event loop)."""
    def fire() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or not widget.isVisible():
            QTimer.singleShot(20, fire)
            return
        action(widget)

    QTimer.singleShot(0, fire)


def click_yes(box: QMessageBox) -> None:
    box.button(QMessageBox.StandardButton.Yes).click()


def idle() -> None:
    from ui.tasks import wait_for_idle

    for _ in range(3):
        wait_for_idle(30_000)


def shot(widget: QWidget, name: str, tmp_path: Path) -> Path:
    idle()
    target = (SHOTS or tmp_path) / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(target))
    return target


@pytest.fixture
def page(qapp, built, tmp_path, monkeypatch):
    from ui.context import AppContext
    from ui.dossier.page import DossierPage
    from ui.theme import apply_theme

    apply_theme(qapp)
    monkeypatch.setenv("CDHT_DATA_DIR", str(tmp_path / "data"))
    shutil.copytree(built.folder, tmp_path / "xa")
    ws = Workspace.open(tmp_path / "xa" / "cdht.sqlite3")
    widget = DossierPage(AppContext(ws, YEAR))
    widget.resize(1366, 768)
    widget.show()
    idle()
    yield widget
    idle()
    widget.close()
    ws.close()


def verify_through_the_form(tab, package: Path, trust: Path | None = None) -> None:
    tab.package.clear()
    type_text(tab.package, str(package))
    tab.trust.clear()
    if trust is not None:
        type_text(tab.trust, str(trust))
    tab.check_button.click()
    idle()


@pytest.fixture(scope="module")
def other_signed(ready_template, pki, tmp_path_factory):
    from app.dossier.signing import Pkcs12Key

    return build_signed(ready_template, tmp_path_factory.mktemp("ui-kien-hung"),
                        Pkcs12Key(pki.other_commune_p12, pki.p12_password)).package


def test_the_three_verdicts_and_trust_on_first_use(page, built, other_signed, pki, tmp_path):
    tab = page.verify_tab
    page.tabs.setCurrentWidget(tab)
    verify_through_the_form(tab, built.package, pki.ca_pem)
    assert tab.summary.text().startswith("Gói hồ sơ hợp lệ và nguyên vẹn: do UBND xã Đồng Tiến (Thái Nguyên) ký")
    assert "#1b7f3b" in tab.summary.styleSheet() and not tab.tofu_button.isEnabled()
    assert pki.signer_fingerprint in tab.signer.text()
    shot(page, "dossier_verify_valid", tmp_path)

    verify_through_the_form(tab, other_signed, pki.ca_pem)
    assert tab.summary.text().startswith("Gói nguyên vẹn nhưng người ký KHÔNG được xác nhận là UBND xã Đồng Tiến")
    assert "#8a5a00" in tab.summary.styleSheet() and tab.tofu_button.isEnabled()
    assert tab.summary.height() >= tab.summary.heightForWidth(tab.summary.width())  # never cut to one line
    shot(page, "dossier_verify_unbound", tmp_path)
    registry_file = tab.registry_path()
    assert not registry_file.exists()  # checking never adds anything by itself

    answer_next_dialog(lambda box: box.button(QMessageBox.StandardButton.No).click())
    tab.tofu_button.click()
    idle()
    assert not registry_file.exists()  # "Không": nothing recorded

    answer_next_dialog(click_yes)
    tab.tofu_button.click()
    idle()
    saved = json.loads(registry_file.read_text(encoding="utf-8"))
    assert saved["communes"][0]["fingerprints"] == [pki.other_commune_fingerprint]
    assert tab.registry.table.rowCount() == 1 and tab.registry.table.item(0, 0).text() == "Đồng Tiến"
    assert tab.summary.text().startswith("Gói hồ sơ hợp lệ và nguyên vẹn")  # checked again with the register
    assert not tab.tofu_button.isEnabled()

    damaged = bytearray(built.package.read_bytes())
    damaged[len(damaged) // 3] ^= 0xFF
    (tmp_path / "hong.zip").write_bytes(bytes(damaged))
    verify_through_the_form(tab, tmp_path / "hong.zip", pki.ca_pem)
    assert tab.summary.text().startswith("GÓI HỒ SƠ KHÔNG HỢP LỆ: ")
    assert "#b3261e" in tab.summary.styleSheet() and not tab.tofu_button.isEnabled()
    shot(page, "dossier_verify_invalid", tmp_path)


def test_the_register_is_managed_from_the_tab(page, pki, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    tab = page.verify_tab
    page.tabs.setCurrentWidget(tab)
    box = tab.registry

    def fill(dialog) -> None:
        type_text(dialog.commune, "Kiến Hưng")
        type_text(dialog.province, "Thành phố Hà Nội")
        type_text(dialog.certificate, str(pki.signer_cert_pem))
        type_text(dialog.contact, "ubnd.kienhung@hanoi.gov.vn")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    answer_next_dialog(fill)
    box.add_button.click()
    idle()
    assert box.table.rowCount() == 1
    assert [box.table.item(0, c).text() for c in (0, 1, 2, 3)] == [
        "Kiến Hưng", "Thành phố Hà Nội", pki.signer_fingerprint, "ubnd.kienhung@hanoi.gov.vn"]
    assert "Đã lưu xã Kiến Hưng" in box.status.text()
    shot(page, "dossier_registry", tmp_path)

    def wrong(dialog) -> None:
        type_text(dialog.commune, "Tân Lập")
        type_text(dialog.province, "Phú Thọ")
        type_text(dialog.fingerprint, "khong-phai-dau-van-tay")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        answer_next_dialog(lambda error_box: error_box.button(QMessageBox.StandardButton.Ok).click())

    answer_next_dialog(wrong)
    box.add_button.click()
    idle()
    assert box.table.rowCount() == 1  # the bad fingerprint was refused with a message, nothing half-saved

    exported = tmp_path / "so-xuat.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(exported), ""))
    box.export_button.click()
    idle()
    assert json.loads(exported.read_text(encoding="utf-8"))["format"] == "cdht-registry/1"

    box.table.selectRow(0)
    answer_next_dialog(click_yes)
    box.remove_button.click()
    idle()
    assert box.table.rowCount() == 0

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(exported), ""))
    box.import_button.click()
    idle()
    assert box.table.rowCount() == 1 and "thêm 1 xã" in box.status.text()


def test_the_mail_tab_queues_sends_and_says_what_it_did(page, built, tmp_path):
    from tests.dossier.test_outbox import Inbox, Server, free_port

    tab = page.mail_tab
    page.tabs.setCurrentWidget(tab)
    port = free_port()
    tab.host.clear()
    type_text(tab.host, "127.0.0.1")
    tab.port.setValue(port)
    tab.security.setCurrentIndex(tab.security.findData("none"))
    type_text(tab.sender_address, "ubnd@dongtien.example.vn")
    tab.max_mb.setValue(1)
    tab.save_button.click()
    idle()
    type_text(tab.recipient, "phong-gddt@so-gd.example.vn")
    with Server(port, Inbox()) as inbox:
        tab.test_button.click()
        idle()
        assert tab.status.text().startswith("Kết nối được máy chủ thư 127.0.0.1")
        tab.queue_button.click()
        idle()
    assert "Đã gửi" in tab.status.text() and "hộp thư đi không còn thư chờ" in tab.status.text()
    count = tab.messages.rowCount()
    assert count >= 1 and len(inbox.messages) == count
    assert all(tab.messages.item(r, 0).text() == "Đã gửi" for r in range(count))
    assert tab.messages.item(0, 6).text().startswith("đã gửi ") and " ngày " in tab.messages.item(0, 6).text()
    shot(page, "dossier_mail_sent", tmp_path)
    tab.send_button.click()
    idle()
    assert tab.status.text().startswith("Không có thư nào đến lượt gửi")
    tab.retry_button.click()
    idle()
    assert tab.status.text() == "Không có thư gửi thất bại nào để xếp lại."

