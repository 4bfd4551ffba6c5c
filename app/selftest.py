"""Self-test of an installed copy (`cdht self-test`): every part of the app, end to end, in a temporary folder.

It opens a fresh database, judges the demo commune's figures, files an evidence item, renders every
document, makes a throw-away signing key, exports and signs a dossier package and verifies it, then opens
the main window offscreen in a separate process (`cdht-gui --self-test-window`). One line per step with ✔ or
✘ and its time; the exit code is non-zero when any step failed, and the failed steps are named. Nothing is
written outside the temporary folder, and no network is used.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from app.errors import CdhtError
from app.fileio import write_bytes_atomic
from app.paths import BUNDLE_ROOT, CATALOGUE_DIR, FONTS_DIR, RESOURCES_DIR
from app.services.assignments import set_assignment
from app.services.profile import save_profile
from app.services.years import add_year

if TYPE_CHECKING:
    from app.dossier.records import PackageRecord

YEAR = 2025
EXPECTED_LEVEL = 1  # the demo commune's 2025 figures meet mức độ 1 but not mức độ 2
FONT_FILES = [f"{family}-{style}.ttf" for family in ("NotoSans", "LiberationSerif")
              for style in ("Regular", "Bold", "Italic", "BoldItalic")]
KEY_PASSWORD = "tự-kiểm-tra"
WINDOW_FLAG = "--self-test-window"
WINDOW_TIMEOUT_S = 90


class SelfTestError(CdhtError):
    """A self-test step found something wrong (the message says what)."""


@dataclass
class Context:
    """What the steps hand to each other, all inside one temporary folder."""

    folder: Path
    ws: Any = None
    documents: dict[str, Path] = field(default_factory=dict)
    key: Any = None
    package: Path | None = None

    def need(self, name: str) -> Any:
        value = getattr(self, name)
        if not value:
            raise SelfTestError("bước trước không thành công nên không làm được bước này")
        return value


# ---------------------------------------------------------------------------------------------- steps


def check_bundled_files(ctx: Context) -> str:
    missing = [name for name in FONT_FILES if not (FONTS_DIR / name).is_file()]
    missing += [] if any(CATALOGUE_DIR.glob("*.json")) else [str(CATALOGUE_DIR / "*.json")]
    missing += [] if (RESOURCES_DIR / "icons" / "cdht.png").is_file() else ["resources/icons/cdht.png"]
    missing += [] if any((BUNDLE_ROOT / "data" / "trust").glob("*.pem")) else ["data/trust/*.pem"]
    if missing:
        raise SelfTestError(f"thiếu tệp đi kèm trong {BUNDLE_ROOT}: {', '.join(missing)}")
    from app.domain.catalogue import catalogue_for_year

    catalogue = catalogue_for_year(YEAR)
    from app.dossier.trust import bundled_anchors

    return (f"{len(FONT_FILES)} phông chữ, {catalogue.short_title}: {len(catalogue.indicators)} chỉ tiêu, "
            f"{len(bundled_anchors())} chứng thư gốc tin cậy")


def open_fresh_database(ctx: Context) -> str:
    from app.demo import PROFILE
    from app.storage.db import user_version
    from app.storage.migrations import SCHEMA_VERSION
    from app.storage.workspace import Workspace

    ctx.ws = Workspace.open(ctx.folder / "du-lieu" / "cdht.sqlite3", user="Tự kiểm tra")
    version = user_version(ctx.ws.db)
    if version != SCHEMA_VERSION:
        raise SelfTestError(f"cơ sở dữ liệu ở phiên bản {version}, cần {SCHEMA_VERSION}")
    save_profile(ctx.ws, PROFILE)
    add_year(ctx.ws, YEAR)
    return f"lược đồ phiên bản {version}, xã {PROFILE.commune_name}"


def judge_dataset(ctx: Context) -> str:
    from app.demo import PROFILE, VALUES_2025
    from app.domain.dataset import DATASET_FORMAT, parse_dataset
    from app.services.datasets import import_dataset

    ws = ctx.need("ws")
    document = {"format": DATASET_FORMAT, "year": YEAR, "indicators": VALUES_2025,
                "commune": {"name": PROFILE.commune_name, "province": PROFILE.province,
                            "disadvantaged_area": PROFILE.disadvantaged_area}}
    import_dataset(ws, parse_dataset(document))
    checklist = ws.checklist(YEAR)
    assessment = checklist.assessment
    if assessment.level != EXPECTED_LEVEL:
        raise SelfTestError(f"xã được đánh giá đạt mức độ {assessment.level}, đúng ra là mức độ {EXPECTED_LEVEL}")
    failing = sorted(i for i, r in assessment.indicators.items() if r.verdicts[2].status != "met")
    if failing != ["4.2", "5.1", "5.2"]:
        raise SelfTestError(f"chỉ tiêu chưa đạt mức độ 2 là {failing}, đúng ra là 4.2, 5.1, 5.2")
    return f"đạt mức độ {assessment.level}; tỷ lệ 5.1: {assessment.indicators['5.1'].figure}"


def file_evidence(ctx: Context) -> str:
    from app.evidence.importer import import_files  # the evidence library's import service

    ws = ctx.need("ws")
    source = ctx.folder / "minh-chung" / "Kế hoạch xây dựng xã hội học tập 2025.pdf"
    source.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(source, _small_pdf("Ke hoach so 18/KH-UBND ngay 12/02/2025"))
    indicator_ids = ws.catalogue(YEAR).indicator_ids
    import_files(ws, YEAR, [source], indicator_ids=indicator_ids,
                 details={"doc_number": "18/KH-UBND", "issued_date": "12/02/2025", "issuer": "Ủy ban nhân dân xã",
                          "summary": "Kế hoạch xây dựng xã hội học tập năm 2025"})
    from app.evidence.library import indicator_evidence

    linked = [i for i in indicator_ids if indicator_evidence(ws, YEAR, i)]
    if linked != list(indicator_ids):
        raise SelfTestError(f"minh chứng vừa nhập chỉ gắn với {len(linked)}/{len(indicator_ids)} chỉ tiêu")
    return f"1 tệp PDF, gắn với {len(linked)} chỉ tiêu"


def render_documents(ctx: Context) -> str:
    from app.documents import write_all_documents
    from app.documents.texts import NARRATIVE_FIELDS
    from app.domain.meeting import Attendee, ReviewMeeting
    from app.services.documents import save_review_meeting, set_document_texts

    ws = ctx.need("ws")
    profile = ws.profile()
    set_document_texts(ws, YEAR, {**{key: f"{label} của xã {profile.commune_name} năm {YEAR}."
                                     for key, label in NARRATIVE_FIELDS.items()},
                                  "number.to_trinh": "01", "date.to_trinh": f"20/01/{YEAR + 1}",
                                  "number.bao_cao": "02", "date.bao_cao": f"20/01/{YEAR + 1}", "number.bien_ban": "03",
                                  "plan.number": "18", "plan.date": f"12/02/{YEAR}"})
    set_assignment(ws, YEAR, "5.1", "Hội Khuyến học xã", ["Các thôn"], dt.date(YEAR, 11, 30))  # the Phân công too
    save_review_meeting(ws, YEAR, ReviewMeeting(
        meeting_date=dt.date(YEAR + 1, 1, 15), chair_name=profile.signer_name, chair_title=profile.signer_title,
        place="Hội trường Ủy ban nhân dân xã", start_time="08:00", end_time="10:30",
        secretary_name="Lê Văn Bình", secretary_title="Công chức Văn hóa – Xã hội",
        attendees=(Attendee("Phạm Thị Hoa", "Chủ tịch", "Hội Khuyến học xã"),
                   Attendee("Hoàng Văn Nam", "Chủ tịch", "Ủy ban Mặt trận Tổ quốc Việt Nam xã"),
                   *(Attendee(name, "Chủ tịch", f"{organisation} xã") for name, organisation in (
                       ("Đỗ Thị Hương", "Hội Liên hiệp Phụ nữ"), ("Bùi Văn Toàn", "Hội Nông dân"),
                       ("Ngô Văn Hải", "Hội Cựu chiến binh"), ("Lương Thị Hà", "Công đoàn"))),
                   Attendee("Vũ Minh Quân", "Bí thư", "Đoàn TNCS Hồ Chí Minh xã")),
        content="Xét kết quả tự đánh giá xây dựng \"Cộng đồng học tập\" cấp xã năm 2025.",
        conclusions="Thống nhất đề nghị công nhận mức độ 1.", level_agreed=EXPECTED_LEVEL))
    written = write_all_documents(ws, YEAR, ctx.folder / "van-ban", level=EXPECTED_LEVEL)
    pages = sum(_check_document(path, profile.commune_name) for path in written.values())
    ctx.documents = dict(written)
    return f"{len(written)} tệp ({pages} trang PDF)"


def make_signing_key(ctx: Context) -> str:
    ctx.key = make_throwaway_pkcs12(ctx.folder / "khoa-ky-thu")
    return "khóa RSA-2048 và chứng thư thử (PKCS#12)"


def export_and_sign(ctx: Context) -> str:
    from app.dossier.delivery import export_package
    from app.dossier.finalize import finalize

    ws, key = ctx.need("ws"), ctx.need("key")
    finalize(ws, YEAR)
    delivered = export_package(ws, YEAR, ctx.folder / "goi-ho-so" / f"ho-so-{YEAR}.zip", key.signing_key(),
                               level=EXPECTED_LEVEL)
    ctx.package = delivered.path
    record = cast("PackageRecord", delivered.record)  # export_package always records what it built
    return f"{delivered.path.name}, {record.size // 1024} KB, phiên bản {record.version}"


def check_package(ctx: Context) -> str:
    from app.dossier.verify import verify_package as verify

    package, key = ctx.need("package"), ctx.need("key")
    report = verify(package, trust=[key.ca_pem])
    if not report.valid:  # intact, trusted and bound to the commune: the whole signature policy works here
        raise SelfTestError(report.summary())
    return f"{report.summary()} ({len(report.checks)} mục kiểm tra)"


def open_main_window(ctx: Context) -> str:
    command = gui_command()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CDHT_DATA_DIR": str(ctx.folder / "du-lieu-cua-so")}
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8",
                              errors="replace", timeout=WINDOW_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise SelfTestError(f"cửa sổ chính không đóng sau {WINDOW_TIMEOUT_S} giây") from None
    if done.returncode != 0:
        detail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
        raise SelfTestError(f"cdht-gui {WINDOW_FLAG} thoát với mã {done.returncode}: {' | '.join(detail)}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return lines[-1].strip().lstrip("✔").strip() if lines else "đã mở và đóng"


STEPS: list[tuple[str, Callable[[Context], str]]] = [
    ("Tệp đi kèm (phông chữ, danh mục tiêu chí, biểu tượng)", check_bundled_files),
    ("Mở cơ sở dữ liệu mới", open_fresh_database),
    ("Đánh giá bộ số liệu", judge_dataset),
    ("Nhập minh chứng", file_evidence),
    ("Tạo toàn bộ văn bản", render_documents),
    ("Tạo khóa ký thử", make_signing_key),
    ("Xuất và ký gói hồ sơ", export_and_sign),
    ("Kiểm tra gói hồ sơ", check_package),
    ("Mở cửa sổ chính (offscreen)", open_main_window),
]


# ---------------------------------------------------------------------------------------------- helpers


def gui_command() -> list[str]:
    """The desktop app started with the window check: the sibling `cdht-gui` in a bundle, else Python."""
    if getattr(sys, "frozen", False):
        suffix = ".exe" if sys.platform == "win32" else ""
        return [str(Path(sys.executable).with_name(f"cdht-gui{suffix}")), WINDOW_FLAG]
    code = f"import sys; sys.argv = ['cdht-gui', '{WINDOW_FLAG}']; from ui.main import main; sys.exit(main())"
    return [sys.executable, "-c", code]


def _small_pdf(text: str) -> bytes:
    """A one-page PDF (as a scanned official letter would be) made with reportlab."""
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 770, text)
    page.save()
    return buffer.getvalue()


def _check_document(path: Path, commune: str) -> int:
    """Open a written document with its format's reader; returns the PDF page count (0 for others)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(path)
        text = " ".join(page.extract_text() or "" for page in reader.pages)
        if not reader.pages or commune.upper() not in text.upper():
            raise SelfTestError(f"{path.name}: PDF không có trang hoặc không có tên xã")
        return len(reader.pages)
    if suffix == ".docx":
        import docx

        if not any(commune in p.text for p in docx.Document(str(path)).paragraphs):
            raise SelfTestError(f"{path.name}: văn bản Word không có tên xã")
        return 0
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        if not load_workbook(path, read_only=True).sheetnames:
            raise SelfTestError(f"{path.name}: bảng tính Excel rỗng")
        return 0
    raise SelfTestError(f"{path.name}: loại tệp không mong đợi")


@dataclass(frozen=True)
class ThrowawayKey:
    """A self-made CA and signer certificate with its key in a password-protected PKCS#12 file."""

    p12: Path
    password: str
    ca_pem: Path

    def signing_key(self) -> Any:
        from app.dossier.signing import Pkcs12Key

        return Pkcs12Key(self.p12, self.password)


def make_throwaway_pkcs12(folder: Path) -> ThrowawayKey:
    """Generate a test CA and a commune signer (RSA-2048) valid for one day, on the spot."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tự kiểm tra CĐHT xã"),
                          x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def certificate(subject: x509.Name, issuer: x509.Name, public_key: rsa.RSAPublicKey, signing_key: rsa.RSAPrivateKey,
                    ca: bool) -> x509.Certificate:
        usage = dict(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                     data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                     encipher_only=False, decipher_only=False)
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(**usage), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
                .sign(signing_key, hashes.SHA256()))

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_cert = certificate(name("CA thử nghiệm"), name("CA thử nghiệm"), ca_key.public_key(), ca_key, True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # named as Vietnamese CAs name a commune (with its province), so the check binds the signer to the commune
    from app.demo import PROFILE

    subject = x509.Name([*name(f"Ủy ban nhân dân xã {PROFILE.commune_name}"),
                         x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, PROFILE.province)])
    cert = certificate(subject, ca_cert.subject, key.public_key(), ca_key, False)
    p12 = pkcs12.serialize_key_and_certificates(
        b"tu-kiem-tra", key, cert, [ca_cert], serialization.BestAvailableEncryption(KEY_PASSWORD.encode()))
    ca_pem = write_bytes_atomic(folder / "ca.pem", ca_cert.public_bytes(serialization.Encoding.PEM))
    return ThrowawayKey(write_bytes_atomic(folder / "ky-thu.p12", p12), KEY_PASSWORD, ca_pem)


# ---------------------------------------------------------------------------------------------- runner


def run_self_test(out: TextIO | None = None, keep: Path | None = None) -> int:
    """Run every step, print one line each, and return 0 when all passed (1 otherwise)."""
    out = out or sys.stdout
    failed: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cdht-tu-kiem-tra-") as temp:
        ctx = Context(Path(keep) if keep else Path(temp))
        ctx.folder.mkdir(parents=True, exist_ok=True)
        try:
            for number, (title, step) in enumerate(STEPS, start=1):
                begin = time.perf_counter()
                try:
                    detail = step(ctx)
                except Exception as exc:  # noqa: BLE001 - a failing step is reported, the next ones still run
                    failed.append(title)
                    reason = exc.message if isinstance(exc, CdhtError) else _technical(exc)
                    print(f"✘ {number}. {title} — {reason} ({_seconds(begin)})", file=out, flush=True)
                else:
                    print(f"✔ {number}. {title} — {detail} ({_seconds(begin)})", file=out, flush=True)
        finally:
            if ctx.ws is not None:
                ctx.ws.close()
    total = f"{time.perf_counter() - started:.1f}".replace(".", ",")
    if failed:
        print(f"Tự kiểm tra KHÔNG ĐẠT ({len(failed)}/{len(STEPS)} bước lỗi, {total} s): {'; '.join(failed)}",
              file=out, flush=True)
        return 1
    print(f"Tự kiểm tra đạt: {len(STEPS)}/{len(STEPS)} bước ({total} s).", file=out, flush=True)
    return 0


def _seconds(begin: float) -> str:
    return f"{time.perf_counter() - begin:.2f} s".replace(".", ",")


def _technical(exc: BaseException) -> str:
    """An unexpected error, short: its type, message and the innermost frame (for support staff)."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" [{Path(frame.filename).name}:{frame.lineno}]" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"
