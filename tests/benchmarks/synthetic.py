"""Deterministic synthetic data for benchmarks and the bundle self-test: communes, datasets, evidence files.

Everything is derived from a seed, so two runs build byte-identical inputs and figures stay comparable.
Evidence files are real PDFs and JPEGs (readable by pypdf / Pillow) padded to the requested size and
streamed to disk in 1 MiB blocks, so a 1 GB set never sits in memory.

    ds = dataset_document(2025, level=2)                 # a cdht-dataset/1 document (dict)
    ws = make_workspace(tmp / "ws", year=2025)           # a Workspace with profile, year, figures, assignments
    items = write_evidence_files(tmp / "in", count=1000, total_bytes=10**9)
    built = make_ten_years(tmp / "xa")                   # ten busy years: 20 000 evidence items, 100 000 audit rows
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from app.domain.catalogue import catalogue_for_year
from app.domain.dataset import DATASET_FORMAT
from app.services.assignments import set_assignment
from app.services.profile import update_profile
from app.services.years import add_year

BLOCK = 1 << 20
MB = 1 << 20

COMMUNES = [("Đồng Tiến", "Thái Nguyên"), ("Quỳnh Hưng", "Nghệ An"), ("Phước Hòa", "Bình Định"),
            ("Tân Ước", "Hà Nội"), ("Ea Tiêu", "Đắk Lắk"), ("Mường Khoa", "Lai Châu")]
UNITS = ["Công chức Văn hóa – Xã hội", "Trung tâm học tập cộng đồng", "Hội Khuyến học xã", "Đoàn Thanh niên",
         "Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Trường Trung học cơ sở", "Trường Tiểu học", "Trường Mầm non",
         "Công an xã", "Công chức Văn phòng – Thống kê", "Hội Cựu chiến binh"]
ISSUERS = ["Ủy ban nhân dân xã", "Hội Khuyến học xã", "Trung tâm học tập cộng đồng", "Đảng ủy xã",
           "Phòng Giáo dục và Đào tạo huyện", "Trường Trung học cơ sở"]
DOCUMENT_KINDS = ["Quyết định", "Kế hoạch", "Báo cáo", "Biên bản", "Danh sách", "Thông báo", "Hình ảnh"]
TOPICS = ["xây dựng xã hội học tập", "phổ cập giáo dục – xóa mù chữ", "công nhận gia đình học tập",
          "công nhận dòng họ học tập", "hoạt động của trung tâm học tập cộng đồng", "chuyển đổi số trong học tập",
          "bồi dưỡng kỹ năng nghề cho lao động nông thôn", "phong trào khuyến học, khuyến tài",
          "thư viện và tủ sách cộng đồng", "tuyên truyền học tập suốt đời", "công dân học tập", "đơn vị học tập"]
SENTENCES = [
    "Ủy ban nhân dân xã đã ban hành kế hoạch và phân công nhiệm vụ cụ thể cho từng đơn vị, đoàn thể.",
    "Các thôn, xóm tổ chức tuyên truyền sâu rộng bằng nhiều hình thức phù hợp với điều kiện địa phương.",
    "Trung tâm học tập cộng đồng duy trì hoạt động thường xuyên, thu hút đông đảo người dân tham gia.",
    "Tỷ lệ hộ gia đình đạt danh hiệu gia đình học tập tăng so với cùng kỳ năm trước.",
    "Công tác phối hợp giữa nhà trường, gia đình và xã hội được tăng cường, nề nếp, hiệu quả.",
    "Một số thôn vùng sâu còn gặp khó khăn về cơ sở vật chất và kinh phí tổ chức hoạt động.",
    "Số liệu được tổng hợp từ báo cáo của các thôn và đối chiếu với sổ theo dõi của Hội Khuyến học.",
    "Xã chú trọng ứng dụng công nghệ thông tin, hướng dẫn người dân khai thác học liệu số.",
    "Đội ngũ cán bộ, công chức tích cực học tập nâng cao trình độ chuyên môn, lý luận chính trị.",
    "Kinh phí hoạt động được bố trí từ ngân sách xã và nguồn xã hội hóa hợp pháp.",
]


def rng(seed: int | str, purpose: str) -> random.Random:
    """An independent, reproducible random stream per (seed, purpose)."""
    return random.Random(f"cdht-synthetic:{seed}:{purpose}")


def paragraph(r: random.Random, sentences: int = 3) -> str:
    return " ".join(r.sample(SENTENCES, sentences))


# ---------------------------------------------------------------------------------------------- datasets


def _share(total: int, low: Fraction, high: Fraction, r: random.Random) -> int:
    """A count whose share of `total` lies in [low, high) percent, decided with exact arithmetic."""
    smallest = math.ceil(total * low / 100)  # never just under the threshold
    largest = max(smallest, math.ceil(total * high / 100) - 1)
    return r.randint(smallest, largest)


def dataset_document(year: int = 2025, level: int = 2, seed: int = 0, disadvantaged: bool = False,
                     commune: tuple[str, str] | None = None) -> dict[str, Any]:
    """A complete `cdht-dataset/1` document that the rules engine judges at exactly `level` (0, 1 or 2)."""
    r = rng(seed, f"dataset:{year}:{level}")
    name, province = commune or COMMUNES[seed % len(COMMUNES)]
    catalogue = catalogue_for_year(year)
    total = r.randint(6_000, 20_000)
    indicators: dict[str, dict[str, Any]] = {}
    for ind in catalogue.indicators:
        text = {"description": paragraph(r, 3), "situation": paragraph(r, 2), "strengths": paragraph(r, 2),
                "limitations": paragraph(r, 1), "data_source": "Báo cáo tổng hợp của các thôn, năm " + str(year)}
        need = ind.requirement[max(level, 1)]
        if ind.input == "boolean":
            values: dict[str, Any] = {"met": True}
        elif ind.input == "level":
            values = {"level": need["min_level"]}
        elif ind.input == "ratio":
            low = need["min_percent"]
            high = ind.requirement[2]["min_percent"] if level < 2 else Fraction(100)
            values = {"achieved": _share(total, low, high, r), "total": total}
        else:
            need = need["disadvantaged" if disadvantaged else "normal"]
            university = _share(total, need["university"], need["university"] + 2, r)
            trained = max(university, _share(total, need["trained"], need["trained"] + 5, r))
            values = {"trained": trained, "university": university, "total": total}
        indicators[ind.id] = {**values, **text}
    if level == 0:
        indicators[catalogue.indicators[0].id]["met"] = False
    return {"format": DATASET_FORMAT, "commune": {"name": name, "province": province, "disadvantaged_area": disadvantaged},
            "year": year, "indicators": indicators}


def make_workspace(folder: Path, year: int = 2025, level: int = 2, seed: int = 0, years: int = 1,
                   assignments: bool = True):
    """A workspace in `folder` with a commune profile, `years` assessment years ending at `year`, full figures
    (judged at `level`) and, optionally, an assignment of every indicator to the commune's units."""
    from app.domain.dataset import parse_dataset
    from app.services.datasets import import_dataset
    from app.storage.workspace import Workspace

    folder.mkdir(parents=True, exist_ok=True)
    ws = Workspace.open(folder / "cdht.sqlite3", user="Người đo hiệu năng")
    r = rng(seed, "workspace")
    for y in range(year - years + 1, year + 1):
        import_dataset(ws, parse_dataset(dataset_document(y, level, seed)))
        if not assignments:
            continue
        for ind in ws.catalogue(y).indicators:
            lead, *helpers = r.sample(UNITS, 3)
            set_assignment(ws, y, ind.id, lead, helpers, dt.date(y, r.randint(3, 11), r.randint(1, 28)),
                              r.choice(["todo", "in_progress", "done"]), "")
    update_profile(ws, signer_name="Nguyễn Văn Thắng")
    return ws


# ---------------------------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class EvidenceItem:
    """One synthetic evidence file and the catalogue fields a clerk would type for it."""

    path: Path
    size: int
    kind: str  # "pdf" | "jpg"
    title: str
    doc_number: str
    issued_on: dt.date
    issuer: str
    indicator_ids: tuple[str, ...]


def evidence_sizes(count: int, total_bytes: int, seed: int = 0) -> list[int]:
    """`count` file sizes (varied, at least 4 KiB each) that add up to exactly `total_bytes`."""
    if count <= 0:
        return []
    r = rng(seed, "sizes")
    floor = min(4096, total_bytes // count)
    weights = [r.lognormvariate(0, 0.8) for _ in range(count)]
    spare = total_bytes - floor * count
    scale = spare / sum(weights)
    sizes = [floor + int(w * scale) for w in weights]
    sizes[-1] += total_bytes - sum(sizes)
    return sizes


class _Filler:
    """Incompressible padding from a small pool of random blocks (cheap to produce, never all in memory)."""

    def __init__(self, seed: int) -> None:
        r = rng(seed, "filler")
        self.blocks = [r.randbytes(BLOCK) for _ in range(4)]
        self.r = r

    def write(self, handle: io.BufferedWriter, size: int) -> None:
        while size > 0:
            block = self.blocks[self.r.randrange(len(self.blocks))]
            start = self.r.randrange(BLOCK // 2)
            piece = block[start:start + min(size, BLOCK - start)]
            handle.write(piece)
            size -= len(piece)


def _ascii(text: str) -> str:
    import unicodedata

    flat = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in flat if ord(c) < 128 and c not in "()\\")


def _write_pdf(path: Path, size: int, title: str, unique: bytes, filler: _Filler) -> None:
    """A one-page PDF whose extra bytes sit in an unreferenced binary stream object (xref offsets exact)."""
    text = f"BT /F1 14 Tf 60 780 Td ({_ascii(title)}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    with path.open("wb") as handle:
        offsets = []
        handle.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        for number, body in enumerate(objects, start=1):
            offsets.append(handle.tell())
            handle.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        tail_estimate = 60 + 20 * (len(objects) + 2) + 80
        padding = max(0, size - handle.tell() - tail_estimate - len(unique))
        offsets.append(handle.tell())
        handle.write(b"%d 0 obj\n<< /Length %d >>\nstream\n" % (len(objects) + 1, padding + len(unique)))
        handle.write(unique)
        filler.write(handle, padding)
        handle.write(b"\nendstream\nendobj\n")
        xref = handle.tell()
        handle.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        for offset in offsets:
            handle.write(b"%010d 00000 n \n" % offset)
        handle.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref))


def _write_jpeg(path: Path, size: int, unique: bytes, filler: _Filler, r: random.Random) -> None:
    """A small real photo-like JPEG; extra bytes follow the end-of-image marker (viewers ignore them)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), tuple(r.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = r.randrange(300), r.randrange(220)
        draw.rectangle((x, y, x + r.randrange(20, 120), y + r.randrange(10, 80)),
                       fill=tuple(r.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    with path.open("wb") as handle:
        handle.write(buffer.getvalue())
        handle.write(unique)
        filler.write(handle, max(0, size - buffer.tell() - len(unique)))


def write_evidence_files(folder: Path, count: int, total_bytes: int, seed: int = 0, year: int = 2025,
                         jpeg_share: int = 10) -> list[EvidenceItem]:
    """Write `count` evidence files totalling about `total_bytes` into `folder` (streamed) and describe them.

    About `jpeg_share` percent are JPEG photos, the rest PDFs; names and titles are Vietnamese (NFC); every
    file's content is unique. Each item is linked to one or two indicators of the year's catalogue.
    """
    folder.mkdir(parents=True, exist_ok=True)
    r = rng(seed, f"evidence:{year}")
    filler = _Filler(seed)
    indicator_ids = catalogue_for_year(year).indicator_ids
    items = []
    for index, size in enumerate(evidence_sizes(count, total_bytes, seed), start=1):
        kind = "jpg" if r.randrange(100) < jpeg_share else "pdf"
        doc_kind = "Hình ảnh" if kind == "jpg" else r.choice(DOCUMENT_KINDS[:-1])
        title = f"{doc_kind} về {r.choice(TOPICS)} năm {year}"
        issued = dt.date(year, r.randint(1, 12), r.randint(1, 28))
        number = f"{r.randint(1, 250)}/{r.choice(['QĐ', 'KH', 'BC', 'TB'])}-UBND" if kind == "pdf" else ""
        links = tuple(sorted(r.sample(indicator_ids, r.choice([1, 1, 2])), key=lambda i: tuple(map(int, i.split(".")))))
        path = folder / f"{index:04d} {title}.{kind}"
        unique = hashlib.sha256(f"{seed}:{year}:{index}".encode()).digest()
        if kind == "pdf":
            _write_pdf(path, size, title, unique, filler)
        else:
            _write_jpeg(path, size, unique, filler, r)
        items.append(EvidenceItem(path, path.stat().st_size, kind, title, number, issued, r.choice(ISSUERS), links))
    return items


def total_size(items: list[EvidenceItem]) -> int:
    return sum(item.size for item in items)


# ---------------------------------------------------------------------------------------------- ten busy years


@dataclass(frozen=True)
class TenYears:
    """What `make_ten_years` built: the database, the years, the evidence rows and bytes, the audit rows (all
    years, and the last year's)."""

    database: Path
    years: tuple[int, ...]
    evidence_items: int
    carried_items: int
    stored_files: int
    stored_bytes: int
    audit_rows: int
    last_year_audit_rows: int


def _store_file(store_root: Path, scratch: Path, size: int, kind: str, title: str, unique: bytes,
                filler: _Filler, r: random.Random) -> tuple[str, int]:
    """Write one synthetic file straight into the evidence store (`ab/abcd…` by SHA-256); returns (sha, size)."""
    if kind == "pdf":
        _write_pdf(scratch, size, title, unique, filler)
    else:
        _write_jpeg(scratch, size, unique, filler, r)
    digest = hashlib.sha256()
    with scratch.open("rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
    sha = digest.hexdigest()
    target = store_root / sha[:2] / sha
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch.replace(target)
    return sha, target.stat().st_size


def _edit_value(r: random.Random, indicator, current: dict[str, Any], step: int) -> tuple[str, Any]:
    """One plausible, valid edit of an indicator: a figure, a yes/no, a level or a text."""
    if r.random() < 0.3:
        name = r.choice(["description", "situation", "strengths", "limitations"])
        return name, f"{paragraph(r, 1)} (bản sửa {step})"
    if indicator.input == "boolean":
        return "met", not current.get("met", True)
    if indicator.input == "level":
        return "level", r.choice([level for level in indicator.levels if level != current.get("level")] or [0])
    total = int(current.get("total") or 10_000)
    if indicator.input == "ratio":
        return "achieved", r.randint(total // 2, total)
    university = int(current.get("university") or 0)
    return "trained", r.randint(university, total)


def _audit_edits(ws, year: int, rows: int, seed: int, user: str) -> int:
    """Append `rows` audit rows of realistic indicator edits to `year` (one or two rows a transaction) and leave
    the year's stored values as the last edit made them, as if a clerk had typed them over the months."""
    r = rng(seed, f"audit:{year}")
    catalogue = ws.catalogue(year)
    values = ws.values(year)
    txn = int(ws.db.execute("SELECT COALESCE(MAX(txn), 0) FROM audit_log").fetchone()[0])
    start = dt.datetime(year, 1, 2, 1, 0, tzinfo=dt.UTC)
    seconds = max(1, int((dt.datetime(year, 12, 30, tzinfo=dt.UTC) - start).total_seconds() // max(rows, 1)))
    batch, written = [], 0
    while written < rows:
        txn += 1
        indicator = r.choice(catalogue.indicators)
        current = values.setdefault(indicator.id, {})
        at = (start + dt.timedelta(seconds=seconds * written)).isoformat(timespec="seconds")
        for _ in range(1 if r.random() < 0.8 or written + 1 >= rows else 2):
            name, value = _edit_value(r, indicator, current, written)
            old = current.get(name)
            action = "set" if old is None else "update"
            current[name] = value
            batch.append((txn, at, user, action, "indicator_value", f"{indicator.id}/{name}", year,
                          None if old is None else json.dumps(old, ensure_ascii=False),
                          json.dumps(value, ensure_ascii=False)))
            written += 1
    with ws.transaction():
        ws.db.conn.executemany("INSERT INTO audit_log (txn, at, user, action, entity, entity_key, year, old, new) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
        ws.db.conn.executemany(
            "INSERT INTO indicator_values (year, indicator_id, field, value, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(year, indicator_id, field) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [(year, ind_id, name, json.dumps(value, ensure_ascii=False), batch[-1][1])
             for ind_id, fields in values.items() for name, value in fields.items() if value is not None])
    return written


def make_ten_years(folder: Path, *, years: int = 10, last_year: int = 2025, items: int = 20_000,
                   total_bytes: int = 2 * 1024 ** 3, audit_rows: int = 100_000, seed: int = 0,
                   carry_share: int = 12) -> TenYears:
    """A busy commune's ten years in `folder`: every year added with `--copy-from` the year before (figures,
    assignments and still-valid evidence carried forward), `items` evidence rows (an equal share a year, carried
    ones included) whose new files total about `total_bytes` (real PDFs and JPEGs written straight into the
    evidence store), and `audit_rows` rows in the last year's audit log (imports and edits; undo and the history
    read the year's log), plus a hundredth of that in edits of each earlier year.

    `carry_share` percent of each year's new documents stay valid for two more years and are carried into the
    next years through the app's own carry-over. Built once per run (a full-size build takes minutes).
    """
    from app.evidence.library import insert_evidence
    from app.services.evidence import carry_over_candidates, carry_over_evidence

    first = last_year - years + 1
    ws = make_workspace(folder, year=first, level=2, seed=seed, years=1)
    for year in range(first + 1, last_year + 1):
        add_year(ws, year, copy_from=year - 1)
    per_year = max(1, items // years)
    expected_new = max(1, round(items / (1 + carry_share / 100 * (years - 1) / years)))
    sizes = evidence_sizes(expected_new, total_bytes, seed)
    mean_size = total_bytes // expected_new
    made = 0
    store_root = folder / "evidence"
    scratch = folder / "scratch.tmp"
    filler = _Filler(seed)
    stored_files = stored_bytes = carried = 0
    for year in range(first, last_year + 1):
        r = rng(seed, f"ten-years:{year}")
        indicator_ids = ws.catalogue(year).indicator_ids
        wanted = []
        if year > first:
            wanted = [c.item.id for c in carry_over_candidates(ws, year - 1) if c.recommended]
            carried += len(wanted)
            carry_over_evidence(ws, year - 1, year, wanted)
        with ws.transaction():
            for index in range(max(0, per_year - len(wanted))):
                kind = "jpg" if r.randrange(100) < 10 else "pdf"
                doc_kind = "Hình ảnh" if kind == "jpg" else r.choice(DOCUMENT_KINDS[:-1])
                title = f"{doc_kind} về {r.choice(TOPICS)} năm {year}"
                unique = hashlib.sha256(f"{seed}:{year}:{index}".encode()).digest()
                sha, size = _store_file(store_root, scratch, sizes[made] if made < len(sizes) else mean_size, kind,
                                        title, unique, filler, r)
                made += 1
                stored_files += 1
                stored_bytes += size
                issued = dt.date(year, r.randint(1, 12), r.randint(1, 28))
                valid = dt.date(year + 2, 12, 31) if r.randrange(100) < carry_share else None
                links = sorted(r.sample(indicator_ids, r.choice([1, 1, 2])), key=lambda i: tuple(map(int, i.split("."))))
                number = f"{r.randint(1, 250)}/{r.choice(['QĐ', 'KH', 'BC', 'TB'])}-UBND" if kind == "pdf" else ""
                fields = {"doc_number": number, "issued_date": issued, "issuer": r.choice(ISSUERS), "summary": title,
                          "valid_until": valid}
                name = f"{index + 1:04d} {title}.{kind}"
                _, code = insert_evidence(ws, year, sha256=sha, size=size, name=name,
                                          mime="application/pdf" if kind == "pdf" else "image/jpeg", fields=fields,
                                          indicators=links)
                ws.audit("import", "evidence", code, year, None, {"file": name, "sha256": sha, "size": size,
                                                                  "indicators": links})
    for year in range(first, last_year):
        _audit_edits(ws, year, audit_rows // 100, seed, "Nguyễn Thị Mai")
    in_last_year = int(ws.db.execute("SELECT COUNT(*) FROM audit_log WHERE year = ?", [last_year]).fetchone()[0])
    _audit_edits(ws, last_year, max(0, audit_rows - in_last_year), seed, "Nguyễn Thị Mai")
    written = int(ws.db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])
    evidence_rows = int(ws.db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0])
    last = int(ws.db.execute("SELECT COUNT(*) FROM audit_log WHERE year = ?", [last_year]).fetchone()[0])
    path = ws.path
    ws.close()
    return TenYears(path, tuple(range(first, last_year + 1)), evidence_rows, carried, stored_files, stored_bytes,
                    written, last)
