"""Layout robustness and NĐ 30 details of the dossier PDFs: many evidence items, pages of narrative, very long
names, tiêu chí headings kept with their first chỉ tiêu, the empty signature field, dates and the header."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.documents import build_document, collect, render_dossier_pdfs
from app.documents.common import code_ranges, evidence_codes_text
from app.documents.model import date_text, typeset
from app.documents.nd30 import MARGIN_RIGHT_MM, SIGNATURE_FIELD_NAME, render_pdf
from app.services import documents as docs
from app.services.assignments import set_assignment
from app.services.indicators import set_values
from app.text import format_date_long as long_date
from tests.documents.helpers import YEAR, add_evidence
from tests.documents.test_pdf import fonts, pdf_text, squash

SIGNED_DOCUMENTS = ("to_trinh", "bao_cao", "bien_ban")
LONG_UNIT = "Trung tâm Văn hóa, Thông tin, Thể thao và Dịch vụ sự nghiệp công " * 18 + "(đơn vị cuối)"
NARRATIVE_END = "Hết phần đặc điểm tình hình."


def page_texts(path: Path) -> list[str]:
    """Each page's text without whitespace (table cells wrap words anywhere)."""
    return [squash(page.extract_text()) for page in PdfReader(str(path)).pages]


def text_positions(path: Path, page: int) -> list[tuple[str, float, float]]:
    """(text, x, baseline y) of each text run on a page, in PDF points."""
    runs: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            runs.append((text.strip(), cm[4] + tm[4], cm[5] + tm[5]))

    PdfReader(str(path)).pages[page].extract_text(visitor_text=visit)
    return runs


def signature_fields(path: Path) -> list[tuple[str, object, list[float], int]]:
    """(name, value, rectangle, page index) of every signature field, as pyHanko sees them."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields

    with path.open("rb") as handle:
        reader = PdfFileReader(handle, strict=True)
        pages = [page.get_object() for page in reader.root["/Pages"]["/Kids"]]
        result = []
        for name, value, ref in fields.enumerate_sig_fields(reader, filled_status=None):
            widget = ref.get_object()
            index = next(i for i, page in enumerate(pages)
                         if any(annot.get_object() is widget for annot in page.get("/Annots", [])))
            result.append((name, value, [float(v) for v in widget["/Rect"]], index))
    return result


# ---------------------------------------------------------------------- evidence code lists


def test_consecutive_codes_become_ranges_and_long_lists_point_to_the_catalogue():
    codes = [f"H1.2.{n:02d}" for n in range(1, 98)]
    assert code_ranges(codes) == ["H1.2.01–H1.2.97"]
    assert code_ranges(["H1.1.01", "H1.1.02", "H1.1.04", "H1.1.05", "H1.1.06", "H1.10.07", "X"]) == [
        "H1.1.01", "H1.1.02", "H1.1.04–H1.1.06", "H1.10.07", "X"]
    assert code_ranges(["H1.1.09", "H1.1.010", "H1.1.011"]) == ["H1.1.09", "H1.1.010", "H1.1.011"]  # widths differ
    scattered = [f"H5.1.{n:03d}" for n in range(1, 200, 2)]
    text = evidence_codes_text(scattered, limit=5)
    assert text.startswith("H5.1.001, H5.1.003, H5.1.005, H5.1.007, H5.1.009, …")
    assert "tổng số 100 minh chứng" in text and "Danh mục minh chứng" in text
    assert evidence_codes_text(["H1.1.01", "H1.1.02"]) == "H1.1.01, H1.1.02"


# ---------------------------------------------------------------------- robustness


@pytest.fixture
def crowded_workspace(ready_workspace):
    """300 evidence items on one indicator (half numbered one apart, half scattered), pages of narrative in one
    field, an indicator description of several pages, and unit names longer than a landscape page can hold."""
    ws = ready_workspace
    for n in range(300):
        number = n + 10 if n < 150 else 2 * n + 10
        add_evidence(ws, YEAR, f"H1.2.{number:03d}", ["1.2"], number=f"{n + 1}/QĐ-UBND", issued="2025-06-01",
                     issuer=LONG_UNIT[:120], summary=f"Văn bản minh chứng số {n + 1}")
    long_paragraph = "Xã tiếp tục đẩy mạnh phong trào khuyến học, khuyến tài, xây dựng xã hội học tập. " * 60
    docs.set_document_texts(ws, YEAR, {
        "situation": "\n".join([long_paragraph] * 4 + [NARRATIVE_END]),
        "process": long_paragraph * 3,
    })
    set_values(ws, YEAR, "1.1", {"description": long_paragraph * 2})
    set_assignment(ws, YEAR, "1.2", LONG_UNIT, [LONG_UNIT, "Hội Khuyến học"], None, "todo", "")
    return ws


def test_crowded_dossier_renders_every_document(crowded_workspace, tmp_path):
    paths = render_dossier_pdfs(crowded_workspace, YEAR, tmp_path)
    assert len(paths) == 6
    for key, path in paths.items():
        used = fonts(path)
        assert used and all(embedded == "yes" and "LiberationSerif" in name for name, embedded in used), (key, used)
        assert pdf_text(path).strip(), key
    summary = pdf_text(paths["tong_hop"])
    assert "H1.2.010–H1.2.159" in summary and "tổng số 301 minh chứng" in summary
    report = squash(pdf_text(paths["bao_cao"], raw=True))
    assert squash(NARRATIVE_END) in report and squash("H1.2.010–H1.2.159") in report
    assert len(PdfReader(str(paths["bao_cao"])).pages) > 8
    catalogue = pdf_text(paths["danh_muc_minh_chung"])
    assert "Tổng số: 303 minh chứng." in catalogue and "H1.2.608" in catalogue
    plan = "".join(page_texts(paths["phan_cong"]))
    assert squash("Trung tâm Văn hóa, Thông tin") in plan and plan.count(squash("(đơn vị cuối)")) == 2


def test_a_cell_taller_than_a_page_continues_on_the_next_page(crowded_workspace, tmp_path):
    paths = render_dossier_pdfs(crowded_workspace, YEAR, tmp_path)
    pages = page_texts(paths["phan_cong"])
    holding = [i for i, text in enumerate(pages) if squash("Thông tin, Thể thao") in text]
    assert len(holding) >= 2 and holding == list(range(holding[0], holding[-1] + 1))
    header = squash("TT Tiêu chí, chỉ tiêu Đơn vị chủ trì")
    assert all(text.count(header) == 1 for text in pages)  # the header repeats once per page, never mid-page


# ---------------------------------------------------------------------- widow rows


@pytest.mark.parametrize("key", ["phan_cong", "tong_hop"])
def test_a_criterion_heading_never_ends_a_page(ready_workspace, tmp_path, key):
    data = collect(ready_workspace, YEAR)
    path = tmp_path / f"{key}.pdf"
    path.write_bytes(render_pdf(build_document(data, key)))
    pages = page_texts(path)
    assert len(pages) >= 2
    for criterion in data.catalogue.criteria:
        heading = squash(typeset(f"Tiêu chí {criterion.id}. {criterion.name}"))[:30]
        first_row = squash(typeset(criterion.indicators[0].text))[:30]
        on = [i for i, text in enumerate(pages) if heading in text]
        assert on and first_row in pages[on[0]], (key, criterion.id, on)


# ---------------------------------------------------------------------- signature field


@pytest.fixture
def signed_dossier(ready_workspace, tmp_path):
    return ready_workspace, render_dossier_pdfs(ready_workspace, YEAR, tmp_path / "out")


@pytest.mark.parametrize("key", SIGNED_DOCUMENTS)
def test_empty_signature_field_sits_in_the_signer_block(signed_dossier, key):
    ws, paths = signed_dossier
    path = paths[key]
    last = len(PdfReader(str(path)).pages) - 1
    (name, value, (x0, y0, x1, y1), page), = signature_fields(path)
    assert (name, value, page) == (SIGNATURE_FIELD_NAME, None, last)
    runs = text_positions(path, last)
    signer = "Trịnh Thị Thu Huyền"
    authority = "PHÓ CHỦ TỊCH" if key != "bien_ban" else "CHỦ TRÌ"
    name_y = max(y for text, _x, y in runs if text == signer)
    name_x = max(x for text, x, y in runs if text == signer)
    authority_y = min(y for text, _x, y in runs if text == authority and y > name_y)
    assert name_y + 8 < y0 < y1 < authority_y, (y0, y1, name_y, authority_y)
    assert 60 <= y1 - y0 and 200 <= x1 - x0 <= 240
    assert x0 < name_x < x1 and x0 > 595 / 2 - 20  # over the name, in the signer's (right) column


def test_signature_field_is_invisible(signed_dossier, tmp_path):
    _ws, paths = signed_dossier
    for key in SIGNED_DOCUMENTS:
        path = paths[key]
        last = str(len(PdfReader(str(path)).pages))
        shots = []
        for extra in ([], ["-hide-annotations"]):
            stem = tmp_path / f"{key}{len(extra)}"
            subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", last, "-l", last, *extra, str(path),
                            str(stem)], check=True)
            shots.append(stem.with_suffix(".png").read_bytes())
        assert shots[0] == shots[1], key
    assert signature_fields(paths["danh_muc_minh_chung"]) == []  # an unsigned annex of the Tờ trình
    assert [field[0] for field in signature_fields(paths["phan_cong"])] == [SIGNATURE_FIELD_NAME]  # signed with the plan


def _test_signer():
    """A throwaway self-signed key and certificate as a pyHanko signer (the dossier tests use a real CA)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ủy ban nhân dân xã Kiến Hưng")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    der_cert = cert.public_bytes(serialization.Encoding.DER)
    return signers.SimpleSigner(signing_cert=asn1_x509.Certificate.load(der_cert),
                                signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
                                cert_registry=SimpleCertificateStore())


def test_the_app_signs_into_the_field(signed_dossier, tmp_path):
    from app.dossier.signing import Appearance, sign_pdf

    _ws, paths = signed_dossier
    source = paths["to_trinh"]
    (_name, _value, box, page), = signature_fields(source)
    target = tmp_path / "to_trinh_da_ky.pdf"
    sign_pdf(_test_signer(), source, target, Appearance("ỦY BAN NHÂN DÂN XÃ KIẾN HƯNG", "Trịnh Thị Thu Huyền"))
    (name, value, signed_box, signed_page), = signature_fields(target)
    assert name == SIGNATURE_FIELD_NAME and value is not None
    assert (signed_box, signed_page) == (box, page)
    report = subprocess.run(["pdfsig", str(target)], capture_output=True, text=True).stdout
    assert f"Signature Field Name: {SIGNATURE_FIELD_NAME}" in report and "Total document signed" in report
    assert "Ký bởi: ỦY BAN NHÂN DÂN XÃ KIẾN HƯNG" in pdf_text(target, page + 1)


# ---------------------------------------------------------------------- NĐ 30 details


def test_dates_take_a_leading_zero_only_where_nd30_asks():
    assert long_date(dt.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert long_date(dt.date(2026, 1, 20)) == "ngày 20 tháng 01 năm 2026"
    assert long_date(dt.date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"
    assert long_date(dt.date(2025, 12, 31)) == "ngày 31 tháng 12 năm 2025"
    assert date_text(None, 2026).replace("\u00a0", " ").split() == ["ngày", "tháng", "năm", "2026"]


def test_march_date_and_landscape_header(ready_workspace, tmp_path):
    docs.set_document_texts(ready_workspace, YEAR, {"document_date": "09/03/2026"})
    paths = render_dossier_pdfs(ready_workspace, YEAR, tmp_path)
    assert "Kiến Hưng, ngày 09 tháng 3 năm 2026" in pdf_text(paths["to_trinh"], 1)
    page_width = float(PdfReader(str(paths["tong_hop"])).pages[0].mediabox.width)
    runs = text_positions(paths["tong_hop"], 0)
    national = next(x for text, x, _y in runs if text.startswith("CỘNG HÒA XÃ HỘI"))
    issuing = next(x for text, x, _y in runs if text.startswith("ỦY BAN NHÂN DÂN"))
    right_edge = page_width - MARGIN_RIGHT_MM * 72 / 25.4
    assert right_edge - 100 * 72 / 25.4 < national < right_edge - 130  # Quốc hiệu column at the right margin
    assert issuing < page_width / 4


def test_signature_never_stands_alone_on_a_page(signed_dossier):
    _ws, paths = signed_dossier
    for key in ("to_trinh", "bao_cao", "bien_ban", "tong_hop"):
        reader = PdfReader(str(paths[key]))
        last = reader.pages[-1].extract_text()
        assert "./." in last or "Kết luận:" in last, key


def test_recipients_print_with_punctuation_and_the_archive_line_last(ready_workspace, tmp_path):
    docs.set_recipients(ready_workspace, YEAR, ["- Phòng Văn hóa - Xã hội;", "", "Lưu: VT", "Hội Cựu chiến binh xã."])
    paths = render_dossier_pdfs(ready_workspace, YEAR, tmp_path)
    for key in ("to_trinh", "bao_cao"):
        text = pdf_text(paths[key], raw=True)
        assert "- Phòng Văn hóa - Xã hội; - Hội Cựu chiến binh xã; - Lưu: VT." in text, key
        assert "TT Đảng ủy" not in text
    docs.set_recipients(ready_workspace, YEAR, ["Sở Giáo dục và Đào tạo"])
    text = pdf_text(render_dossier_pdfs(ready_workspace, YEAR, tmp_path)["to_trinh"], raw=True)
    assert "- Sở Giáo dục và Đào tạo; - Lưu: VT, VHXH." in text  # the archive copy is never missing
    docs.set_recipients(ready_workspace, YEAR, [])
    text = pdf_text(render_dossier_pdfs(ready_workspace, YEAR, tmp_path)["to_trinh"], raw=True)
    assert "- TT Đảng ủy, TT HĐND xã;" in text and "- Lưu: VT, VHXH." in text


def test_pdf_bytes_parse_cleanly(signed_dossier):
    _ws, paths = signed_dossier
    for path in paths.values():
        reader = PdfReader(io.BytesIO(path.read_bytes()), strict=True)
        assert len(reader.pages) >= 1
