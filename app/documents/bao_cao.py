"""Báo cáo tự đánh giá, công nhận “Cộng đồng học tập” cấp xã (TT 25/2023 Điều 9 khoản 1 điểm b).

Narrative sections come from the texts the commune writes; every figure and verdict from the rules engine;
what it says about the review meeting from the minutes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.documents.common import CDHT, dossier_document, evidence_codes_text, standard_recipients
from app.documents.data import DossierData
from app.documents.model import Document, Para, Run, para, paragraphs
from app.documents.phrases import (
    TRUNCATION_NOTE,
    figure_text,
    legal_bases,
    level_lines,
    listed,
    meeting_paragraphs,
    self_assessed,
    truncated,
    verdict_runs,
)
from app.domain.records import EXPLANATION_FIELD
from app.domain.rules import IndicatorResult
from app.text import format_date_short

NOT_WRITTEN = "(Chưa nhập nội dung.)"


def _narrative(data: DossierData, key: str) -> list[Para]:
    return paragraphs(data.texts.get(key, "")) or [para(NOT_WRITTEN, italic=True)]


def _evidence_line(data: DossierData, result: IndicatorResult) -> str:
    codes = data.evidence_codes(result.id)
    if codes:
        return evidence_codes_text(codes) + "."
    explanation = str(data.values.get(result.id, {}).get(EXPLANATION_FIELD, "")).strip().rstrip(".")
    if explanation:
        return f"Không có minh chứng; giải trình: {explanation}."
    return "Chưa có minh chứng."


def _decision(values: dict[str, Any]) -> str:
    number, day = values.get("decision_number"), values.get("decision_date")
    when = f" ngày {format_date_short(dt.date.fromisoformat(day))}" if day else ""
    return f"Quyết định số {number}{when}." if number else ""


def indicator_section(data: DossierData, result: IndicatorResult) -> list[Para]:
    """One chỉ tiêu: figure, situation, what was done, evidence codes and the verdict at both levels."""
    values = data.values.get(result.id, {})
    figure = figure_text(data, result)
    items: list[tuple[str, list[str | Run]]] = [("Kết quả, số liệu: ", [f"{figure}." if figure else
                                                                        "Chưa nhập số liệu."])]
    for field, label in (("situation", "Hiện trạng: "), ("description", "Nội dung đã thực hiện: "),
                         ("data_source", "Nguồn số liệu: "), ("strengths", "Điểm mạnh: "),
                         ("limitations", "Hạn chế: ")):
        text = str(values.get(field, "")).strip()
        if text:
            items.append((label, [text]))
    if _decision(values):
        items.append(("Quyết định công nhận: ", [_decision(values)]))
    items.append(("Minh chứng: ", [_evidence_line(data, result)]))
    items.append(("Tự đánh giá: ", verdict_runs(result.verdicts, figure)))
    blocks = [para(Run(f"Chỉ tiêu {result.id}. ", bold=True), Run(result.indicator.text, italic=True),
                   keep_with_next=True)]
    for letter, (label, parts) in zip("abcdefghij", items, strict=False):
        blocks.append(para(f"{letter}) {label}", *parts))
    return blocks


def build(data: DossierData) -> Document:
    year, assessment = data.year, data.assessment
    blocks: list[Para] = [para("I. CĂN CỨ PHÁP LÝ", kind="heading"), *listed(legal_bases(data), "- ")]
    blocks.append(para("II. ĐẶC ĐIỂM TÌNH HÌNH", kind="heading"))
    blocks += _narrative(data, "situation")
    blocks.append(para("III. QUÁ TRÌNH TỔ CHỨC TỰ ĐÁNH GIÁ", kind="heading"))
    blocks += _narrative(data, "process")
    blocks += meeting_paragraphs(data)
    blocks.append(para("IV. KẾT QUẢ TỰ ĐÁNH GIÁ THEO TỪNG TIÊU CHÍ, CHỈ TIÊU", kind="heading"))
    for criterion in data.catalogue.criteria:
        blocks.append(para(f"Tiêu chí {criterion.id}. {criterion.name}", kind="heading"))
        for indicator in criterion.indicators:
            blocks += indicator_section(data, assessment.indicators[indicator.id])
        blocks.append(para(Run(f"Kết luận tiêu chí {criterion.id}: ", bold=True),
                           *verdict_runs(assessment.criteria[criterion.id].verdicts)))
    if truncated(data):
        blocks.append(para(TRUNCATION_NOTE, italic=True))
    blocks.append(para("V. ĐÁNH GIÁ CHUNG", kind="heading"))
    blocks.append(para("1. Ưu điểm", bold=True, keep_with_next=True))
    blocks += _narrative(data, "strengths")
    blocks.append(para("2. Hạn chế", bold=True, keep_with_next=True))
    blocks += _narrative(data, "limitations")
    blocks.append(para("VI. KẾT LUẬN", kind="heading"))
    blocks += level_lines(data)
    conclusion = f"Căn cứ kết quả tự đánh giá, {self_assessed(data)}."
    if data.level and data.level != assessment.level:
        conclusion += f" {data.ubnd} đề nghị công nhận mức độ {data.level}."
    blocks.append(para(conclusion))
    blocks.append(para("VII. KIẾN NGHỊ", kind="heading"))
    blocks += _narrative(data, "recommendations")
    blocks.append(para(f"Trên đây là Báo cáo kết quả tự đánh giá {CDHT} cấp xã năm {year} của {data.ubnd}./."))
    return dossier_document(
        data, "bao_cao", "BÁO CÁO", f"Kết quả tự đánh giá {CDHT} cấp xã năm {year}", blocks,
        number_code="BC-UBND", recipients=standard_recipients(data), signature_field=True,
    )
