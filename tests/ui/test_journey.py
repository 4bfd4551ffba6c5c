"""A new user's whole journey, driven through the real widgets (offscreen): from an empty data folder to a signed
package written to a folder, then the app closed and opened again with everything still there. Once with the
keyboard and the mouse, once with the keyboard alone."""

from __future__ import annotations

import zipfile

import pytest

from app.services import documents as docs
from app.services import evidence as ev
from tests.dossier.conftest import small_pdf
from tests.dossier.pki import make_pki
from tests.ui.journey import (
    EVIDENCE,
    FIGURES,
    MEETING_NAMES,
    NARRATIVE,
    Journey,
    activate,
    run_journey,
    settle,
)
from ui.main import Launcher


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def journey(data_dir, tmp_path, pki) -> Journey:
    sources = tmp_path / "minh-chung"
    sources.mkdir()
    for name in EVIDENCE:
        (sources / name).write_bytes(small_pdf(name))
    out = tmp_path / "usb"
    out.mkdir()
    return Journey(data_dir, sources, out, pki.p12, pki.p12_password)


def check_everything_is_still_there(qtbot, journey: Journey) -> None:
    """Open the app again: the commune, figures, evidence, texts, meeting, lock and package are all there."""
    launcher = Launcher(journey.data_dir)
    assert launcher.start()
    window = launcher.window
    qtbot.addWidget(window)
    activate(qtbot, window)
    ws, year = window.ctx.ws, window.ctx.year
    try:
        assert ws.profile().commune_name == "Kiến Hưng" and ws.year(year).locked
        values = ws.values(year)
        for indicator_id, figures in FIGURES.items():
            expected = {k: (int(v) if isinstance(v, str) else v) for k, v in figures.items()}
            assert {k: values[indicator_id].get(k) for k in expected} == expected, indicator_id
        items = {item.original_name: item for item in ev.list_evidence(ws, year)}
        for name, ((number, _issued, issuer, summary), indicators) in EVIDENCE.items():
            item = items[name]
            assert (item.doc_number, item.issuer, item.summary) == (number, issuer, summary)
            assert set(item.indicator_ids) == set(indicators)
        texts = docs.document_texts(ws, year)
        assert {key: texts[key] for key in NARRATIVE} == NARRATIVE
        assert (texts["number.to_trinh"], texts["date.bao_cao"]) == ("12", "2026-11-25")
        meeting = docs.review_meeting(ws, year)
        assert [a.name for a in meeting.attendees] == list(MEETING_NAMES) and meeting.level_agreed == 1
        from app.dossier.records import packages

        assert len(packages(ws, year)) == 1
        zips = list(journey.out.glob("*.zip"))
        assert len(zips) == 1 and zipfile.is_zipfile(zips[0])
        # and the screens show it: the report's texts, read-only under the unlock notice
        window.show_page(4)
        settle(qtbot)
        page = window.external_pages[1].page()
        assert page.narrative.editors["situation"].toPlainText() == NARRATIVE["situation"]
        assert page.narrative.editors["situation"].isReadOnly() and page.locked_note.isVisible()
        window.show_page(0)
        qtbot.waitUntil(lambda: window.overview.next_button.text() == "Gửi gói hồ sơ", timeout=10000)
    finally:
        window.close()
        settle(qtbot)
        ws.close()
        launcher.lock.release()


@pytest.mark.parametrize("keyboard_only", [False, True], ids=["keyboard-and-mouse", "keyboard-only"])
def test_a_new_commune_goes_from_first_start_to_a_signed_package(qtbot, journey, keyboard_only) -> None:
    launcher, user, messages = run_journey(qtbot, journey, keyboard_only)
    assert "Có thể" in messages[0] or "rút ổ USB" in messages[0], messages
    launcher.ctx.ws.close()
    launcher.lock.release()
    check_everything_is_still_there(qtbot, journey)
    if keyboard_only:
        assert user.tabs_pressed > 0
