"""Demo evidence for the demo commune: realistic plans and decisions (PDF), a photo (PNG) and a list (XLSX).

The files are generated deterministically (same bytes every time), so running the demo twice finds
duplicates instead of adding copies.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from app.evidence.importer import ImportResult, import_files
from app.paths import FONTS_DIR
from app.text import format_date_long

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from app.storage.workspace import Workspace

FONT = "CdhtDemoSerif"


@dataclass(frozen=True)
class DemoDocument:
    file_name: str
    indicators: tuple[str, ...]
    doc_number: str
    issued: dt.date
    summary: str
    kind: str  # 'plan' | 'decision' | 'regulation' | 'photo' | 'sheet'
    paragraphs: tuple[str, ...] = field(default=())
    valid_until: dt.date | None = None


def demo_documents(commune: str, year: int) -> list[DemoDocument]:
    return [
        DemoDocument(
            f"Kế hoạch xây dựng xã hội học tập năm {year}.pdf", ("1.2",), "15/KH-UBND", dt.date(year, 1, 10),
            f"Kế hoạch xây dựng xã hội học tập năm {year}", "plan", (
                "I. MỤC ĐÍCH, YÊU CẦU",
                f"Đẩy mạnh xây dựng xã hội học tập, tạo cơ hội cho mọi người dân xã {commune} được học tập suốt đời; "
                "huy động các tổ chức, đoàn thể cùng tham gia.",
                "II. NHIỆM VỤ VÀ GIẢI PHÁP",
                "1. Tuyên truyền nâng cao nhận thức về học tập suốt đời trên hệ thống truyền thanh xã.",
                "2. Duy trì hoạt động của Trung tâm học tập cộng đồng, thư viện và các câu lạc bộ.",
                "3. Phấn đấu 60% hộ gia đình đạt danh hiệu \"Gia đình học tập\", 65% công dân đạt \"Công dân học tập\".",
                "III. TỔ CHỨC THỰC HIỆN",
                "Giao Hội Khuyến học xã chủ trì, phối hợp Mặt trận Tổ quốc và các đoàn thể triển khai kế hoạch này.",
            )),
        DemoDocument(
            f"Kế hoạch Tuần lễ hưởng ứng học tập suốt đời {year}.pdf", ("1.3",), "52/KH-UBND", dt.date(year, 9, 20),
            f"Kế hoạch tổ chức Tuần lễ hưởng ứng học tập suốt đời năm {year}", "plan", (
                "I. MỤC ĐÍCH",
                "Tạo không khí học tập sôi nổi trong toàn xã; biểu dương gia đình học tập, dòng họ học tập tiêu biểu.",
                "II. NỘI DUNG HOẠT ĐỘNG",
                "1. Lễ khai mạc Tuần lễ tại Trung tâm học tập cộng đồng xã.",
                "2. Ngày hội đọc sách tại thư viện xã và các điểm trường.",
                "3. Chuyên đề chuyển đổi số cho người cao tuổi.",
            )),
        DemoDocument(
            "Quy chế phối hợp Hội Khuyến học và các đoàn thể.pdf", ("2.3",), "03/QC-HKH-MTTQ", dt.date(year, 3, 15),
            "Quy chế phối hợp giữa Hội Khuyến học xã và các tổ chức chính trị - xã hội trong xây dựng xã hội học tập",
            "regulation", (
                "Điều 1. Phạm vi điều chỉnh",
                "Quy chế này quy định nguyên tắc, nội dung và phương thức phối hợp giữa Hội Khuyến học xã với Ủy ban "
                "Mặt trận Tổ quốc, Hội Liên hiệp Phụ nữ, Hội Nông dân, Đoàn Thanh niên và Hội Cựu chiến binh xã.",
                "Điều 2. Nội dung phối hợp",
                "Tuyên truyền, vận động hội viên tham gia học tập; xây dựng mô hình gia đình, dòng họ, cộng đồng học tập.",
                "Điều 3. Hiệu lực",
                f"Quy chế có hiệu lực từ ngày ký đến hết ngày 31/12/{year + 2}.",
            ), valid_until=dt.date(year + 2, 12, 31)),
        DemoDocument(
            f"Ảnh khai mạc Tuần lễ học tập suốt đời {year}.png", ("1.3",), "", dt.date(year, 10, 1),
            f"Ảnh lễ khai mạc Tuần lễ hưởng ứng học tập suốt đời năm {year}", "photo"),
        DemoDocument(
            f"Danh sách công dân học tập năm {year}.xlsx", ("5.1",), "", dt.date(year, 12, 15),
            f"Danh sách công dân đạt danh hiệu \"Công dân học tập\" năm {year}", "sheet"),
    ]


def add_demo_evidence(ws: Workspace, year: int) -> list[ImportResult]:
    """Generate the demo files and import them into `year`, with catalogue fields and indicator links."""
    commune = ws.profile().commune_name if ws.has_profile() else "Đồng Tiến"
    results: list[ImportResult] = []
    with tempfile.TemporaryDirectory(prefix="cdht-demo-") as folder:
        for document in demo_documents(commune, year):
            path = Path(folder) / document.file_name
            _write(document, path, commune)  # a scratch file: the store keeps its own durable copy on import
            details = {"doc_number": document.doc_number, "issued_date": document.issued,
                       "issuer": f"UBND xã {commune}" if document.doc_number.endswith("UBND") else (
                           f"Hội Khuyến học xã {commune}" if document.kind == "regulation" else ""),
                       "summary": document.summary, "valid_until": document.valid_until}
            results.extend(import_files(ws, year, [path], indicator_ids=document.indicators, details=details))
    return results


def _write(document: DemoDocument, path: Path, commune: str) -> None:
    if document.kind == "photo":
        _write_photo(path, document.issued.year)
    elif document.kind == "sheet":
        _write_sheet(path, commune, document.issued.year)
    else:
        _write_pdf(path, document, commune)


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "LiberationSerif-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(FONT + "-Bold", str(FONTS_DIR / "LiberationSerif-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(FONT + "-Italic", str(FONTS_DIR / "LiberationSerif-Italic.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT + "-Bold", italic=FONT + "-Italic",
                                  boldItalic=FONT + "-Bold")


def _write_pdf(path: Path, document: DemoDocument, commune: str) -> None:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=13, leading=17)
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER)
    bold_center = ParagraphStyle("bold", parent=center, fontName=FONT + "-Bold")
    body = ParagraphStyle("body", parent=base, fontSize=14, leading=19, alignment=TA_JUSTIFY, firstLineIndent=10 * mm,
                          spaceAfter=4)
    heading = ParagraphStyle("heading", parent=body, fontName=FONT + "-Bold", firstLineIndent=0)
    issuer = (f"HỘI KHUYẾN HỌC XÃ {commune.upper()}" if document.kind == "regulation"
              else f"ỦY BAN NHÂN DÂN<br/><b>XÃ {commune.upper()}</b>")
    header = Table([
        [Paragraph(issuer, center),
         Paragraph("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br/><b>Độc lập - Tự do - Hạnh phúc</b>", center)],
        [Paragraph(f"Số: {document.doc_number}", center),
         Paragraph(f"<i>{commune}, {format_date_long(document.issued)}</i>", center)],
    ], colWidths=[65 * mm, 105 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 1), (-1, 1), 6)]))
    title = {"plan": "KẾ HOẠCH", "regulation": "QUY CHẾ PHỐI HỢP", "decision": "QUYẾT ĐỊNH"}[document.kind]
    story = [header, Spacer(1, 10 * mm), Paragraph(title, bold_center), Paragraph(document.summary, bold_center),
             Spacer(1, 6 * mm)]
    for paragraph in document.paragraphs:
        is_heading = paragraph[:2] in ("I.", "II", "III") or paragraph.startswith("Điều")
        story.append(Paragraph(paragraph, heading if is_heading else body))
    signer = "CHỦ TỊCH HỘI KHUYẾN HỌC" if document.kind == "regulation" else "TM. ỦY BAN NHÂN DÂN<br/>CHỦ TỊCH"
    story += [Spacer(1, 8 * mm), Table([["", Paragraph(f"<b>{signer}</b><br/><br/><br/><br/><b>Nguyễn Văn An</b>",
                                                           center)]], colWidths=[85 * mm, 85 * mm])]
    pdf = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=document.summary, author=f"UBND xã {commune}", invariant=1)
    pdf.build(story)


def _write_photo(path: Path, year: int) -> None:
    """A photo-like picture of the opening ceremony: sky, hall, red banner, audience."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(year)
    width, height = 1200, 800
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for row in range(height):
        t = row / height
        draw.line([(0, row), (width, row)], fill=(int(120 + 90 * t), int(170 + 50 * t), int(230 - 40 * t)))
    draw.rectangle([80, 180, 1120, 560], fill=(236, 222, 196))
    draw.polygon([(60, 190), (600, 90), (1140, 190)], fill=(150, 60, 40))
    draw.rectangle([160, 230, 1040, 330], fill=(196, 24, 32))
    font_path = FONTS_DIR / "NotoSans-Bold.ttf"
    big = ImageFont.truetype(str(font_path), 40)
    small = ImageFont.truetype(str(font_path), 26)
    draw.text((600, 262), "TUẦN LỄ HƯỞNG ỨNG HỌC TẬP SUỐT ĐỜI", font=big, fill=(255, 221, 0), anchor="mm")
    draw.text((600, 308), f"NĂM {year}", font=small, fill=(255, 221, 0), anchor="mm")
    draw.rectangle([0, 560, width, height], fill=(96, 120, 72))
    people = sorted(((rng.uniform(40, width - 40), rng.uniform(590, height - 10)) for _ in range(260)),
                    key=lambda p: p[1])
    for x, y in people:
        scale = 0.6 + (y - 590) / 300
        shirt = rng.choice([(235, 235, 240), (40, 70, 140), (200, 40, 40), (230, 190, 60), (60, 120, 80)])
        draw.ellipse([x - 14 * scale, y - 10 * scale, x + 14 * scale, y + 26 * scale], fill=shirt)
        draw.ellipse([x - 8 * scale, y - 26 * scale, x + 8 * scale, y - 10 * scale], fill=(40, 30, 25))
    for i in range(7):
        x = 240 + i * 120 + 20 * math.sin(i)
        draw.ellipse([x - 16, 420, x + 16, 452], fill=(40, 30, 25))
        draw.rectangle([x - 20, 452, x + 20, 530], fill=(30, 40, 70) if i != 3 else (170, 30, 40))
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    image.save(path, "PNG", optimize=False)


def _write_sheet(path: Path, commune: str, year: int) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rng = random.Random(year * 7)
    surnames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đỗ", "Vũ", "Đặng"]
    middles = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hữu"]
    names = ["An", "Bình", "Cường", "Dung", "Đức", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phương", "Thảo", "Tiến"]
    hamlets = ["Thôn Đông", "Thôn Đoài", "Thôn Trung", "Xóm Mới"]
    book = Workbook()
    sheet = cast("Worksheet", book.active)  # a new workbook has one worksheet, active
    sheet.title = "Công dân học tập"
    sheet.append([f"DANH SÁCH CÔNG DÂN HỌC TẬP NĂM {year} — XÃ {commune.upper()}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "Năm sinh", "Thôn/xóm", "Kết quả"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for index in range(1, 41):
        full = f"{rng.choice(surnames)} {rng.choice(middles)} {rng.choice(names)}"
        sheet.append([index, full, rng.randint(1950, 2005), rng.choice(hamlets), "Đạt"])
    for column, width in zip("ABCDE", (6, 28, 10, 14, 10), strict=True):
        sheet.column_dimensions[column].width = width
    book.properties.creator = f"UBND xã {commune}"
    book.properties.created = dt.datetime(year, 12, 15, 8, 0, 0)
    book.save(path)
    _freeze_zip(path, dt.datetime(year, 12, 15, 8, 0, 0))


def _freeze_zip(path: Path, stamp: dt.datetime) -> None:
    """Give an Office file fixed timestamps (entry dates, docProps modified) so its bytes never vary."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + iso, data)
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6]), data,
                             compress_type=zipfile.ZIP_DEFLATED)


__all__ = ["add_demo_evidence", "demo_documents", "DemoDocument"]
