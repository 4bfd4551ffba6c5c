"""The process the crash suite kills: it repeats one real operation forever and reports every confirmed one.

Usage: python -m tests.robustness.crash_child SCENARIO DATA_DIR START [ARG]
It prints `READY` once set up, then `CONFIRMED <token>` right after each operation the user would have been
told succeeded (after its commit / rename), flushing each line so the parent sees it before the kill.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from app.services.indicators import set_values


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def dataset_round(index: int) -> dict:
    from tests.backup.helpers import dataset_doc

    doc = dataset_doc()
    doc["indicators"]["5.1"] = {"achieved": 8000 + index, "total": 14870, "notes": f"vòng {index}"}
    doc["indicators"]["4.2"] = {"level": 1 + index % 3}
    for ind in ("1.1", "1.2", "1.3", "2.1", "2.3", "3.1", "3.2", "3.3"):
        doc["indicators"][ind] = {"met": index % 2 == 0, "description": f"Nội dung vòng {index} — chỉ tiêu {ind}"}
    return doc


def run_dataset_import(data_dir: Path, start: int) -> None:
    """`cdht dataset import` again and again through the real command line entry point."""
    from app.cli import main

    db = data_dir / "cdht.sqlite3"
    incoming = data_dir.parent / "incoming"
    incoming.mkdir(exist_ok=True)
    say("READY")
    index = start
    while True:
        index += 1
        source = incoming / f"round-{index}.json"
        source.write_text(json.dumps(dataset_round(index), ensure_ascii=False), encoding="utf-8")
        if main(["--db", str(db), "dataset", "import", str(source)]) != 0:
            say(f"FAILED {index}")
            return
        say(f"CONFIRMED {index}")


def run_backup(data_dir: Path, start: int) -> None:
    """Change a figure, then back up, forever; both outcomes are confirmed separately."""
    import datetime as dt

    from app.backup import create_backup
    from app.storage.workspace import Workspace

    ws = Workspace.open(data_dir / "cdht.sqlite3")
    say("READY")
    index = start
    while True:
        index += 1
        set_values(ws, 2025, "1.2", {"notes": f"thay đổi {index}"})
        say(f"CONFIRMED change {index}")
        info = create_backup(ws, kind="auto", now=dt.datetime.now().astimezone())
        say(f"CONFIRMED backup {info.path.name}")


def run_restore(data_dir: Path, start: int, source: str) -> None:
    """Restore the same backup into fresh folders, forever."""
    from app.backup import restore_backup

    say("READY")
    index = start
    while True:
        index += 1
        restore_backup(Path(source), data_dir.parent / f"restored-{index}" / "cdht.sqlite3")
        say(f"CONFIRMED {index}")


def run_evidence_import(data_dir: Path, start: int) -> None:
    """Import evidence files one after another through the evidence service."""
    from app.evidence.importer import import_files
    from app.storage.workspace import Workspace
    from tests.backup.helpers import pdf_bytes

    ws = Workspace.open(data_dir / "cdht.sqlite3")
    incoming = data_dir.parent / "incoming"
    incoming.mkdir(exist_ok=True)
    say("READY")
    index = start
    while True:
        index += 1
        batch = []
        for part in range(3):
            path = incoming / f"mc-{index}-{part}.pdf"
            path.write_bytes(pdf_bytes(f"Biên bản số {index}.{part}", repeat=2000))
            batch.append(path)
        results = import_files(ws, 2025, batch, indicator_ids=["3.1"])
        if not all(r.ok for r in results):
            say(f"FAILED {index}")
            return
        say(f"CONFIRMED {index}")


COLLECT_UNIT = "Hội Khuyến học"


def collection_round(index: int) -> dict[str, dict[str, Any]]:
    """What round `index` types into the unit's workbook: every chỉ tiêu of the workbook changes every round."""
    def texts(ind: str) -> dict[str, str]:
        return {"description": f"Nội dung vòng {index} — {ind}", "data_source": f"Sổ theo dõi vòng {index}"}

    return {
        "1.1": {"met": index % 2 == 0, **texts("1.1")},
        "4.2": {"level": 1 + index % 3, **texts("4.2"), "decision_number": f"{index}/QĐ-UBND",
                "decision_date": "2025-12-15"},  # stored ISO whatever form the workbook holds
        "5.1": {"achieved": 8000 + index, "total": 14870, **texts("5.1")},
    }


def fill_collection_workbook(template: Path, target: Path, index: int) -> Path:
    """The unit's exported workbook with round `index` typed into its input cells, as a clerk would."""
    from openpyxl import load_workbook

    from app.documents.collection import META_SHEET, NO, YES
    from app.domain.catalogue import catalogue_for_year

    catalogue = catalogue_for_year(2025)
    values = collection_round(index)
    book = load_workbook(template)
    rows = list(book[META_SHEET].iter_rows(values_only=True))
    table = rows[[r[0] for r in rows].index("sheet") + 1:]
    for sheet, cell, indicator, name in (r[:4] for r in table if r[0]):
        value = values[indicator][name]
        if name == "met":
            value = YES if value else NO
        elif name == "level":
            value = catalogue.indicator(indicator).level_names[value]
        book[sheet][cell] = value
    book.save(target)
    return target


def run_collect_import(data_dir: Path, start: int, template: str) -> None:
    """`cdht collect import` of a freshly filled unit workbook, again and again."""
    from app.cli import main

    db = data_dir / "cdht.sqlite3"
    incoming = data_dir.parent / "incoming"
    incoming.mkdir(exist_ok=True)
    say("READY")
    index = start
    while True:
        index += 1
        source = fill_collection_workbook(Path(template), incoming / f"phieu-{index}.xlsx", index)
        if main(["--db", str(db), "collect", "import", str(source)]) != 0:
            say(f"FAILED {index}")
            return
        say(f"CONFIRMED {index}")


def run_dossier_export(data_dir: Path, start: int, p12: str) -> None:
    """`cdht export` of the finalized year to a new package file each round (signed with a PKCS#12 file)."""
    import importlib

    from app.cli import main
    from tests.robustness.dossier import export_argv

    for module in ("app.dossier.delivery", "app.documents", "pyhanko.sign.signers.pdf_signer",
                   "pyhanko.sign.validation", "pyhanko.sign.validation.generic_cms"):
        importlib.import_module(module)  # loaded before READY, so the kill moments fall on the work itself

    out = data_dir.parent / "usb"
    say("READY")
    index = start
    while True:
        index += 1
        if main(export_argv(data_dir / "cdht.sqlite3", out / f"goi-{index}.zip", Path(p12))) != 0:
            say(f"FAILED {index}")
            return
        say(f"CONFIRMED {index}")


def main(argv: list[str]) -> None:
    from app.storage.lock import acquire_single_writer

    scenario, data_dir = argv[0], Path(argv[1])
    start = int(argv[2])
    if scenario not in ("restore", "dataset-import", "collect-import", "dossier-export"):  # the CLI locks itself
        lock = acquire_single_writer(data_dir)  # noqa: F841 - held until the process is killed
    if scenario == "dataset-import":
        run_dataset_import(data_dir, start)
    elif scenario == "backup":
        run_backup(data_dir, start)
    elif scenario == "restore":
        run_restore(data_dir, start, argv[3])
    elif scenario == "evidence-import":
        run_evidence_import(data_dir, start)
    elif scenario == "collect-import":
        run_collect_import(data_dir, start, argv[3])
    elif scenario == "dossier-export":
        run_dossier_export(data_dir, start, argv[3])
    else:
        raise SystemExit(f"unknown scenario {scenario}")


if __name__ == "__main__":
    main(sys.argv[1:])
