"""Inputs that end up on signed paper are normalised at the core boundary — the CLI, the Excel import, dataset
files and the UI alike: commune and province names, dates, document and decision numbers; older databases are
migrated the same way."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from openpyxl import load_workbook

from app.cli import main
from app.documents import render_dossier_pdfs
from app.documents.collection import write_collection_workbooks
from app.domain.places import normalise_commune, normalise_province
from app.domain.records import Profile
from app.errors import InputError
from app.services.assignments import set_assignment
from app.services.documents import import_collection_workbook
from app.services.indicators import set_values
from app.services.profile import save_profile, update_profile
from app.storage.migrations import MIGRATIONS
from app.storage.workspace import Workspace
from app.text import DateError, parse_date
from tests.documents.helpers import YEAR
from tests.documents.test_fidelity import text_of


@pytest.mark.parametrize(("typed", "day"), [("5/2/2026", dt.date(2026, 2, 5)), ("05/02/2026", dt.date(2026, 2, 5)),
                                            ("2026-02-05", dt.date(2026, 2, 5)), (" 29/02/2028 ", dt.date(2028, 2, 29))])
def test_dates_in_the_accepted_forms(typed, day):
    assert parse_date(typed) == day


@pytest.mark.parametrize(("typed", "reason"), [
    ("20/1/26", "năm phải ghi đủ 4 chữ số"), ("15/01/25", "năm phải ghi đủ 4 chữ số"),
    ("31/02/2026", "tháng 2/2026 không có ngày 31"), ("29/02/2025", "không có ngày 29"),
    ("12/13/2025", "không có tháng 13"), ("05.02.2026", "không phải ngày"), ("0026-01-20", "nằm ngoài khoảng"),
])
def test_two_digit_years_and_impossible_dates_are_refused_in_one_line(typed, reason):
    with pytest.raises(DateError, match=reason) as error:
        parse_date(typed)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(("typed", "name", "kind"), [
    ("Xã Kiến Hưng", "Kiến Hưng", "xã"), ("  xã   Kiến   Hưng ", "Kiến Hưng", "xã"), ("XA KIEN HUNG", "KIEN HUNG", "xã"),
    ("Phường Hoàn Kiếm", "Hoàn Kiếm", "phường"), ("thị trấn Vân Đình", "Vân Đình", "thị trấn"),
    ("Kiến Hưng", "Kiến Hưng", None), ("Xã Xã Tắc", "Xã Tắc", "xã"),
])
def test_commune_names_drop_their_unit_word(typed, name, kind):
    place = normalise_commune(typed)
    assert (place.name, place.kind) == (name, kind)
    assert bool(place.note) == (typed != name)


@pytest.mark.parametrize(("typed", "name"), [("Thành phố Hà Nội", "Hà Nội"), ("tỉnh  Hưng Yên", "Hưng Yên"),
                                             ("TP. Hồ Chí Minh", "Hồ Chí Minh"), ("Điện Biên", "Điện Biên")])
def test_province_names_drop_their_unit_word(typed, name):
    assert normalise_province(typed).name == name


def test_a_bare_unit_word_is_not_a_name():
    with pytest.raises(InputError, match="chưa có tên riêng"):
        normalise_commune("Xã")


def test_every_path_into_the_profile_is_normalised(tmp_path, capsys):
    db = str(tmp_path / "cdht.sqlite3")
    assert main(["--db", db, "init", "--commune", "Xã  Kiến Hưng", "--province", "Thành phố Hà Nội"]) == 0
    out = capsys.readouterr().out
    assert "bỏ chữ “Xã” ở đầu" in out and "lưu là “Kiến Hưng”" in out and "Đã khai báo xã Kiến Hưng (Hà Nội)" in out
    assert "tỉnh Hà Nội" not in out and "tỉnh Thành phố" not in out
    assert main(["--db", db, "profile", "set", "--commune", "phường Hoàn  Kiếm", "--signer", " Lê  Minh Khoa ",
                 "--title", "Chủ tịch"]) == 0
    assert "Ủy ban nhân dân phường Hoàn Kiếm" in capsys.readouterr().out
    assert main(["--db", db, "profile", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["commune_name"], shown["commune_kind"], shown["province"], shown["signer_name"]) == (
        "Hoàn Kiếm", "phường", "Hà Nội", "Lê Minh Khoa")
    assert main(["--db", db, "profile", "set", "--kind", "xã"]) == 0
    assert main(["--db", db, "profile", "set", "--kind", "huyện"]) == 1
    assert "Loại đơn vị hành chính" in capsys.readouterr().err
    assert main(["--db", db, "profile", "set", "--commune", "Xã"]) == 1
    ws = Workspace.open(tmp_path / "cdht.sqlite3")
    assert ws.profile().commune_name == "Hoàn Kiếm" and ws.profile().issuing_body == "ỦY BAN NHÂN DÂN XÃ HOÀN KIẾM"
    save_profile(ws, Profile("Xã Đồng  Tiến", "Tỉnh Hưng Yên"))  # the wizard's path
    assert (ws.profile().commune_name, ws.profile().province) == ("Đồng Tiến", "Hưng Yên")
    result = update_profile(ws, commune_name="Đồng Tiến")
    assert not result.changes.any() and result.notes == ()
    ws.close()


def test_a_dataset_with_a_prefixed_name_is_the_same_commune(workspace, tmp_path, capsys):
    from app.services.datasets import export_dataset

    document = export_dataset(workspace, YEAR)
    document["commune"]["name"] = "Xã Kiến Hưng"
    document["commune"]["province"] = "Thành phố Hà Nội"
    (tmp_path / "d.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    db = str(workspace.path)
    workspace.close()
    assert main(["--db", db, "dataset", "import", str(tmp_path / "d.json")]) == 0, capsys.readouterr().err


def test_decision_dates_and_numbers_are_stored_once_and_printed_in_nd30_form(ready_workspace, tmp_path):
    ws = ready_workspace
    set_values(ws, YEAR, "4.2", {"decision_number": "Quyết định số 112/QĐ-UBND", "decision_date": "5/12/2025"})
    stored = ws.values(YEAR)["4.2"]
    assert (stored["decision_number"], stored["decision_date"]) == ("112/QĐ-UBND", "2025-12-05")
    with pytest.raises(InputError, match="năm phải ghi đủ 4 chữ số"):
        set_values(ws, YEAR, "4.2", {"decision_date": "05/12/25"})
    report = text_of(render_dossier_pdfs(ws, YEAR, tmp_path)["bao_cao"])
    assert "Quyết định công nhận: Quyết định số 112/QĐ-UBND ngày 05/12/2025." in report
    assert "số Quyết định số" not in report and "2025-12-05" not in report


def test_unit_workbooks_carry_dates_as_dates_and_refuse_two_digit_years(ready_workspace, tmp_path):
    ws = ready_workspace
    set_assignment(ws, YEAR, "4.2", "Trường Tiểu học", [], None, "todo")
    book_path = write_collection_workbooks(ws, YEAR, tmp_path, "Trường Tiểu học")["Trường Tiểu học"]
    book = load_workbook(book_path)
    sheet = book["Tiêu chí 4"]
    cells = {sheet[f"C{r}"].value: f"D{r}" for r in range(7, sheet.max_row + 1)}
    date_cell = cells["Ngày quyết định (dd/mm/yyyy)"]
    assert sheet[date_cell].value == "15/12/2025"  # shown as typed in Vietnam, stored ISO
    sheet[date_cell] = "20/1/26"
    book.save(book_path)
    with pytest.raises(InputError, match=rf"ô {date_cell}: Ngày quyết định công nhận “20/1/26”: năm phải ghi đủ 4"):
        import_collection_workbook(ws, book_path, YEAR)
    sheet[date_cell] = dt.datetime(2026, 1, 20)
    sheet[cells["Số quyết định công nhận"]] = "QĐ số 7/QĐ-UBND"
    book.save(book_path)
    import_collection_workbook(ws, book_path, YEAR)
    assert ws.values(YEAR)["4.2"]["decision_date"] == "2026-01-20"
    assert ws.values(YEAR)["4.2"]["decision_number"] == "7/QĐ-UBND"


def _database_at(path, version: int) -> sqlite3.Connection:
    import sqlite_utils

    db = sqlite_utils.Database(sqlite3.connect(str(path)))
    for number, step in enumerate(MIGRATIONS[:version], start=1):
        step(db)
        db.execute(f"PRAGMA user_version = {number}")
    db.conn.commit()
    return db.conn


def test_an_older_database_is_migrated_to_normalised_values(tmp_path):
    path = tmp_path / "cu.sqlite3"
    conn = _database_at(path, 4)
    now = "2026-01-01T00:00:00+00:00"
    conn.executescript(f"""
        INSERT INTO profile (id, commune_name, province, updated_at) VALUES (1, 'Xã  Kiến Hưng', 'Thành phố Hà Nội', '{now}');
        INSERT INTO years (year, catalogue_id, created_at) VALUES ({YEAR}, 'TT25-2023', '{now}');
        INSERT INTO document_texts VALUES ({YEAR}, 'document_date', '2026-02-05', '{now}');
        INSERT INTO document_texts VALUES ({YEAR}, 'number.to_trinh', '15/TTr-UBND', '{now}');
        INSERT INTO document_texts VALUES ({YEAR}, 'number.bao_cao', '5', '{now}');
        INSERT INTO indicator_values VALUES ({YEAR}, '4.2', 'decision_date', '"15/12/2025"', '{now}');
        INSERT INTO indicator_values VALUES ({YEAR}, '4.2', 'decision_number', '"Quyết định số 12/QĐ-UBND"', '{now}');
        INSERT INTO review_meetings (year, meeting_date, chair_name, level_agreed, updated_at)
            VALUES ({YEAR}, '2026-01-20', 'A', 0, '{now}');
        INSERT INTO review_meeting_attendees VALUES ({YEAR}, 0, 'Lê Thị Hằng|Chủ tịch|Hội Khuyến học xã', '', '');
        INSERT INTO review_meeting_attendees VALUES ({YEAR}, 1, 'Đỗ Ánh', 'Bí thư', 'Đoàn Thanh niên xã');
        INSERT INTO review_meeting_attendees VALUES ({YEAR}, 2, 'Ngô Bình', 'Phó Chủ tịch', 'UBND xã');
        INSERT INTO units (id, name) VALUES (1, 'Zeta'), (2, 'Alpha'), (3, 'Lead');
        INSERT INTO assignments (id, year, indicator_id, lead_unit_id) VALUES (1, {YEAR}, '1.1', 3);
        INSERT INTO assignment_units (assignment_id, unit_id) VALUES (1, 1), (1, 2);
    """)
    conn.commit()
    conn.close()
    ws = Workspace.open(path)
    profile = ws.profile()
    assert (profile.commune_name, profile.commune_kind, profile.province) == ("Kiến Hưng", "xã", "Hà Nội")
    from app.documents import texts as doc_texts

    texts = doc_texts.document_texts(ws, YEAR)
    assert texts["date.to_trinh"] == texts["date.bao_cao"] == "2026-02-05"
    assert (texts["number.to_trinh"], texts["number.bao_cao"]) == ("15", "05")
    assert ws.values(YEAR)["4.2"] == {"decision_date": "2025-12-15", "decision_number": "12/QĐ-UBND"}
    meeting = doc_texts.review_meeting(ws, YEAR)
    assert [(a.name, a.title, a.organisation, a.role) for a in meeting.attendees] == [
        ("Lê Thị Hằng", "Chủ tịch", "Hội Khuyến học xã", "khuyen_hoc"),
        ("Đỗ Ánh", "Bí thư", "Đoàn Thanh niên xã", "to_chuc_ctxh"),
        ("Ngô Bình", "Phó Chủ tịch", "UBND xã", "lanh_dao_ubnd")]
    assert meeting.level_agreed is None
    assert ws.assignments(YEAR)[0].coordinating_units == ("Zeta", "Alpha")  # the order entered, not A–Z
    assert list(path.parent.glob("cu.before-v5-*.bak"))
    ws.close()


def test_the_settings_dialog_saves_as_typed_through_the_same_service_and_says_what_was_kept(qtbot, workspace):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QDialogButtonBox

    from tests.documents.test_cli_ui import type_text
    from ui.context import AppContext
    from ui.settings_dialog import SettingsDialog
    from ui.tasks import wait_for_idle

    dialog = SettingsDialog(AppContext(workspace, YEAR))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.commune.selectAll()
    type_text(dialog.commune, "Xã  Kiến  Hưng")
    dialog.province.selectAll()
    type_text(dialog.province, "Thành phố Hà Nội")  # leaving the commune's field stored it
    wait_for_idle()
    assert workspace.profile().commune_name == "Kiến Hưng" and dialog.commune.text() == "Kiến Hưng"
    close = dialog.findChildren(QDialogButtonBox)[0].button(QDialogButtonBox.StandardButton.Close)
    assert close.text() == "Đóng"
    QTest.mouseClick(close, Qt.MouseButton.LeftButton)  # closing stores the province still being typed
    wait_for_idle()
    profile = workspace.profile()
    assert (profile.commune_name, profile.province, profile.commune_kind) == ("Kiến Hưng", "Hà Nội", "xã")
    assert dialog.notes.text() == ("Tên xã: đã bỏ chữ “Xã” ở đầu và bỏ khoảng trắng thừa; lưu là “Kiến Hưng”.\n"
                                   "Tên tỉnh, thành phố: đã bỏ chữ “Thành phố” ở đầu; lưu là “Hà Nội”.")


def test_a_refused_setting_stays_in_its_field_with_the_reason(qtbot, workspace):
    from tests.documents.test_cli_ui import type_text
    from ui.context import AppContext
    from ui.settings_dialog import SettingsDialog
    from ui.tasks import wait_for_idle

    dialog = SettingsDialog(AppContext(workspace, YEAR))
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):  # focus moves (and stores what was typed) only in the active window
        dialog.show()
        dialog.activateWindow()
    dialog.tabs.setCurrentIndex(1)
    type_text(dialog.deadline, "31/02/2026")
    dialog.recipient.setFocus()
    wait_for_idle()
    assert dialog.deadline.text() == "31/02/2026" and dialog.deadline.property("invalid")
    assert dialog.error.text() == (f"Chưa lưu: Hạn nộp hồ sơ của năm {YEAR}: “31/02/2026” không phải ngày hợp lệ "
                                   "(ngày/tháng/năm).")
    assert workspace.get_setting(f"deadline.{YEAR}") is None
    dialog.deadline.selectAll()
    type_text(dialog.deadline, "15/03/2026")
    dialog.recipient.setFocus()
    wait_for_idle()
    assert workspace.get_setting(f"deadline.{YEAR}") == "2026-03-15" and not dialog.error.isVisible()
