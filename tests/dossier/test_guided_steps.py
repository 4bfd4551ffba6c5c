"""The Hồ sơ page as a guided sequence, driven by clicks and typing: chốt → ký số → ghi gói → gửi; nothing secret
is asked before the checks pass; the chosen token certificate's serial is kept."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox, QInputDialog, QLineEdit, QMessageBox  # noqa: E402

from app.dossier import records  # noqa: E402
from app.dossier.before_signing import check_before_signing, key_problem, signing_key  # noqa: E402
from app.dossier.signing import TokenKey  # noqa: E402
from app.errors import InputError  # noqa: E402
from app.storage.workspace import Workspace  # noqa: E402
from tests.dossier.conftest import YEAR  # noqa: E402
from tests.ui.conftest import type_text, when_modal  # noqa: E402

LEFT = Qt.MouseButton.LeftButton
LOCAL_TIME = re.compile(r"^\d{2}:\d{2} ngày \d{2}/\d{2}/\d{4}$")


@pytest.fixture
def page(qtbot, qapp, tmp_path, monkeypatch, ready_template):
    from ui.context import AppContext
    from ui.dossier.page import DossierPage
    from ui.i18n import install_vietnamese
    from ui.tasks import wait_for_idle
    from ui.theme import apply_theme

    apply_theme(qapp)
    install_vietnamese(qapp)
    monkeypatch.setenv("CDHT_DATA_DIR", str(tmp_path / "data"))
    shutil.copytree(ready_template, tmp_path / "xa")
    ws = Workspace.open(tmp_path / "xa" / "cdht.sqlite3", user="Văn thư xã")
    dossier = DossierPage(AppContext(ws, YEAR))
    qtbot.addWidget(dossier)
    dossier.resize(1000, 700)
    dossier.show()
    wait_for_idle()
    yield dossier
    wait_for_idle()
    ws.close()


def settle() -> None:
    from ui.tasks import wait_for_idle

    for _ in range(3):
        wait_for_idle()


def click_button(dialog, text: str) -> None:
    next(button for button in dialog.buttons() if button.text() == text).click()


def test_the_steps_open_one_after_another_and_say_why(qtbot, page, pki, tmp_path):
    assert page.guide.text().startswith(f"Bước 1/4 — Chốt hồ sơ năm {YEAR}")
    closed = [step.notice.text() for step in page.step_pages if step.blocked()]
    assert closed == [f"Bước này chưa mở. Cần chốt hồ sơ năm {YEAR} ở bước 1 trước."] * 3
    assert page.tabs.tabToolTip(2) == f"Cần chốt hồ sơ năm {YEAR} ở bước 1 trước."
    assert not page.export_tab.build_button.isEnabled() and not page.signing_tab.isEnabled()

    # Chốt hồ sơ asks first, naming what the lock freezes; "Hủy" leaves the year open.
    asked: list[str] = []
    when_modal(QMessageBox, lambda box: (asked.append(box.text()), click_button(box, "Hủy")))
    qtbot.mouseClick(page.finalize_tab.finalize_button, LEFT)
    settle()
    assert "15 chỉ tiêu" in asked[0] and "minh chứng" in asked[0] and "phiên bản 1" in asked[0]
    assert not page.ctx.ws.year(YEAR).locked
    when_modal(QMessageBox, lambda box: click_button(box, "Chốt hồ sơ"))
    qtbot.mouseClick(page.finalize_tab.finalize_button, LEFT)
    settle()
    assert page.ctx.ws.year(YEAR).locked
    assert page.tabs.currentIndex() == 1 and not page.step_pages[1].blocked()  # on to step 2
    assert page.guide.text().startswith("Bước 2/4") and "Chưa chọn tệp chứng thư số" in page.guide.text()
    assert page.step_pages[2].blocked() and "bước 2" in page.step_pages[2].notice.text()
    locked_at = re.search(r"ĐÃ CHỐT lúc (.+?) —", page.finalize_tab.status.text()).group(1)
    assert LOCAL_TIME.match(locked_at)

    # Step 2: choose the .p12 file and save; step 3 opens.
    type_text(page.signing_tab.p12_path, str(pki.p12))
    qtbot.mouseClick(next(b for b in page.signing_tab.findChildren(type(page.export_tab.build_button))
                          if b.text() == "Lưu cài đặt ký số"), LEFT)
    settle()
    assert page.guide.text().startswith("Bước 3/4") and not page.step_pages[2].blocked()
    assert page.guide_button.isVisible() and page.guide_button.text() == "Đến bước 3 ›"
    qtbot.mouseClick(page.guide_button, LEFT)
    assert page.tabs.currentIndex() == 2

    # Step 3: a folder, then the password is asked only now; the package is written and verified.
    out = tmp_path / "usb"
    out.mkdir()
    page.export_tab.refresh_drives(out)
    messages: list[str] = []

    def type_password(dialog: QInputDialog) -> None:
        type_text(dialog.findChild(QLineEdit), pki.p12_password)
        when_modal(QMessageBox, lambda box: (messages.append(box.text()), click_button(box, "Đồng ý")))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    when_modal(QInputDialog, type_password)
    qtbot.mouseClick(page.export_tab.build_button, LEFT)
    qtbot.waitUntil(lambda: bool(messages), timeout=60000)
    settle()
    assert "rút ổ USB" in messages[0] or "Có thể" in messages[0], messages
    assert len(list(out.glob("*.zip"))) == 1
    history = page.export_tab.history
    assert history.rowCount() == 1 and LOCAL_TIME.match(history.item(0, 2).text())
    assert history.item(0, 5).text().endswith(("KB", "MB"))
    assert page.guide.text().startswith("Bước 4/4") and not page.step_pages[3].blocked()


def test_nothing_secret_is_asked_before_the_year_is_finalized(qtbot, page, pki, tmp_path):
    signing = page.signing_tab
    signing.method_buttons["pkcs11"].setChecked(True)
    signing.module_path.setText(str(pki.module))
    signing.key_id.setText(pki.key_id)
    page.export_tab.refresh_drives(tmp_path)
    shown: list[str] = []
    when_modal(QMessageBox, lambda box: shown.append(box.text()))  # a PIN prompt first would fail here
    page.export_tab.export()
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == [f"Hồ sơ năm {YEAR} chưa chốt. Hãy chốt hồ sơ trước khi ký và lập gói."]


def test_the_chosen_token_certificate_keeps_its_serial(qtbot, page, pki):
    from app.dossier.finalize import finalize

    page.ctx.apply(finalize(page.ctx.ws, YEAR))  # step 2 opens once the year is finalized
    settle()
    signing = page.signing_tab
    assert signing.isEnabled()
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(1).center())
    assert page.tabs.currentIndex() == 1
    radio = signing.method_buttons["pkcs11"]
    qtbot.mouseClick(radio, LEFT, pos=QPoint(8, radio.height() // 2))  # on its round mark
    assert radio.isChecked() and signing.token_box.isVisible()
    type_text(signing.module_path, str(pki.module))
    qtbot.mouseClick(next(b for b in signing.findChildren(type(page.export_tab.build_button))
                          if b.text() == "Đọc thiết bị"), LEFT)
    settle()
    row = [signing.certificates.item(r, 2).text() for r in range(signing.certificates.rowCount())].index(pki.key_id)
    signing.certificates.selectRow(row)
    serial = format(pki.signer_serial, "X")
    assert signing.cert_serial.text() == serial and signing.key_id.text() == pki.key_id
    assert signing.cert_serial.isReadOnly()
    signing.save()
    settle()
    saved = records.signing_settings(page.ctx.ws)
    assert (saved.method, saved.key_id, saved.cert_serial) == ("pkcs11", pki.key_id.lower(), serial)
    signing.refresh()
    settle()
    assert signing.cert_serial.text() == serial  # shown again, never saved over with ""


def test_the_key_named_by_the_settings(tmp_path):
    blank = records.SigningSettings()
    assert key_problem(blank) == "Chưa chọn tệp chứng thư số (.p12/.pfx)."
    missing = records.SigningSettings("pkcs12", str(tmp_path / "khong-co.p12"))
    assert key_problem(missing).startswith("Không tìm thấy tệp chứng thư số")
    module = tmp_path / "token.so"
    module.write_bytes(b"\0")
    no_cert = records.SigningSettings("pkcs11", pkcs11_module=str(module))
    assert "Chưa chọn chứng thư số trên thiết bị" in key_problem(no_cert)
    by_serial = records.SigningSettings("pkcs11", pkcs11_module=str(module), cert_serial="1A2B")
    assert key_problem(by_serial) == ""
    key = signing_key(by_serial, "1234")
    assert isinstance(key, TokenKey) and (key.key_id, key.serial) == (None, 0x1A2B)
    by_id = records.SigningSettings("pkcs11", pkcs11_module=str(module), key_id="a1b2", cert_serial="1A2B")
    assert (signing_key(by_id, "1234").key_id, signing_key(by_id, "1234").serial) == ("a1b2", None)
    assert key_problem(records.SigningSettings("external")) == "" and signing_key(
        records.SigningSettings("external"), "") is None
    with pytest.raises(InputError, match="hệ 16"):
        signing_key(records.SigningSettings("pkcs11", pkcs11_module=str(module), cert_serial="XYZ"), "1")


def test_check_before_signing_names_what_is_missing(ready_ws, pki):
    from app.dossier.finalize import finalize

    p12 = records.SigningSettings("pkcs12", str(pki.p12))
    with pytest.raises(InputError, match="chưa chốt"):
        check_before_signing(ready_ws, YEAR, None, p12)
    finalize(ready_ws, YEAR)
    with pytest.raises(InputError, match="Chưa chọn tệp chứng thư số"):
        check_before_signing(ready_ws, YEAR, None, records.SigningSettings())
    check_before_signing(ready_ws, YEAR, None, p12)  # documents made, nothing missing
    with pytest.raises(InputError, match="Chưa nhập bản đã ký ngoài của: .*\\.pdf"):
        check_before_signing(ready_ws, YEAR, None, records.SigningSettings("external"))
    assert Path(pki.p12).is_file()
