"""A small, format-neutral description of an administrative document.

Each dossier document is built once as a `Document` (header data, blocks of text and tables, recipients,
signers); the PDF, Word and Excel writers only lay it out. Text is NFC and never contains markup.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from app.text import format_date_long, nfc


@dataclass(frozen=True)
class Run:
    """A piece of text with one weight and slant."""

    text: str
    bold: bool = False
    italic: bool = False


#: Paragraph kinds the writers know: body text (justified, first-line indent), plain (no indent),
#: heading (bold section heading), centre, note (italic centred, e.g. "(Kèm theo ...)").
PARA_KINDS = ("body", "plain", "heading", "centre", "note")


@dataclass(frozen=True)
class Para:
    runs: tuple[Run, ...]
    kind: str = "body"
    keep_with_next: bool = False  # a line that introduces what follows (a chỉ tiêu's title, "1. Ưu điểm")

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def para(*parts: str | Run, kind: str = "body", bold: bool = False, italic: bool = False,
         keep_with_next: bool = False) -> Para:
    """A paragraph from strings (in the given weight) and explicit runs."""
    runs = tuple(p if isinstance(p, Run) else Run(nfc(p), bold, italic) for p in parts if p)
    return Para(runs, kind, keep_with_next or kind == "heading")


def paragraphs(text: str, kind: str = "body") -> list[Para]:
    """User-entered text split into paragraphs at line breaks (blank lines dropped)."""
    return [para(line.strip(), kind=kind) for line in nfc(text).splitlines() if line.strip()]


@dataclass(frozen=True)
class Cell:
    text: str
    bold: bool = False
    italic: bool = False
    align: str = "left"  # left | centre | right


@dataclass(frozen=True)
class TableBlock:
    """A bordered table. `widths` are relative; `col_spans` merge (row, first_column, last_column);
    the first `header_rows` rows repeat on every page; a row listed in `keep_with_next` (a tiêu chí heading)
    never ends a page on its own."""

    widths: tuple[float, ...]
    rows: tuple[tuple[Cell, ...], ...]
    header_rows: int = 1
    col_spans: tuple[tuple[int, int, int], ...] = ()
    font_size: float = 11
    keep_with_next: tuple[int, ...] = ()


@dataclass(frozen=True)
class Signer:
    """A signature block: authority lines (TM./KT. …, upper case), space for signature and seal, the name."""

    lines: tuple[str, ...]
    name: str


@dataclass(frozen=True)
class Document:
    """One administrative document in NĐ 30/2020 layout."""

    key: str
    file_stem: str
    type_title: str
    summary: str
    issuing_lines: tuple[str, ...]
    place: str
    date: dt.date | None
    date_year: int
    number_code: str | None = None
    number: str = ""
    blocks: tuple[Para | TableBlock, ...] = ()
    recipients: tuple[str, ...] = ()
    signer: Signer | None = None
    left_signer: Signer | None = None
    landscape: bool = False
    subtitle: str = ""
    signature_field: bool = False  # an empty digital-signature field where the signer signs
    issuer: str = ""  # the issuing body in running text ("Ủy ban nhân dân xã Kiến Hưng"), for file metadata

    @property
    def number_line(self) -> str:
        """'Số:      /TTr-UBND' with a blank slot for the văn thư, or the stored number."""
        if not self.number_code:
            return ""
        if self.number:  # "05", or "05/TTr-VHXH" when the commune gave its own ký hiệu
            return f"Số: {self.number if '/' in self.number else f'{self.number}/{self.number_code}'}"
        return f"Số:{NUMBER_SLOT}/{self.number_code}"

    @property
    def place_date(self) -> str:
        """'Kiến Hưng, ngày 05 tháng 02 năm 2026' (blank slots when the date is not set yet)."""
        return f"{self.place}, {date_text(self.date, self.date_year)}"


NUMBER_SLOT = "\u00a0" * 10
DATE_SLOT = "\u00a0" * 3 + "/" + "\u00a0" * 3 + "/" + "\u00a0" * 8
_QUOTE = re.compile(r'"([^"]*)"')
_CURLY = re.compile(r"“([^”]{1,25})”")


def typeset(text: str) -> str:
    """Printed form of a text: NFC, straight double quotes paired into “ ” as Vietnamese documents print them,
    and a short quoted name (“Cộng đồng học tập”) never broken across lines."""
    curly = _QUOTE.sub(r"“\1”", nfc(text))
    return _CURLY.sub(lambda m: "“" + m.group(1).replace(" ", "\u00a0") + "”", curly)


def date_text(day: dt.date | None, year: int) -> str:
    """'ngày 05 tháng 02 năm 2026', or 'ngày      tháng      năm 2026' with slots to fill by hand."""
    if day is not None:
        return format_date_long(day)
    gap = "\u00a0" * 6
    return f"ngày{gap}tháng{gap}năm {year}"
