"""LibreOffice conversions for the Word and Excel tests: what a commune's office prints, read back with poppler.

LibreOffice runs headless with a fresh profile set to the Vietnamese locale (so "#,##0" shows "8.922" as in a
Vietnamese Excel), and Times New Roman resolves to the metric-compatible Liberation Serif (fonts-liberation2).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>vi-VN</value>
</prop></item>
</oor:items>
"""


def libreoffice_pdfs(files: list[Path], folder: Path) -> dict[Path, Path]:
    """Convert each file to PDF with LibreOffice; returns {source: pdf}."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is required (libreoffice-calc-nogui, libreoffice-writer-nogui in .ci/setup)"
    profile = folder / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE_XCU, encoding="utf-8")
    out = folder / "lo-pdf"
    result = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(out), *map(str, files)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    converted = {source: out / f"{source.stem}.pdf" for source in files}
    assert all(pdf.is_file() for pdf in converted.values()), (result.stdout, result.stderr)
    return converted


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def page_text(pdf: Path, page: int, raw: bool = False) -> str:
    """One page's text, laid out as printed or (`raw`) in drawing order, where a table cell's lines stay together."""
    return subprocess.run(["pdftotext", "-raw" if raw else "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def all_text(pdf: Path, raw: bool = True) -> str:
    return "".join(page_text(pdf, page, raw) for page in range(1, page_count(pdf) + 1))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def words(pdf: Path) -> list[Word]:
    """Every word with its box (pdftotext -bbox)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for number, page in enumerate(_PAGE.findall(xml), start=1):
        for x0, y0, x1, y1, text in _WORD.findall(page):
            found.append(Word(number, html.unescape(text), float(x0), float(y0), float(x1), float(y1)))
    return found


def overlapping_words(pdf: Path, share: float = 0.25) -> list[tuple[Word, Word]]:
    """Pairs of words on one page whose boxes overlap by more than `share` of the smaller one: text printed over
    text, as rows with too little height produce."""
    result = []
    by_page: dict[int, list[Word]] = {}
    for word in words(pdf):
        by_page.setdefault(word.page, []).append(word)
    for page_words in by_page.values():
        page_words.sort(key=lambda w: w.y0)
        for index, first in enumerate(page_words):
            for second in page_words[index + 1:]:
                if second.y0 >= first.y1:
                    break
                width = min(first.x1, second.x1) - max(first.x0, second.x0)
                height = min(first.y1, second.y1) - max(first.y0, second.y0)
                if width <= 0 or height <= 0:
                    continue
                smaller = min((first.x1 - first.x0) * (first.y1 - first.y0), (second.x1 - second.x0) * (second.y1 - second.y0))
                if smaller and width * height > share * smaller:
                    result.append((first, second))
    return result


def body_left(page: str, closing: list[str]) -> str:
    """A page's text without its page number and the closing block's lines (signer, Nơi nhận): what is left is
    the body the page carries."""
    rest = squash(page)
    for line in sorted(closing, key=len, reverse=True):
        rest = rest.replace(squash(line), "")
    return re.sub(r"^\d+", "", rest)
