"""`cdht documents number|plan|bases`: the numbers, dates and căn cứ of the issued documents from the command line."""

from __future__ import annotations

from app.cli import main
from app.documents import texts as doc_texts
from app.storage.workspace import Workspace
from tests.documents.helpers import YEAR


def test_numbers_dates_and_plan(workspace, capsys):
    db = str(workspace.path)
    workspace.close()
    assert main(["--db", db, "documents", "number", "show", "--year", str(YEAR)]) == 0
    out = capsys.readouterr().out
    assert "Tờ trình: số (chưa có)/TTr-UBND, ngày (chưa có)" in out and "Còn thiếu trước khi ký:" in out
    assert main(["--db", db, "documents", "number", "set", "--year", str(YEAR), "to_trinh=5", "bao_cao=06/BC-UBND",
                 "bien_ban=7", "bao_cao.date=04/02/2026", "--date", "5/2/2026"]) == 0
    assert main(["--db", db, "documents", "plan", "--year", str(YEAR), "--number", "46/KH-UBND", "--date", "01/3/2025",
                 "--summary", "Xây dựng “Cộng đồng học tập” năm 2025."]) == 0
    capsys.readouterr()
    assert main(["--db", db, "documents", "number", "show", "--year", str(YEAR)]) == 0
    out = capsys.readouterr().out
    assert "Tờ trình: số 05/TTr-UBND, ngày 05/02/2026" in out and "Báo cáo: số 06/BC-UBND, ngày 04/02/2026" in out
    assert "Biên bản: số 07/BB-UBND, ngày (chưa có)" in out
    assert "Kế hoạch của xã: số 46/KH-UBND, ngày 01/03/2025, Xây dựng “Cộng đồng học tập” năm 2025" in out
    assert main(["--db", db, "documents", "number", "set", "--year", str(YEAR), "quyet_dinh=1"]) == 1
    assert "Không có văn bản “quyet_dinh”" in capsys.readouterr().err
    assert main(["--db", db, "documents", "number", "set", "--year", str(YEAR), "to_trinh=5", "--date", "5/2/26"]) == 1
    assert "năm phải ghi đủ 4 chữ số" in capsys.readouterr().err
    assert main(["--db", db, "narrative", "set", "--year", str(YEAR), "number.bien_ban=08/BB-UBND"]) == 0  # same rule
    ws = Workspace.open(db)
    texts = doc_texts.document_texts(ws, YEAR)
    assert (texts["number.to_trinh"], texts["date.to_trinh"], texts["number.bien_ban"]) == ("05", "2026-02-05", "08")
    ws.close()


def test_legal_bases_are_shown_in_full_and_suggestions_print_once_confirmed(workspace, capsys):
    db = str(workspace.path)
    workspace.close()
    assert main(["--db", db, "documents", "bases", "show", "--year", str(YEAR)]) == 0
    out = capsys.readouterr().out
    assert "1. Căn cứ Thông tư số 25/2023/TT-BGDĐT ngày 27/12/2023 của Bộ trưởng Bộ Giáo dục và Đào tạo" in out
    assert "2. Căn cứ Kế hoạch xây dựng “Cộng đồng học tập” năm 2025 của Ủy ban nhân dân xã Kiến Hưng — chưa có số" in out
    assert "[nd142-2025] Nghị định số 142/2025/NĐ-CP ngày 12/6/2025 của Chính phủ" in out
    assert main(["--db", db, "documents", "bases", "confirm", "tt15-2025"]) == 0
    assert main(["--db", db, "documents", "bases", "add", "Hướng dẫn số 619/HD-UBND ngày 06/02/2025 của Ủy ban nhân "
                 "dân tỉnh Hưng Yên về đánh giá “Cộng đồng học tập”;"]) == 0
    assert main(["--db", db, "documents", "bases", "add", "TT 25"]) == 1
    assert "quá ngắn" in capsys.readouterr().err
    assert main(["--db", db, "documents", "bases", "remove", "2"]) == 0
    assert main(["--db", db, "documents", "bases", "remove", "9"]) == 1
    capsys.readouterr()
    assert main(["--db", db, "documents", "bases", "show", "--year", str(YEAR)]) == 0
    out = capsys.readouterr().out
    assert "2. Căn cứ Thông tư số 15/2025/TT-BGDĐT" in out and "3. Căn cứ Hướng dẫn số 619/HD-UBND" in out
    assert "[tt15-2025]" not in out and "Kế hoạch xây dựng" not in out
