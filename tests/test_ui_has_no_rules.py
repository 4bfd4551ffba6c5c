"""`ui/` holds no rule of the law, no catalogue wording and no SQL: those live in `app/` and the UI asks for them.

The scan reads every `ui/` module's syntax tree (string and number constants, calls, attribute reads), so a
threshold, a catalogue sentence or a query pasted into a widget is found wherever it is written. The
phrases and numbers it looks for come from the shipped catalogues themselves, so an amendment is covered
by adding its file. The last tests feed the scanner injected examples to show that it can fail.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from fractions import Fraction
from functools import cache
from pathlib import Path

from app.domain.catalogue import LEVELS, Catalogue, available_catalogues

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "ui"

SQL = re.compile(
    r"\b(SELECT\b[\s\S]+\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|REPLACE\s+INTO"
    r"|(CREATE|DROP)\s+(TABLE|INDEX|VIEW|TRIGGER)|ALTER\s+TABLE|PRAGMA\s+\w+)\b"
)
DATABASE_CALLS = {"execute", "executemany", "executescript"}
DATABASE_MODULES = {"sqlite3", "sqlite_utils"}
# the rules engine's own primitives and the raw requirement data: the UI uses `app.domain.rules` results instead
RULE_NAMES = {"reaches", "requirement", "Fraction"}
PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s?%")
AGE = re.compile(r"\b\d+\s*tuổi\b")
MONTHS = re.compile(r"\b(\d+)\s*tháng\b")


@cache
def catalogues() -> tuple[Catalogue, ...]:
    return tuple(available_catalogues().values())


@cache
def thresholds() -> frozenset[Fraction]:
    """Every percentage a shipped catalogue asks for."""
    found: set[Fraction] = set()
    for catalogue in catalogues():
        for indicator in catalogue.indicators:
            for level in indicator.requirement:
                if indicator.input == "ratio":
                    found.add(indicator.min_percent(level))
                elif indicator.input == "training":
                    for area in (False, True):
                        limits = indicator.training_thresholds(level, area)
                        found |= {limits.trained, limits.university}
    return frozenset(found)


@cache
def wording() -> frozenset[str]:
    """The catalogue's own sentences and names (three words or more, so that 'Mức độ 1' stays the app's)."""
    phrases: set[str] = set()
    for catalogue in catalogues():
        phrases |= {catalogue.title, catalogue.short_title}
        for criterion in catalogue.criteria:
            phrases |= {criterion.name, criterion.short_name}
            for ind in criterion.indicators:
                phrases |= {ind.text, ind.short_name, ind.hint, ind.yes_text, ind.no_text, ind.data_source_hint,
                            *ind.fields.values()}
    return frozenset(_fold(p) for p in phrases if len(p.split()) >= 3 and not p.endswith("…"))


@cache
def legal_periods() -> tuple[frozenset[int], frozenset[str]]:
    """The recognition's lengths in months and the dossier deadline's day/month ('28/02') of every catalogue."""
    months = {n for c in catalogues() for n in (c.validity_months, c.upgrade_after_months)}
    return frozenset(months), frozenset(c.deadline_text for c in catalogues())


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (prose about the code, not what it does)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _is_len_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"


def _numbers(node: ast.AST) -> list[int | float]:
    """The numbers an operand of a comparison is computed from (`60 * total`), not those inside a tuple or a call."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return [node.value]
    if isinstance(node, ast.BinOp):
        return _numbers(node.left) + _numbers(node.right)
    if isinstance(node, ast.UnaryOp):
        return _numbers(node.operand)
    return []


def scan(source: str, name: str = "<nguồn>") -> list[str]:
    """Everything in one module's source that belongs in `app/`: SQL, database calls, rule primitives,
    catalogue thresholds and catalogue wording. Each finding names its line."""
    tree = ast.parse(source, name)
    skip = _docstrings(tree)
    limits = thresholds()
    phrases = wording()
    found: list[str] = []
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node.iter if isinstance(node, ast.comprehension) else node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
            if SQL.search(text):
                found.append(f"{where}: câu lệnh SQL {text[:60]!r}")
            for number in PERCENT.findall(text):
                if Fraction(number.replace(",", ".")) in limits:
                    found.append(f"{where}: ngưỡng {number}% của bộ tiêu chí")
            months, deadlines = legal_periods()
            if any(int(n) in months for n in MONTHS.findall(text)) or any(d in text for d in deadlines):
                found.append(f"{where}: thời hạn của bộ tiêu chí {text[:60]!r}")
            if AGE.search(text):
                found.append(f"{where}: độ tuổi trong nội dung chỉ tiêu {text[:60]!r}")
            folded = _fold(text)
            for phrase in phrases:
                if phrase in folded:
                    found.append(f"{where}: nội dung của bộ tiêu chí {phrase[:60]!r}")
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if not any(_is_len_call(o) for o in operands):
                for number in (n for o in operands for n in _numbers(o)):
                    if Fraction(number) in limits:
                        found.append(f"{where}: so sánh với ngưỡng {number} của bộ tiêu chí")
        elif isinstance(node, ast.For | ast.comprehension) and isinstance(node.iter, ast.Tuple) and all(
                isinstance(e, ast.Constant) for e in node.iter.elts) and tuple(
                e.value for e in node.iter.elts if isinstance(e, ast.Constant)) == LEVELS:
            found.append(f"{where}: các mức độ viết tay {LEVELS} (dùng LEVELS của bộ tiêu chí)")
        elif isinstance(node, ast.Attribute) and node.attr in DATABASE_CALLS:
            found.append(f"{where}: truy vấn cơ sở dữ liệu (.{node.attr})")
        elif isinstance(node, ast.Attribute | ast.Name) and (node.attr if isinstance(node, ast.Attribute)
                                                           else node.id) in RULE_NAMES:
            found.append(f"{where}: quy tắc đánh giá tự tính ({node.attr if isinstance(node, ast.Attribute) else node.id})")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            imported = [a.name for a in node.names] if isinstance(node, ast.ImportFrom) else []
            if any(m.split(".")[0] in DATABASE_MODULES for m in modules):
                found.append(f"{where}: dùng trực tiếp thư viện cơ sở dữ liệu")
            if any(n in RULE_NAMES for n in imported):
                found.append(f"{where}: nhập quy tắc đánh giá ({', '.join(n for n in imported if n in RULE_NAMES)})")
    return found


def test_the_scan_knows_the_catalogue_it_guards():
    assert {Fraction(60), Fraction(80), Fraction(50), Fraction(12), Fraction(40), Fraction(10), Fraction(15)} <= thresholds()
    assert _fold("Phổ cập giáo dục tiểu học") in wording()
    assert len(wording()) > 40


def test_ui_holds_no_rule_threshold_catalogue_wording_or_sql():
    files = sorted(UI.rglob("*.py"))
    assert len(files) > 50
    found = [f for path in files for f in scan(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert found == []


def test_the_scan_fails_on_each_kind_of_leak():
    injected = '''
from fractions import Fraction
from app.domain.rules import reaches
import sqlite3

def verdict(db, part, total, indicator, label):
    """A docstring may say SELECT year FROM years or 60% without being code."""
    db.execute("SELECT year FROM years WHERE locked = 0")
    rows = "UPDATE years SET locked = 1"
    ok = part * 100 >= 60 * total
    ok = Fraction(part * 100, total) >= 80
    need = indicator.requirement[1]["min_percent"]
    label.setText(f"Mức độ 2: ít nhất {80}% — cần ≥ 15 %")
    label.setText("Phổ cập giáo dục tiểu học")
    label.setToolTip("Ví dụ: dân số từ 15 tuổi trở lên")
    label.setText("Quyết định có hiệu lực 36 tháng; hồ sơ nộp trước 28/02 năm sau.")
    checks = [level for level in (1, 2)]
    return reaches(part, total, need)
'''
    found = scan(injected, "thử.py")
    text = "\n".join(found)
    for expected in ("thử.py:3: nhập quy tắc đánh giá (reaches)", "thử.py:4: dùng trực tiếp thư viện",
                     "thử.py:8: truy vấn cơ sở dữ liệu (.execute)", "thử.py:8: câu lệnh SQL",
                     "thử.py:9: câu lệnh SQL", "thử.py:10: so sánh với ngưỡng 60", "thử.py:11: so sánh với ngưỡng 80",
                     "thử.py:11: quy tắc đánh giá tự tính (Fraction)", "thử.py:12: quy tắc đánh giá tự tính (requirement)",
                     "thử.py:13: ngưỡng 15%", "thử.py:14: nội dung của bộ tiêu chí 'phổ cập giáo dục tiểu học'",
                     "thử.py:15: độ tuổi", "thử.py:16: thời hạn của bộ tiêu chí", "thử.py:17: các mức độ viết tay",
                     "thử.py:18: quy tắc đánh giá tự tính (reaches)"):
        assert expected in text, expected
    assert not any(":7:" in f for f in found)  # the docstring is prose
    # layout numbers and lengths are not thresholds
    assert scan("w.setMinimumHeight(60)\nshort = len(text) <= 80\nHISTORY_ROWS = 60\n") == []
