"""Pieces every dossier document shares: the document frame, signer, recipients, and result phrases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from app.documents.data import DossierData, signer_lines
from app.documents.model import Cell, Document, Para, Signer, TableBlock
from app.domain.catalogue import Criterion, Indicator
from app.domain.rules import STATUS_LABELS

CDHT = "“Cộng đồng học tập”"


def dossier_document(data: DossierData, key: str, type_title: str, summary: str, blocks: Sequence[Para | TableBlock],
                     *, number_code: str | None = None, recipients: Sequence[str] = (), signer: Signer | None = None,
                     left_signer: Signer | None = None, unsigned: bool = False, landscape: bool = False,
                     subtitle: str = "", date: dt.date | None = None) -> Document:
    """A document of the commune's UBND for this year, signed by the profile's signer unless another
    `signer` is given or it is an `unsigned` annex; `date` defaults to the dossier's document date."""
    if signer is None and not unsigned:
        signer = commune_signer(data)
    return Document(
        key=key, file_stem=f"{key}_{data.year}", type_title=type_title, summary=summary,
        issuing_lines=data.issuing_lines, place=data.commune, date=date or data.date,
        date_year=date.year if date else data.date_year, number_code=number_code, number=data.number(key),
        blocks=tuple(blocks), recipients=tuple(recipients), signer=signer, left_signer=left_signer,
        landscape=landscape, subtitle=subtitle,
    )


def commune_signer(data: DossierData) -> Signer:
    return Signer(signer_lines(data.profile.signer_title), data.profile.signer_name)


def standard_recipients(data: DossierData) -> list[str]:
    """Nơi nhận of a document sent up with the dossier; the last line is the archive copy."""
    return [f"{data.profile.recipient_authority};", "TT Đảng ủy, TT HĐND xã;", "CT, các PCT UBND xã;",
            "Hội Khuyến học xã;", "Lưu: VT, VHXH."]


def level_name(level: int) -> str:
    return f"mức độ {level}"


def status_label(status: str) -> str:
    return STATUS_LABELS[status]


def criteria_summary(data: DossierData, level: int) -> tuple[int, int, int, int]:
    """(criteria met, criteria, indicators met, indicators) at a level, as judged by the rules engine."""
    assessment = data.assessment
    criteria_met = sum(1 for c in assessment.criteria.values() if c.verdicts[level].met)
    indicators_met = sum(1 for r in assessment.indicators.values() if r.verdicts[level].met)
    return criteria_met, len(assessment.criteria), indicators_met, len(assessment.indicators)


def grouped_table(data: DossierData, header: Sequence[str], widths: Sequence[float],
                  indicator_cells: Callable[[Indicator], list[Cell]],
                  criterion_cells: Callable[[Criterion], list[Cell]] | None = None, font_size: float = 11) -> TableBlock:
    """A table with a bold row per tiêu chí followed by a row per chỉ tiêu (columns 'TT', 'Tiêu chí, chỉ tiêu', …).

    `indicator_cells` / `criterion_cells` give the remaining cells of each row; a tiêu chí row without its own
    cells spans the whole width.
    """
    rows = [tuple(Cell(text, bold=True, align="centre") for text in header)]
    col_spans = []
    for criterion in data.catalogue.criteria:
        title = Cell(f"Tiêu chí {criterion.id}. {criterion.name}", bold=True)
        if criterion_cells is None:
            col_spans.append((len(rows), 1, len(header) - 1))
            rows.append((Cell(criterion.id, bold=True, align="centre"), title, *[Cell("")] * (len(header) - 2)))
        else:
            rows.append((Cell(criterion.id, bold=True, align="centre"), title, *criterion_cells(criterion)))
        for indicator in criterion.indicators:
            rows.append((Cell(indicator.id, align="centre"), Cell(indicator.text), *indicator_cells(indicator)))
    return TableBlock(widths=tuple(widths), rows=tuple(rows), col_spans=tuple(col_spans), font_size=font_size)
