"""Documents benchmark: every dossier document of a year (6 PDFs, 3 Word drafts, the Excel summary) for a
synthetic commune with 300 evidence items. Measured in a child process, so font loading and imports count."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from tests.benchmarks import memory_result, repeats, result, run_child, scale

YEAR = 2025


def measure(workdir: str, evidence_count: int, runs: int) -> dict[str, Any]:
    """Build the workspace (untimed), then time all documents `runs` times; first run includes font setup."""
    from app.documents import render_dossier_pdfs, write_all_documents
    from app.documents import texts as doc_texts
    from app.domain import meeting as mt
    from app.services import documents as docs
    from tests.benchmarks.synthetic import make_workspace

    ws = make_workspace(Path(workdir) / "ws", year=YEAR, level=2)
    indicators = ws.catalogue(YEAR).indicator_ids
    with ws.transaction():
        for n in range(evidence_count):
            indicator = indicators[n % len(indicators)]
            code = f"H{indicator}.{n // len(indicators) + 1:02d}"
            cursor = ws.db.execute(
                "INSERT INTO evidence (year, code, sha256, size, original_name, doc_number, issued_date, issuer, "
                "summary, created_at) VALUES (?, ?, ?, 1000, ?, ?, '2025-06-01', 'UBND xã', ?, '2026-01-01')",
                [YEAR, code, hashlib.sha256(code.encode()).hexdigest(), f"{code}.pdf", f"{n + 1}/QĐ-UBND",
                 f"Quyết định số {n + 1} về việc triển khai nội dung chỉ tiêu {indicator} năm {YEAR}"])
            ws.db.execute("INSERT INTO evidence_links (evidence_id, indicator_id) VALUES (?, ?)",
                          [cursor.lastrowid, indicator])
    docs.set_document_texts(ws, YEAR, {key: "Nội dung mẫu của phần này. " * 20 for key in doc_texts.NARRATIVE_FIELDS})
    docs.save_review_meeting(ws, YEAR, mt.meeting_from_json({
        "meeting_date": "2026-01-20", "chair_name": "Nguyễn Văn Thắng", "level_agreed": 2,
        "attendees": [{"name": f"Đại biểu {i}", "organisation": "Hội Khuyến học xã"} for i in range(12)]}))
    timings, pdf_only = [], []
    for run in range(runs):
        start = time.perf_counter()
        write_all_documents(ws, YEAR, Path(workdir) / f"out{run}")
        timings.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_dossier_pdfs(ws, YEAR, Path(workdir) / f"pdf{run}")
        pdf_only.append(time.perf_counter() - start)
    ws.close()
    return {"first": timings[0], "all": sorted(timings)[len(timings) // 2], "pdf": sorted(pdf_only)[len(pdf_only) // 2]}


def run(workdir: Path) -> list[dict[str, Any]]:
    count = scale(300, 300)
    child = run_child("tests.benchmarks.bench_documents:measure", str(workdir), count, repeats(5, 2))
    value = child.value
    return [
        result(f"Toàn bộ văn bản hồ sơ một năm ({count} minh chứng): 6 PDF + 3 Word + 1 Excel", value["all"], "s",
               target="≤ 3 s"),
        result("  lần đầu (gồm nạp phông chữ)", value["first"], "s", target="≤ 3 s"),
        result("  trong đó: 6 văn bản PDF", value["pdf"], "s"),
        memory_result(f"Văn bản hồ sơ ({count} minh chứng)", child.peak_mb, "≤ 150 MB"),
    ]
