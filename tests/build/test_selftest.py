"""`cdht self-test` from the source tree: every step passes, and a failing step is named with a non-zero exit."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import selftest
from app.selftest import STEPS, Context, SelfTestError, check_bundled_files, run_self_test

ROOT = Path(__file__).resolve().parents[2]


def test_self_test_passes_from_the_source_tree(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CDHT_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "app", "self-test", "--keep", str(tmp_path / "kept")], cwd=ROOT,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert [line[0] for line in lines[:-1]] == ["✔"] * len(STEPS), done.stdout
    assert lines[-1].startswith(f"Tự kiểm tra đạt: {len(STEPS)}/{len(STEPS)}")
    kept = tmp_path / "kept"
    assert len(list((kept / "van-ban").glob("*.pdf"))) >= 6
    assert (kept / "khoa-ky-thu" / "ky-thu.p12").stat().st_size > 1000
    assert not list((tmp_path / "data").rglob("*.sqlite3")), "the self-test must not touch the user's data folder"


def test_a_failing_step_is_named_and_the_exit_code_is_non_zero(monkeypatch):
    def broken(ctx: Context) -> str:
        raise SelfTestError("tệp hỏng")

    monkeypatch.setattr(selftest, "STEPS", [("Bước tốt", lambda ctx: "ổn"), ("Bước hỏng", broken),
                                            ("Bước sau", lambda ctx: "vẫn chạy")])
    out = io.StringIO()
    assert run_self_test(out=out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("✔ 1. Bước tốt — ổn")
    assert lines[1].startswith("✘ 2. Bước hỏng — tệp hỏng")
    assert lines[2].startswith("✔ 3. Bước sau")
    assert "KHÔNG ĐẠT" in lines[-1] and "Bước hỏng" in lines[-1] and "Bước tốt" not in lines[-1]


def test_an_unexpected_error_is_reported_in_one_line(monkeypatch):
    def crash(ctx: Context) -> str:
        return {}["không có"]

    monkeypatch.setattr(selftest, "STEPS", [("Bước lỗi", crash)])
    out = io.StringIO()
    assert run_self_test(out=out) == 1
    first = out.getvalue().splitlines()[0]
    assert first.startswith("✘ 1. Bước lỗi — KeyError") and "test_selftest.py" in first


def test_missing_bundled_fonts_are_named(tmp_path, monkeypatch):
    monkeypatch.setattr(selftest, "FONTS_DIR", tmp_path)
    (tmp_path / "NotoSans-Regular.ttf").write_bytes(b"x")
    with pytest.raises(SelfTestError) as caught:
        check_bundled_files(Context(tmp_path))
    assert "LiberationSerif-Regular.ttf" in caught.value.message
    assert "NotoSans-Regular.ttf," not in caught.value.message


def test_the_throwaway_key_opens_with_its_password_and_chains_to_its_ca(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = selftest.make_throwaway_pkcs12(tmp_path)
    loaded = pkcs12.load_key_and_certificates(key.p12.read_bytes(), key.password.encode())
    ca = x509.load_pem_x509_certificate(key.ca_pem.read_bytes())
    assert loaded[1].issuer == ca.subject
    loaded[1].verify_directly_issued_by(ca)
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(key.p12.read_bytes(), b"sai-mat-khau")
