"""Pieces every dossier document shares: the document frame, signer, recipients, and result phrases."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from app.documents import texts as doc_texts
from app.documents.data import DossierData, signer_lines
from app.documents.model import DATE_SLOT, NUMBER_SLOT, Cell, Document, Para, Signer, TableBlock
from app.domain.catalogue import Criterion, Indicator
from app.domain.records import Profile
from app.domain.rules import STATUS_LABELS
from app.text import format_date_short

CDHT = "“Cộng đồng học tập”"


def dossier_document(data: DossierData, key: str, type_title: str, summary: str, blocks: Sequence[Para | TableBlock],
                     *, number_code: str | None = None, recipients: Sequence[str] = (), signer: Signer | None = None,
                     left_signer: Signer | None = None, unsigned: bool = False, landscape: bool = False,
                     subtitle: str = "", signature_field: bool = False) -> Document:
    """A document of the commune's UBND for this year, dated as `DossierData.issue_date(key)` says, signed by the
    profile's signer unless another `signer` is given or it is an `unsigned` annex. `signature_field` puts an
    empty digital-signature field at the signer's place."""
    if signer is None and not unsigned:
        signer = commune_signer(data)
    return Document(
        key=key, file_stem=f"{key}_{data.year}", type_title=type_title, summary=summary,
        issuing_lines=data.issuing_lines, place=data.commune, date=data.issue_date(key), date_year=data.date_year,
        number_code=number_code, number=data.number(key) if number_code else "",
        blocks=tuple(blocks), recipients=tuple(recipients), signer=signer, left_signer=left_signer,
        landscape=landscape, subtitle=subtitle, signature_field=signature_field and signer is not None,
        issuer=data.ubnd,
    )


def commune_signer(data: DossierData) -> Signer:
    return Signer(signer_lines(data.profile.signer_title), data.profile.signer_name)


def attachment_note(data: DossierData, what: str, number: str, code: str, day: dt.date | None) -> str:
    """'(Kèm theo Tờ trình số 05/TTr-UBND ngày 05/02/2026 của Ủy ban nhân dân xã Kiến Hưng)', with slots to fill
    by hand while the number or date is not given."""
    reference = doc_texts.number_reference(number, code) if number else f"{NUMBER_SLOT}/{code}"
    when = format_date_short(day) if day else DATE_SLOT
    return f"(Kèm theo {what} số {reference} ngày {when} của {data.ubnd})"


def to_trinh_note(data: DossierData) -> str:
    return attachment_note(data, "Tờ trình", data.number("to_trinh"), doc_texts.NUMBERED_DOCUMENTS["to_trinh"][1],
                           data.issue_date("to_trinh"))


ARCHIVE_COPY = "Lưu: VT, VHXH"


def default_recipients(profile: Profile) -> list[str]:
    """The usual Nơi nhận of a document sent up with the dossier, without punctuation; the archive copy last."""
    unit = profile.commune_kind
    return [profile.recipient_authority, f"TT Đảng ủy, TT HĐND {unit}", f"CT, các PCT UBND {unit}",
            f"Hội Khuyến học {unit}", ARCHIVE_COPY]


def recipient_lines(names: Sequence[str]) -> list[str]:
    """Nơi nhận as printed: '…;' on each line, the archive copy ('Lưu: …') last and ending with '.'.

    A list the commune wrote without an archive line gets the usual one, as NĐ 30/2020 requires it.
    """
    cleaned = [re.sub(r"^[-–•+\s]+", "", name).strip().rstrip(";.,").strip() for name in names]
    cleaned = [name for name in cleaned if name]
    archive = [name for name in cleaned if name.casefold().startswith("lưu")]
    others = [name for name in cleaned if name not in archive]
    ordered = others + (archive[-1:] or [ARCHIVE_COPY])
    return [f"{name};" for name in ordered[:-1]] + [f"{ordered[-1]}."]


def standard_recipients(data: DossierData) -> list[str]:
    """Nơi nhận of the Tờ trình and the Báo cáo: the year's own list when the commune wrote one, else the usual."""
    custom = [line for line in data.texts.get("recipients", "").splitlines() if line.strip()]
    return recipient_lines(custom or default_recipients(data.profile))


#: How many code groups (single codes or ranges) a table cell or report line lists before referring to the
#: Danh mục minh chứng for the rest.
EVIDENCE_GROUPS_SHOWN = 12
_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")


def code_ranges(codes: Sequence[str]) -> list[str]:
    """Evidence codes with runs of consecutive numbers shown as ranges: H1.2.01, H1.2.02, H1.2.03 -> 'H1.2.01–H1.2.03'.

    Codes keep their order; only neighbours with the same prefix and digit count, numbered one apart, merge.
    """
    groups: list[list[str]] = []
    previous: tuple[str, int, int] | None = None
    for code in codes:
        match = _TRAILING_NUMBER.match(code)
        key = (match.group(1), len(match.group(2)), int(match.group(2))) if match else None
        if key and previous and key[:2] == previous[:2] and key[2] == previous[2] + 1:
            groups[-1].append(code)
        else:
            groups.append([code])
        previous = key
    result = []
    for group in groups:
        if len(group) >= 3:
            result.append(f"{group[0]}–{group[-1]}")
        else:
            result.extend(group)
    return result


def evidence_codes_text(codes: Sequence[str], limit: int = EVIDENCE_GROUPS_SHOWN) -> str:
    """A readable evidence list for a table cell or a report line, however many items an indicator has:
    consecutive codes as ranges, and past `limit` groups a count with a pointer to the Danh mục minh chứng."""
    groups = code_ranges(codes)
    if len(groups) <= limit:
        return ", ".join(groups)
    return (f"{', '.join(groups[:limit])}, … (tổng số {len(codes)} minh chứng, "
            "xem đầy đủ tại Danh mục minh chứng)")


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
    headings = []
    for criterion in data.catalogue.criteria:
        title = Cell(f"Tiêu chí {criterion.id}. {criterion.name}", bold=True)
        headings.append(len(rows))
        if criterion_cells is None:
            col_spans.append((len(rows), 1, len(header) - 1))
            rows.append((Cell(criterion.id, bold=True, align="centre"), title, *[Cell("")] * (len(header) - 2)))
        else:
            rows.append((Cell(criterion.id, bold=True, align="centre"), title, *criterion_cells(criterion)))
        for indicator in criterion.indicators:
            rows.append((Cell(indicator.id, align="centre"), Cell(indicator.text), *indicator_cells(indicator)))
    return TableBlock(widths=tuple(widths), rows=tuple(rows), col_spans=tuple(col_spans), font_size=font_size,
                      keep_with_next=tuple(headings))
