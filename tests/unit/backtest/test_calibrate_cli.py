"""``tradewire backtest calibrate``: fit on the bars before the split, report after it, write a
calibration the analyzer loads; one line and exit 2 for bad input."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from tests.unit.backtest.test_cli import data  # noqa: F401  (the isolated data folder)
from tradewire.analysis.calibration import load_calibrator
from tradewire.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["backtest", "calibrate", *args])


def test_a_calibration_is_reported_out_of_sample_and_written(data: Path) -> None:  # noqa: F811
    target = data / "fit" / "sp500.json"
    result = invoke("--packaged", "sp500", "--split", "2011-01-01", "--out", str(target))
    assert result.exit_code == 0, result.output
    # The S&P 500's daily bars: the score adds nothing there, and the report says so.
    assert "NO better than always predicting the base rate" in result.stdout
    report = orjson.loads(target.read_bytes())
    assert report["test_samples"] > 1_000 and report["train_samples"] > 2_000
    assert report["brier"] > report["brier_base_rate"]
    calibrator = load_calibrator(target)
    assert calibrator.fitted_from == "isotonic"
    assert calibrator.samples == report["train_samples"]
    assert (target.parent / "calibration.png").read_bytes().startswith(b"\x89PNG")


def test_bad_requests_are_one_line_and_exit_2(data: Path) -> None:  # noqa: F811
    cases = [
        (("--packaged", "sp500"), "--split"),
        (("--split", "2011-01-01"), "one source of bars"),
        (("--packaged", "sp500", "--split", "2011-13-01"), "not a date"),
        (("--packaged", "sp500", "--split", "2030-01-01"), "both sides"),
        (("--packaged", "nope", "--split", "2011-01-01"), "nope"),
    ]
    for args, words in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output
