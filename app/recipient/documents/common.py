"""Pieces the recipient's documents share: the document frame of the agency and of its council, signers, and the
phrases that name a level or a verdict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app.documents.common import recipient_lines
from app.documents.model import Cell, Document, Para, Signer, TableBlock
from app.domain.rules import STATUS_LABELS
from app.recipient.documents.data import RoundData
from app.text import format_date_short

COUNCIL_NAME = "Hội đồng đánh giá"
ARCHIVE = "Lưu: VT, HĐĐG"


def split_number(full: str, default_code: str) -> tuple[str, str]:
    """'123/QĐ-SGDĐT' -> ('123', 'QĐ-SGDĐT'); '' -> ('', default_code) for a blank slot."""
    number, sep, code = (full or "").partition("/")
    return number.strip(), (code.strip() if sep else default_code)


def council_lines(data: RoundData) -> tuple[str, str]:
    return data.agency.name.upper(), COUNCIL_NAME.upper()


def council_signer(data: RoundData) -> Signer:
    chair = data.council.member("chair")
    return Signer(("TM. HỘI ĐỒNG", "CHỦ TỊCH"), chair.name if chair else "")


def head_signer(data: RoundData) -> Signer:
    """The head of the agency; a deputy signs 'KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC'."""
    title = data.agency.head_title.strip()
    if title.casefold().startswith("phó "):
        return Signer((f"KT. {title[4:].strip().upper()}", title.upper()), data.agency.head_name)
    return Signer((title.upper(),), data.agency.head_name)


def head_name(data: RoundData) -> str:
    """'Giám đốc Sở Giáo dục và Đào tạo'."""
    title = data.agency.head_title
    if title.casefold().startswith("phó "):
        title = title[4:].strip().capitalize()
    return f"{title} {data.agency.name}"


def document(data: RoundData, key: str, type_title: str, summary: str, blocks: Sequence[Para | TableBlock], *,
             number_code: str | None, number: str = "", date: dt.date | None = None, signer: Signer | None = None,
             recipients: Sequence[str] = (), council: bool = False, landscape: bool = False, subtitle: str = "",
             file_stem: str | None = None) -> Document:
    """A document of the agency (or of its council) for the round; dates and numbers left blank are slots for the
    văn thư."""
    return Document(
        key=key, file_stem=file_stem or f"{key}_{data.year}", type_title=type_title, summary=summary,
        issuing_lines=council_lines(data) if council else data.agency.issuing_lines, place=data.agency.place,
        date=date, date_year=date.year if date else data.year + 1, number_code=number_code, number=number,
        blocks=tuple(blocks), recipients=tuple(recipient_lines(list(recipients))) if recipients else (),
        signer=signer, landscape=landscape, subtitle=subtitle, signature_field=signer is not None,
    )


def level_text(level: int) -> str:
    return f"Mức độ {level}" if level else "Không đạt"


def verdict_text(status: str) -> str:
    return STATUS_LABELS[status].lower()


def received_text(received_at: str | None) -> str:
    from app.text import to_local

    return format_date_short(to_local(received_at).date()) if received_at else ""


def header(*titles: str) -> tuple[Cell, ...]:
    return tuple(Cell(title, bold=True, align="centre") for title in titles)


def count_phrase(count: int, noun: str = "xã") -> str:
    return f"{count:02d} {noun}" if count < 10 else f"{count} {noun}"
