"""`tate train-data` and `tate train` through the real command line: a tiny end-to-end
run, and clear errors (exit 2, no traceback) for bad input."""

from __future__ import annotations

from pathlib import Path

from tate.predict.modelfile import load_model
from tests.integration.cli import run_tate
from tests.unit.predict.test_data import TEXT


def test_train_data_writes_runs_and_a_summary(tmp_path: Path) -> None:
    file = tmp_path / "s.toml"
    file.write_text(TEXT)
    res = run_tate("train-data", str(file), "--runs", "1", "--seed", "3", "--workers", "1",
                   "--out", str(tmp_path / "d"))
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tmp_path / "d" / "runs" / "run-00000.parquet").exists()
    assert "drone" in res.stdout and "cruise" in res.stdout


def test_bad_input_is_exit_2_with_a_message(tmp_path: Path) -> None:
    res = run_tate("train-data", str(tmp_path / "missing.toml"), "--runs", "1",
                   "--out", str(tmp_path / "d"))
    assert res.returncode == 2 and "missing.toml" in res.stderr
    assert "Traceback" not in res.stderr
    res = run_tate("train-data", "--runs", "0", "--out", str(tmp_path / "d"))
    assert res.returncode == 2 and "--runs" in res.stderr
    res = run_tate("train", str(tmp_path), "--out", str(tmp_path / "m.tate.zip"))
    assert res.returncode == 2 and "manifest.json" in res.stderr
    assert not (tmp_path / "m.tate.zip").exists()


def test_the_bundled_model_is_a_safe_model_file() -> None:
    from tate.predict.learned import KIND, default_model_path

    config, arrays = load_model(default_model_path(), kind=KIND)
    assert config["training"]["data_runs"] == 60
    assert default_model_path().stat().st_size < 2_000_000
    assert all(a.dtype.kind in "fiub" for a in arrays.values())
