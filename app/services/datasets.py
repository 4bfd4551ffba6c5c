"""Moving a year's figures in and out of the workspace as `cdht-dataset/1` files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.changes import Changes
from app.domain.dataset import VALUE_FIELDS, Dataset, load_dataset_text
from app.domain.places import normalise_commune, normalise_province
from app.domain.records import Profile
from app.errors import InputError
from app.fileio import MAX_JSON_BYTES, read_bytes_capped, write_text_atomic
from app.services.indicators import set_values
from app.services.profile import save_profile
from app.services.years import add_year, set_year_disadvantaged
from app.storage.workspace import Workspace
from app.text import fold


def load_dataset_file(path: Path) -> Dataset:
    """Read (a regular file of at most MAX_JSON_BYTES) and validate a dataset file; InputError names the problem."""
    data = read_bytes_capped(path, MAX_JSON_BYTES, "tệp dữ liệu")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"Tệp dữ liệu '{Path(path).name}' không phải văn bản UTF-8.") from None
    return load_dataset_text(text)


def disadvantaged_change(ws: Workspace, dataset: Dataset) -> str:
    """What importing `dataset` would change in the "vùng khó khăn" flag of its year (which decides the
    thresholds), in Vietnamese; '' when nothing. The year's flag counts, else the commune profile's."""
    current = next((info.disadvantaged_area for info in ws.years() if info.year == dataset.year), None)
    if current is None:
        current = ws.profile().disadvantaged_area if ws.has_profile() else dataset.commune.disadvantaged_area
    wanted = dataset.commune.disadvantaged_area
    if current == wanted:
        return ""

    def label(flag: bool) -> str:
        return "thuộc vùng khó khăn" if flag else "không thuộc vùng khó khăn"

    return (f"năm {dataset.year} đổi từ xã {label(current)} sang xã {label(wanted)}, nên ngưỡng đánh giá mức độ "
            "đổi theo")


def import_dataset(ws: Workspace, dataset: Dataset, accept_profile_change: bool = False) -> Changes:
    """Make the workspace's year equal to the dataset's figures, all in one transaction.

    The year is created when absent. Value fields absent from the dataset are cleared (the file is the
    whole truth for the year's figures); free-text fields are only set, never cleared. A dataset of
    another commune is refused, and so is one that would change the year's "vùng khó khăn" flag (and with it
    the thresholds) unless `accept_profile_change`.
    """
    changes = Changes()
    with ws.transaction():
        change = disadvantaged_change(ws, dataset)
        if change and not accept_profile_change:
            raise InputError(f"Nhập tệp này sẽ làm {change}. Nếu đúng như vậy, chạy lại với --accept-profile-change. "
                             "Không nhập gì.")
        if ws.has_profile():
            profile = ws.profile()
            if (fold(profile.commune_name) != fold(normalise_commune(dataset.commune.name).name)
                    or fold(profile.province) != fold(normalise_province(dataset.commune.province).name)):
                raise InputError(
                    f"Tệp dữ liệu là của xã {dataset.commune.name} ({dataset.commune.province}), "
                    f"còn cơ sở dữ liệu này là của xã {profile.commune_name} ({profile.province}). Không nhập gì."
                )
        else:
            changes |= save_profile(ws, Profile(dataset.commune.name, dataset.commune.province,
                                               disadvantaged_area=dataset.commune.disadvantaged_area))
        if all(info.year != dataset.year for info in ws.years()):
            changes |= add_year(ws, dataset.year).changes
        changes |= set_year_disadvantaged(ws, dataset.year, dataset.commune.disadvantaged_area)
        catalogue = ws.catalogue(dataset.year)
        for indicator in catalogue.indicators:
            incoming = dataset.values.get(indicator.id, {})
            updates: dict[str, Any] = {name: incoming.get(name) for name in VALUE_FIELDS[indicator.input]}
            updates.update({k: v for k, v in incoming.items() if k not in updates})
            changes |= set_values(ws, dataset.year, indicator.id, updates)
    return changes


def export_dataset(ws: Workspace, year: int, with_verdicts: bool = False) -> dict[str, Any]:
    """The year's figures as a `cdht-dataset/1` document, optionally with the engine's verdicts."""
    return ws.dataset_document(year, with_verdicts)


def write_dataset_file(ws: Workspace, year: int, path: Path, with_verdicts: bool = False) -> Path:
    text = json.dumps(export_dataset(ws, year, with_verdicts), ensure_ascii=False, indent=2) + "\n"
    return write_text_atomic(path, text)
