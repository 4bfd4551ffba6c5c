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
    groups: list[str] = []
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


class DateError(ValueError):
    """A date the user typed that is not a real date; `str(error)` says why, in Vietnamese."""


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d+)")
_ISO = re.compile(r"(\d+)-(\d{1,2})-(\d{1,2})")
#: Years a date in this app can sensibly have (documents, decisions, meetings, deadlines).
DATE_YEARS = (1945, 2100)


def parse_date(text: str) -> dt.date:
    """Parse d/m/yyyy, dd/mm/yyyy or ISO yyyy-mm-dd, strictly.

    A two-digit year ("20/1/26") or an impossible day ("31/02/2026") raises `DateError` whose text says
    which, so that nothing is ever stored as year 0026 or silently moved to another day.
    """
    text = nfc(str(text)).strip()
    dmy, iso = _DMY.fullmatch(text), _ISO.fullmatch(text)
    if dmy:
        day, month, year_text = int(dmy.group(1)), int(dmy.group(2)), dmy.group(3)
    elif iso:
        year_text, month, day = iso.group(1), int(iso.group(2)), int(iso.group(3))
    else:
        raise DateError(f"“{text}” không phải ngày dạng ngày/tháng/năm (ví dụ 05/02/2026)")
    if len(year_text) != 4:
        raise DateError(f"“{text}”: năm phải ghi đủ 4 chữ số (ví dụ 2026, không phải {year_text})")
    year = int(year_text)
    if not DATE_YEARS[0] <= year <= DATE_YEARS[1]:
        raise DateError(f"“{text}”: năm {year} nằm ngoài khoảng {DATE_YEARS[0]}–{DATE_YEARS[1]}")
    if not 1 <= month <= 12:
        raise DateError(f"“{text}”: không có tháng {month}")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError(f"“{text}”: tháng {month}/{year} không có ngày {day}") from None


def parse_user_date(value: Any, label: str) -> dt.date:
    """A date from a form, a file or the command line (a `date`, or text as `parse_date` reads it);
    InputError naming `label` and the reason in one Vietnamese line otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{label} phải là ngày dạng ngày/tháng/năm, ví dụ 05/02/2026.")
    try:
        return parse_date(value)
    except DateError as error:
        raise InputError(f"{label} không hợp lệ: {error}.") from None


def iso_date_text(value: Any, label: str) -> str:
    """A date-typed field as stored: ISO text ('' stays ''), whatever form the user typed it in."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return parse_user_date(value, label).isoformat()


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


def clean_text(value: object, label: str, required: bool = False, max_length: int | None = None,
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


def printable(value: Any, limit: int | None = None) -> str:
    """Text from outside the app (a package, a certificate, a received file) made safe to print or show.

    Control characters (terminal escapes, C1 codes) and invisible format characters (bidi overrides,
    zero-width marks) are removed, line breaks and tabs become spaces, the result is NFC; `limit` cuts it
    with an ellipsis. A forged name can then neither repaint a terminal nor hide or reorder text.
    """
    text = nfc(str(value if value is not None else ""))
    kept = "".join(" " if ch in "\t\n\r\v\f" else ch for ch in text
                   if ch in "\t\n\r\v\f" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    if limit is not None and len(kept) > limit:
        kept = kept[: max(limit - 1, 0)] + "…"
    return kept


def joined_limited(items: list[str], limit: int = 300, separator: str = "; ", noun: str = "mục",
                   total: int | None = None) -> str:
    """Items joined on one line of at most `limit` characters, the rest counted: "…; và 99.990 mục khác".

    `total` is the number of items there really are, when only the first few were kept.
    """
    total = max(total if total is not None else len(items), len(items))

    def tail(rest: int) -> str:
        return f"{separator}và {format_int(rest)} {noun} khác" if rest else ""

    text = ""
    for index, item in enumerate(items):
        candidate = f"{text}{separator}{item}" if text else item
        rest = total - index - 1
        if len(candidate) + len(tail(rest)) <= limit:
            text = candidate
            continue
        if not text:  # even the first item is too long: cut it
            room = max(limit - len(tail(rest)), 1)
            return item[: room - 1] + "…" + tail(rest)
        return text + tail(total - index)
    return text + tail(total - len(items))
