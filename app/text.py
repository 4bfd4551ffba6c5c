"""Vietnamese text helpers: NFC normalisation, accent folding for search, number and date formats."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from fractions import Fraction
from typing import Any

from app.errors import InputError


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC, the form every stored and printed string uses."""
    return unicodedata.normalize("NFC", text)


def nfc_deep(value: Any) -> Any:
    """NFC-normalise every string inside nested dicts and lists (keys included)."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {nfc_deep(k): nfc_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc_deep(v) for v in value]
    return value


def fold(text: str) -> str:
    """Fold case and Vietnamese accents so that `dong` matches `Đồng` and `hoa` matches `hoà`."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def format_int(value: int) -> str:
    """Group thousands with dots, as Vietnamese documents do: 14870 -> '14.870'."""
    sign = "-" if value < 0 else ""
    digits = str(abs(value))
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + ".".join(groups)


def format_percent(value: Fraction, decimals: int = 2) -> str:
    """Format a percentage exactly, truncated (never rounded up): Fraction(59999, 1000) -> '59,99%'.

    Truncation keeps the printed figure on the same side of a threshold as the exact value.
    """
    scale = 10**decimals
    scaled = (value.numerator * scale) // value.denominator
    whole, frac = divmod(scaled, scale)
    text = format_int(whole)
    if decimals:
        text += "," + str(frac).rjust(decimals, "0")
    return text + "%"


def format_threshold(value: Fraction) -> str:
    """Format a legal threshold without needless decimals: 60 -> '60%', 12.5 -> '12,5%'."""
    if value.denominator == 1:
        return f"{value.numerator}%"
    text = format(float(value), "g").replace(".", ",")
    return text + "%"


def format_date_long(day: dt.date) -> str:
    """'ngày 05 tháng 02 năm 2026', 'ngày 15 tháng 3 năm 2026': Nghị định 30/2020 puts a leading zero only on
    days below 10 and on months 1 and 2."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def format_date_short(day: dt.date) -> str:
    """'05/02/2026'."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def parse_date(text: str) -> dt.date:
    """Parse an ISO date (2026-02-05) or a Vietnamese one (05/02/2026); ValueError when neither."""
    text = text.strip()
    if "/" in text:
        day, month, year = (int(part) for part in text.split("/"))
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text)


#: Longest name, title, place or address (one line), organisation name (a unit's full name can list several
#: bodies) and free text (several paragraphs) accepted.
MAX_NAME_LENGTH = 200
MAX_ORGANISATION_LENGTH = 2_000
MAX_TEXT_LENGTH = 20_000


def check_text(value: str, label: str, max_length: int = MAX_TEXT_LENGTH, single_line: bool = False) -> str:
    """`value` unchanged when it is acceptable text, else InputError naming `label` and what is wrong: too long,
    a control character (line breaks and tabs are allowed in free text only), or a character that is not valid
    Unicode (left over from a file name or text that was not UTF-8)."""
    if len(value) > max_length:
        raise InputError(f"{label} quá dài ({format_int(len(value))} ký tự; tối đa {format_int(max_length)}).")
    allowed = "" if single_line else "\n\t"
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            raise InputError(f"{label} có ký tự không hợp lệ (không phải văn bản Unicode); hãy gõ lại.")
        if category == "Cc" and char not in allowed:
            if char in "\r\n":
                raise InputError(f"{label} chỉ được viết trên một dòng (không xuống dòng).")
            raise InputError(f"{label} chứa ký tự điều khiển U+{ord(char):04X}; hãy gõ lại.")
    return value


def clean_text(value: Any, label: str, required: bool = False, max_length: int | None = None,
               single_line: bool = False) -> str:
    """A form or file value as stored text: NFC, trimmed, checked by `check_text`; InputError naming `label` when
    it is not text (or empty while required). A `single_line` value (a name, title, place) is at most
    MAX_NAME_LENGTH characters by default, free text MAX_TEXT_LENGTH."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InputError(f"{label} phải là chuỗi văn bản.")
    value = nfc(value.replace("\r\n", "\n")).strip()
    limit = max_length if max_length is not None else (MAX_NAME_LENGTH if single_line else MAX_TEXT_LENGTH)
    check_text(value, label, limit, single_line)
    if required and not value:
        raise InputError(f"{label} không được để trống.")
    return value


_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def check_email(value: Any, label: str = "Địa chỉ thư điện tử") -> str:
    """An e-mail address as stored (trimmed), or InputError: 'ten@domain.vn', at most 254 characters, no spaces,
    no display name. Vietnamese offices use plain ASCII addresses (…@moet.gov.vn, …@gmail.com)."""
    text = clean_text(value, label, required=True, single_line=True, max_length=254)
    if not _EMAIL.match(text) or len(text.partition("@")[0]) > 64:
        raise InputError(f"{label} '{text}' không hợp lệ; cần dạng ten@coquan.gov.vn.")
    return text


def format_size(size: int) -> str:
    """A size the way Vietnamese users read it: '680 byte', '850 KB', '3,4 MB', '1,2 GB'."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale * 0.95:  # 1010 KB reads better as 1 MB
            value = size / scale
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 100 else f"{value:.0f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{size} byte"


def to_local(moment: str | dt.datetime) -> dt.datetime:
    """A stored moment (UTC ISO text or an aware datetime; naive counts as UTC) in this computer's time zone."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone()


def format_local_time(moment: str | dt.datetime | None, seconds: bool = False) -> str:
    """How every screen and the CLI show a stored moment: '22:05 ngày 27/11/2026' in local time ('' for None).

    Stored times stay UTC ISO; this is the one place that turns them into what a commune official reads.
    """
    if moment is None or moment == "":
        return ""
    local = to_local(moment)
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{clock} ngày {format_date_short(local.date())}"


def utc_now() -> str:
    """The current time as stored in the database: ISO 8601, UTC, whole seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
