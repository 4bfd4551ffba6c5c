"""The dossier page offscreen: pre-flight marks, finalize, token diagnostics, ký ngoài results, verify, screenshots."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from app.storage.workspace import Workspace  # noqa: E402
from tests.dossier.conftest import YEAR  # noqa: E402

SHOTS = Path(os.environ.get("CDHT_DOSSIER_SHOTS", "")) if os.environ.get("CDHT_DOSSIER_SHOTS") else None


@pytest.fixture
def page_for(qapp, tmp_path, monkeypatch):
    from ui.theme import apply_theme

    apply_theme(qapp)
    monkeypatch.setenv("CDHT_DATA_DIR", str(tmp_path / "data"))
    opened = []

    def make(folder: Path):
        from ui.context import AppContext
        from ui.dossier.page import DossierPage
        from ui.tasks import wait_for_idle

        shutil.copytree(folder, tmp_path / folder.name)
        ws = Workspace.open(tmp_path / folder.name / "cdht.sqlite3")
        opened.append(ws)
        page = DossierPage(AppContext(ws, YEAR))
        page.resize(1200, 820)
        page.show()
        wait_for_idle()
        return page

    yield make
    from ui.tasks import wait_for_idle

    wait_for_idle()
    for ws in opened:
        ws.close()


def _save(page, name: str, tmp_path: Path) -> Path:
    from ui.tasks import wait_for_idle

    wait_for_idle()
    target = (SHOTS or tmp_path) / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(target))
    return target


def test_preflight_and_finalize_from_the_page(page_for, ready_template, tmp_path):
    from ui.tasks import wait_for_idle

    page = page_for(ready_template)
    tab = page.finalize_tab
    labels = [tab.checks.topLevelItem(i).text(0) for i in range(tab.checks.topLevelItemCount())]
    assert labels and all(label.startswith("✔") for label in labels)
    assert tab.finalize_button.isEnabled() and not tab.unlock_button.isEnabled()
    _save(page, "dossier_finalize_ready", tmp_path)
    from PySide6.QtWidgets import QMessageBox

    from tests.ui.conftest import when_modal

    when_modal(QMessageBox, lambda box: next(b for b in box.buttons() if b.text() == "Chốt hồ sơ").click())
    tab.finalize_button.click()
    wait_for_idle()
    wait_for_idle()
    assert "ĐÃ CHỐT" in tab.status.text() and "phiên bản gói 1" in tab.status.text()
    assert tab.unlock_button.isEnabled() and not tab.finalize_button.isEnabled()
    _save(page, "dossier_finalize_locked", tmp_path)


def test_token_table_import_results_and_verify_report(page_for, built, pki, tmp_path):
    from app.dossier.external import export_unsigned
    from app.dossier.signing import Appearance, Pkcs12Key, open_signer, sign_pdf
    from app.dossier.verify import verify_package
    from ui.tasks import wait_for_idle

    page = page_for(built.folder)
    signing = page.signing_tab
    signing.method_buttons["pkcs11"].setChecked(True)
    signing.module_path.setText(str(pki.module))
    signing.read_token()
    wait_for_idle()
    assert signing.certificates.rowCount() == 2
    signing.certificates.selectRow([signing.certificates.item(r, 2).text()
                                    for r in range(2)].index(pki.key_id))
    assert signing.key_id.text() == pki.key_id
    page.tabs.setCurrentIndex(1)
    _save(page, "dossier_signing_token", tmp_path)

    exported = export_unsigned(page.ctx.ws, YEAR, tmp_path / "de-ky")
    with open_signer(Pkcs12Key(pki.p12, pki.p12_password)) as signer:
        sign_pdf(signer, exported[0], tmp_path / exported[0].name.replace(".pdf", "_da_ky.pdf"), Appearance("UBND"))
    signing.method_buttons["external"].setChecked(True)
    signing.import_files([tmp_path / exported[0].name.replace(".pdf", "_da_ky.pdf"), exported[1]])
    wait_for_idle()
    results = [signing.import_results.item(r, 2).text() for r in range(signing.import_results.rowCount())]
    assert results[0].startswith("✔ Hợp lệ") and results[1] == "✘ Tệp chưa có chữ ký số."
    _save(page, "dossier_signing_external", tmp_path)

    page.tabs.setCurrentIndex(2)
    _save(page, "dossier_export", tmp_path)
    from app.dossier.outbox import queue_package

    queue_package(page.ctx.ws, built.package, "phong-gddt@so-gd.example.vn")
    page.mail_tab.refresh()
    wait_for_idle()
    assert page.mail_tab.messages.item(0, 0).text() == "Chờ gửi"
    page.tabs.setCurrentIndex(3)
    _save(page, "dossier_mail", tmp_path)

    verify = page.verify_tab
    verify.show_report(verify_package(built.package, trust=[pki.ca_pem]))
    page.tabs.setCurrentIndex(4)
    assert verify.summary.text().startswith("Gói hồ sơ hợp lệ và nguyên vẹn: do UBND xã Đồng Tiến")
    assert verify.checks.item(0, 0).text() == "✔"
    _save(page, "dossier_verify_ok", tmp_path)
    data = bytearray(built.package.read_bytes())
    data[len(data) // 3] ^= 0xFF
    (tmp_path / "hong.zip").write_bytes(bytes(data))
    verify.show_report(verify_package(tmp_path / "hong.zip"))
    assert verify.summary.text().startswith("GÓI HỒ SƠ KHÔNG HỢP LỆ")
    _save(page, "dossier_verify_bad", tmp_path)


def test_gallery_shots_cover_every_tab(page_for, built):
    from ui.dossier.gallery import TABS, shots

    page = page_for(built.folder)
    pairs = shots(page.ctx)
    assert [stem for stem, _ in pairs] == list(TABS)
    assert [widget.tabs.currentIndex() for _, widget in pairs] == list(range(len(TABS)))
