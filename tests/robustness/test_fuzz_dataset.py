"""Fuzzing the dataset file through `cdht dataset import` and `cdht assess` (hypothesis).

Every mutated document must either be accepted, or end in one clean Vietnamese line on stderr with a non-zero
exit code, no traceback, no "unexpected error" — and the database unchanged (compared by dataset export).
Fixed examples in CI (derandomized); CDHT_FUZZ_EXAMPLES=N runs more, CDHT_FUZZ_RANDOM=1 explores new ones.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.storage.workspace import Workspace
from tests.backup.helpers import DATASET, make_workspace
from tests.robustness.fuzzing import FUZZ, assert_clean_failure, run_cli, workspace_state

pytestmark = pytest.mark.slow

DEEP = "__DEEP__"

leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["", "   ", "Đồng Tiến", "Đồng Tiến", "e\u0301", "\ud800", "\x00", "💥" * 50, "1.1", "true",
                     "2025", "cdht-dataset/1", 2**63, -(2**63) - 1, 10**300, 1e308, 0, -1, 2025, 2101, 1999]),
)
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                           max_size=3), max_leaves=8)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, prefix + (key,))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, prefix + (index,))
    return found


def _set(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return doc


@st.composite
def mutated_documents(draw) -> bytes:
    """A valid dataset with 1–3 random mutations: wrong types, missing/extra keys, unicode, huge numbers, nesting."""
    doc: Any = copy.deepcopy(DATASET)
    deep_text = None
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "rename", "deep"]))
        if action == "replace":
            doc = _set(doc, path, draw(values))
        elif action == "delete" and path:
            parent = doc
            for step in path[:-1]:
                parent = parent[step]
            del parent[path[-1]]
        elif action == "add" or action == "rename":
            target = doc
            for step in path:
                target = target[step]
            if isinstance(target, dict) and target:
                key = draw(st.text(max_size=8))
                if action == "rename":
                    old = draw(st.sampled_from(sorted(target)))
                    target[key] = target.pop(old)
                else:
                    target[key] = draw(values)
        elif action == "deep" and deep_text is None:
            depth = draw(st.integers(20, 200_000))
            opener = draw(st.sampled_from(["[", '{"a":']))
            closer = "]" if opener == "[" else "}"
            deep_text = opener * depth + "1" + closer * depth
            doc = _set(doc, path, DEEP)
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    if deep_text is not None:
        text = text.replace(json.dumps(DEEP), deep_text, 1)
    data = text.encode("utf-8", "surrogatepass")
    cut = draw(st.one_of(st.none(), st.integers(0, len(data))))
    if cut is not None:
        data = data[:cut] + draw(st.binary(max_size=4))
    return data


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    os.environ.setdefault("CDHT_DATA_DIR", str(folder / "user-data"))
    make_workspace(folder / "data" / "cdht.sqlite3", evidence_files=0).close()
    return folder / "data" / "cdht.sqlite3"


@FUZZ
@given(data=mutated_documents())
def test_dataset_import_never_half_applies_and_fails_cleanly(fuzz_db: Path, data: bytes):
    source = fuzz_db.parent.parent / "fuzzed.json"
    source.write_bytes(data)
    ws = Workspace.open(fuzz_db)
    try:
        before = workspace_state(ws)
        code, out, err = run_cli("--db", str(fuzz_db), "dataset", "import", str(source))
        if code == 0:
            assert err == "" and out.startswith("Đã nhập số liệu")
        else:
            assert_clean_failure(code, err)
            assert workspace_state(ws) == before, "a refused import changed the database"
    finally:
        ws.close()


@FUZZ
@given(data=mutated_documents())
def test_assess_fails_cleanly(tmp_path_factory, data: bytes):
    source = tmp_path_factory.getbasetemp() / "assess-fuzzed.json"
    source.write_bytes(data)
    code, out, err = run_cli("assess", str(source))
    if code == 0:
        assert err == "" and "Xã" in out
    else:
        assert_clean_failure(code, err)


NASTY = {
    "deep-nesting": b'{"format": "cdht-dataset/1", "indicators": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "huge-number": json.dumps({**DATASET, "year": 0}).replace('"year": 0', '"year": ' + "9" * 5000).encode(),
    "lone-surrogate": json.dumps({**DATASET, "commune": {**DATASET["commune"], "name": "\ud800"}}).encode(),
    "binary": bytes(range(256)) * 4,
    "utf16": json.dumps(DATASET, ensure_ascii=False).encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(NASTY))
def test_nasty_files_through_the_real_console_script(tmp_path, name):
    db = tmp_path / "data" / "cdht.sqlite3"
    make_workspace(db, evidence_files=0).close()
    source = tmp_path / f"{name}.json"
    source.write_bytes(NASTY[name])
    env = dict(os.environ, CDHT_DATA_DIR=str(tmp_path / "user-data"))
    for argv in (["--db", str(db), "dataset", "import", str(source)], ["assess", str(source)]):
        result = subprocess.run([sys.executable, "-m", "app", *argv], capture_output=True, text=True,
                                encoding="utf-8", env=env)
        assert_clean_failure(result.returncode, result.stderr)
