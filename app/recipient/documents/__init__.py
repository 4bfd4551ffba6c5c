"""The recipient's documents for a round, in NĐ 30/2020 form through the app's document engine:

- Báo cáo thẩm định and Tờ trình đề nghị công nhận of the council (TT 25/2023 Điều 9 khoản 2 điểm đ);
- the council-verified summary table of each commune;
- the Quyết định công nhận (a draft until `decide` records the issued number and date) with its list;
- a Công văn trả lời to each commune that does not qualify, with the reasons per indicator;
- the province summary by level, as PDF and Excel.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.documents.nd30 import render_pdf
from app.dossier.package import slug
from app.fileio import write_bytes_atomic
from app.progress import Progress, check_cancelled
from app.recipient.documents.council import build_report, build_submission
from app.recipient.documents.data import CommuneResult, RoundData, collect_round
from app.recipient.documents.decision import decision_pdf
from app.recipient.documents.reply import build_reply, render_letter
from app.recipient.documents.summary import build_commune_summary, build_province_summary, province_workbook
from app.recipient.workspace import RecipientWorkspace

COMMUNE_FOLDER = "tong-hop-tham-dinh"
REPLY_FOLDER = "cong-van-tra-loi"


def reply_pdf(data: RoundData, result: CommuneResult) -> bytes:
    return render_letter(build_reply(data, result))


def write_round_documents(rws: RecipientWorkspace, year: int, out_dir: Path | None = None,
                          progress: Progress | None = None) -> dict[str, Path]:
    """Every document of the round into `out_dir` (default: the workspace's van-ban/NĂM); returns {name: path}.
    Each file is written whole or not at all."""
    data = collect_round(rws, year)
    out = Path(out_dir) if out_dir else rws.output_dir / str(year)
    jobs: list[tuple[str, Callable[..., bytes]]] = [
        (f"bao_cao_tham_dinh_{year}.pdf", lambda: render_pdf(build_report(data))),
        (f"to_trinh_cong_nhan_{year}.pdf", lambda: render_pdf(build_submission(data))),
        (f"quyet_dinh_{year}.pdf", lambda: decision_pdf(data)),
        (f"tong_hop_tinh_{year}.pdf", lambda: render_pdf(build_province_summary(data))),
        (f"tong_hop_tinh_{year}.xlsx", lambda: province_workbook(data)),
    ]
    for result in data.results:
        name = f"{slug(result.commune)}_{year}.pdf"
        jobs.append((f"{COMMUNE_FOLDER}/{name}", lambda r=result: render_pdf(build_commune_summary(data, r))))
        if result.level == 0:
            jobs.append((f"{REPLY_FOLDER}/{name}", lambda r=result: reply_pdf(data, r)))
    written: dict[str, Path] = {}
    for index, (name, make) in enumerate(jobs):
        check_cancelled(progress)
        if progress is not None:
            progress.report(index / len(jobs), f"Đang lập {name}…")
        written[name] = write_bytes_atomic(out / name, make())
    if progress is not None:
        progress.report(1.0, f"Đã lập {len(written)} văn bản.")
    return written


__all__ = ["write_round_documents", "collect_round", "reply_pdf", "decision_pdf", "RoundData"]
