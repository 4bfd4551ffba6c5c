"""Sentences several documents print, each built only from stored data: the legal bases, result figures and
verdicts, the level lines, and what the minutes say about the review meeting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from app.documents import legal_bases as bases
from app.documents.common import CDHT, criteria_summary, status_label
from app.documents.data import DossierData
from app.documents.model import Para, Run, para, paragraphs
from app.domain.meeting import conclusions_state_level, meeting_facts
from app.domain.rules import IndicatorResult, Verdict
from app.text import format_date_short, format_int, format_percent

TRUNCATION_NOTE = ("Ghi chú: tỷ lệ phần trăm được ghi đến hai chữ số thập phân, phần thập phân sau đó được lược bỏ "
                   "(không làm tròn).")


def plan_base(data: DossierData) -> str:
    """'Kế hoạch số 12/KH-UBND ngày 01/3/2025 của Ủy ban nhân dân xã Kiến Hưng về …' ('' until number and date
    are given: a căn cứ with blanks is not printed)."""
    reference, day = data.plan_reference, data.texts.get("plan.date", "")
    if not reference or not day:
        return ""
    summary = data.texts.get("plan.summary", "")
    about = f" về {summary[0].lower()}{summary[1:]}" if summary else ""
    return f"Kế hoạch số {reference} ngày {_short(day)} của {data.ubnd}{about}"


def _short(iso: str) -> str:
    return format_date_short(dt.date.fromisoformat(iso))


@dataclass(frozen=True)
class BaseLine:
    """One căn cứ as the user reviews it: its place in the commune's list (None for the year's own), the full
    text, and why it does not print (when it does not)."""

    position: int | None
    text: str
    not_printed: str = ""


def base_lines(data: DossierData) -> list[BaseLine]:
    lines = []
    for position, entry in enumerate(data.legal_entries or bases.DEFAULT_ENTRIES, start=1):
        if entry["kind"] == bases.CATALOGUE:
            lines.append(BaseLine(position, data.catalogue.title))
        elif entry["kind"] == bases.PLAN:
            text = plan_base(data)
            lines.append(BaseLine(position, text or f"Kế hoạch xây dựng {CDHT} năm {data.year} của {data.ubnd}",
                                  "" if text else "chưa có số, ngày Kế hoạch nên chưa in"))
        else:
            lines.append(BaseLine(position, entry["text"]))
    lines += [BaseLine(None, line.strip().rstrip(";.")) for line in data.texts.get("extra_bases", "").splitlines()
              if line.strip()]
    return lines


def legal_bases(data: DossierData) -> list[str]:
    """The căn cứ printed on the Tờ trình and the Báo cáo: the commune's list, then the year's additions."""
    return list(dict.fromkeys(line.text for line in base_lines(data) if not line.not_printed))


def listed(items: list[str], prefix: str = "", kind: str = "body") -> list[Para]:
    """One paragraph per item, each ending with ';' and the last with '.' (NĐ 30 lists and căn cứ)."""
    return [para(f"{prefix}{item}{'.' if index == len(items) - 1 else ';'}", kind=kind)
            for index, item in enumerate(items)]


# ---------------------------------------------------------------------- figures and verdicts

def rates(data: DossierData, indicator_id: str) -> list[tuple[str, int, int]]:
    """(label, part, whole) of every percentage an indicator prints."""
    values = data.values.get(indicator_id, {})
    kind = data.catalogue.indicator(indicator_id).input
    total = values.get("total")
    if total is None:
        return []
    if kind == "ratio" and values.get("achieved") is not None:
        return [("", values["achieved"], total)]
    if kind == "training" and values.get("trained") is not None and values.get("university") is not None:
        return [("Được đào tạo: ", values["trained"], total),
                ("trong đó đại học trở lên: ", values["university"], total)]
    return []


def rate_text(part: int, whole: int) -> str:
    return f"{format_int(part)}/{format_int(whole)} = {format_percent(Fraction(part * 100, whole))}"


def truncated(data: DossierData) -> bool:
    """Whether any printed percentage lost digits (then the documents say they are truncated, not rounded)."""
    return any((part * 10000) % whole for iid in data.assessment.indicators for _l, part, whole in rates(data, iid))


def figure_text(data: DossierData, result: IndicatorResult) -> str:
    """The entered figure in words a formal document uses ('' when nothing was entered)."""
    values = data.values.get(result.id, {})
    indicator = result.indicator
    if indicator.input == "boolean":
        met = values.get("met")
        return "" if met is None else (indicator.yes_text if met else indicator.no_text)
    if indicator.input == "level":
        reached = values.get("level")
        if reached is None:
            return ""
        return "Chưa đạt chuẩn" if reached == 0 else f"Đạt chuẩn {indicator.level_names[reached].lower()}"
    return "; ".join(f"{label}{rate_text(part, whole)}" for label, part, whole in rates(data, result.id))


def reason_text(reason: str) -> str:
    """A verdict reason without brackets of its own, so that it can stand inside brackets."""
    return reason.replace(" (", ", ").replace("(", "").replace(")", "")


def verdict_runs(verdicts: dict[int, Verdict], figure: str = "") -> list[str | Run]:
    """'mức độ 1: Đạt (…); mức độ 2: Không đạt (…).' — one clause when both levels agree, no reason that only
    repeats the figure."""
    def reason(verdict: Verdict) -> str:
        text = reason_text(verdict.reason)
        return "" if not text or text == figure else f" ({text[0].lower()}{text[1:]})"

    first, second = verdicts[1], verdicts[2]
    if first.status == second.status and first.reason == second.reason:
        return ["mức độ 1 và mức độ 2: ", Run(status_label(first.status), bold=True), reason(first) + "."]
    return ["mức độ 1: ", Run(status_label(first.status), bold=True), reason(first) + "; ",
            "mức độ 2: ", Run(status_label(second.status), bold=True), reason(second) + "."]


def level_lines(data: DossierData) -> list[Para]:
    """'- Mức độ 1: đạt 5/5 tiêu chí, 15/15 chỉ tiêu; kết quả: Đạt.' for both levels."""
    lines = []
    for lv in (1, 2):
        crit_met, crit_total, ind_met, ind_total = criteria_summary(data, lv)
        lines.append(para(f"- Mức độ {lv}: đạt {crit_met}/{crit_total} tiêu chí, {ind_met}/{ind_total} chỉ tiêu; "
                          "kết quả: ", Run(status_label(data.assessment.level_status(lv)), bold=True), "."))
    return lines


def self_assessed(data: DossierData) -> str:
    """'xã Kiến Hưng tự đánh giá đạt chuẩn “Cộng đồng học tập” cấp xã mức độ 1 năm 2025' (or not yet level 1)."""
    met = data.assessment.level
    if met:
        return f"{data.place} tự đánh giá đạt chuẩn {CDHT} cấp xã mức độ {met} năm {data.year}"
    return f"{data.place} chưa đủ điều kiện đề nghị công nhận {CDHT} cấp xã năm {data.year}"


def agreed_level_sentence(data: DossierData) -> str:
    """What the meeting agreed, from the minutes ('' when it agreed no level)."""
    meeting = data.meeting
    if meeting is None or not meeting.level_agreed:
        return ""
    return (f"Cuộc họp thống nhất đề nghị công nhận {data.place} đạt chuẩn {CDHT} cấp xã mức độ "
            f"{meeting.level_agreed} năm {data.year}.")


def minutes_reference(data: DossierData) -> str:
    """'Biên bản số 07/BB-UBND ngày 20/01/2026' or 'Biên bản ngày 20/01/2026' while it has no number."""
    number = data.reference("bien_ban")
    when = format_date_short(data.meeting.meeting_date) if data.meeting else ""
    return f"Biên bản {'số ' + number + ' ' if number else ''}ngày {when}".strip()


def meeting_paragraphs(data: DossierData) -> list[Para]:
    """What the Báo cáo says about the review meeting, every count and name from the minutes."""
    meeting = data.meeting
    if meeting is None:
        return []
    facts = meeting_facts(meeting)
    text = (f"Ngày {facts.date_text}, {data.ubnd} tổ chức họp xét, thống nhất kết quả tự đánh giá do "
            f"{facts.chair} chủ trì, với sự tham dự của {facts.present_count} đại biểu")
    if facts.organisations_present:
        text += f"; các cơ quan, tổ chức có đại diện dự họp: {', '.join(facts.organisations_present)}"
    text += "."
    if facts.absent_count:
        names = ", ".join(f"{a.described} ({a.absence_reason})" for a in meeting.absent)
        text += f" Vắng mặt có lý do: {facts.absent_count} đại biểu ({reason_text(names)})."
    result = [para(text)]
    agreed = agreed_level_sentence(data)
    if agreed:
        result.append(para(f"{agreed[:-1]} ({minutes_reference(data)})."))
    return result


def conclusion_paragraphs(data: DossierData) -> list[Para]:
    """The Biên bản's conclusion: the typed text, then the agreed level unless the typed text already says it."""
    meeting = data.meeting
    if meeting is None:
        return []
    result = paragraphs(meeting.conclusions)
    agreed = agreed_level_sentence(data)
    if agreed and not conclusions_state_level(meeting):
        result.append(para(agreed))
    return result
