"""The charts of a backtest: files written, real PNGs, HTML holding the data and the chart
library (or the one line that says it is missing)."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from tests.unit.backtest.results import result, trade
from tradewire.analysis.calibration import IDENTITY, Calibrator
from tradewire.backtest import charts
from tradewire.backtest.charts import (
    MISSING_LIBRARY,
    drawdown_pct,
    reliability,
    save_charts,
)
from tradewire.core.events import Side

PNG = b"\x89PNG\r\n\x1a\n"


def chart_data(page: str) -> dict:
    found = re.search(r"const DATA = (\{.*?\});</script>", page)
    assert found is not None
    return orjson.loads(found.group(1).replace("<\\/", "</"))


def test_equity_charts_are_written(tmp_path: Path):
    paths = save_charts(result(), tmp_path / "run")
    assert [p.name for p in paths] == ["equity.png", "equity.html"]
    assert (tmp_path / "run" / "equity.png").read_bytes().startswith(PNG)
    page = (tmp_path / "run" / "equity.html").read_text()
    assert "TradingView Lightweight Charts" in page  # the library, inlined with its licence
    assert "LightweightCharts.createChart" in page
    assert "<script src" not in page  # self-contained
    data = chart_data(page)
    assert [p["value"] for p in data["equity"]] == [10000, 10050.5, 9990.25, 10100, 10080.125]
    assert data["drawdown"][2]["value"] == pytest.approx((9990.25 - 10050.5) / 10050.5 * 100)
    assert [m["text"] for m in data["markers"]] == [
        "buy ACME", "exit +50.5", "buy ACME", "exit -60.25",
    ]  # fmt: skip


def test_without_the_library_the_page_says_so_and_the_png_still_works(tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "LIBRARY", "not-there.js")
    save_charts(result(), tmp_path)
    page = (tmp_path / "equity.html").read_text()
    assert MISSING_LIBRARY.split(":")[0] in page
    assert "createChart" not in page
    assert len(chart_data(page)["equity"]) == 5
    assert (tmp_path / "equity.png").read_bytes().startswith(PNG)


def test_scored_trades_add_a_reliability_diagram(tmp_path: Path):
    trades = (
        trade("10", score=72.0, reached_target=True),
        trade("-5", score=75.0, reached_target=False),
        trade("8", score=78.0, reached_target=True),
        trade("-5", score=31.0, reached_target=False),
        trade("3", score=55.0, reached_target=None),  # no target: left out
        trade("3", score=15.0, reached_target=True, side=Side.SHORT),  # a long's score: left out
    )
    paths = save_charts(result(trades=trades), tmp_path)
    assert [p.name for p in paths][2:] == ["calibration.png", "calibration.html"]
    assert (tmp_path / "calibration.png").read_bytes().startswith(PNG)
    page = (tmp_path / "calibration.html").read_text()
    assert "<svg" in page and "n=3" in page and "n=1" in page
    assert "<td>10–20</td><td>0</td>" in page
    assert "<td>70–80</td><td>3</td><td>75.0</td><td>66.7</td>" in page


def test_reliability_buckets_by_the_calibrators_probability():
    trades = [
        trade("1", score=90.0, reached_target=True),
        trade("1", score=10.0, reached_target=False),
    ]
    flat = Calibrator(
        x=(0.0, 100.0), y=(0.5, 0.5), base_rate=0.5, samples=40, fitted_from="isotonic"
    )
    rows = reliability(trades, flat)
    assert rows is not None
    assert [(r.count, r.realised) for r in rows if r.count] == [(2, 0.5)]
    by_score = reliability(trades, IDENTITY)
    assert by_score is not None
    assert [(r.low, r.realised) for r in by_score if r.count] == [(0.1, 0.0), (0.9, 1.0)]


def test_trades_without_scores_make_no_calibration_chart(tmp_path: Path):
    assert reliability([trade("1")], IDENTITY) is None
    assert len(save_charts(result(), tmp_path)) == 2
    assert not (tmp_path / "calibration.png").exists()


def test_drawdown_in_percent_of_the_running_peak():
    assert drawdown_pct(100.0, [110.0, 99.0, 121.0]).tolist() == pytest.approx([0.0, -10.0, 0.0])


def test_an_empty_backtest_still_charts(tmp_path: Path):
    empty = result(equity=(), trades=())
    assert len(save_charts(empty, tmp_path)) == 2
    assert chart_data((tmp_path / "equity.html").read_text())["equity"] == []


def test_many_trades_are_marked_without_labels(tmp_path: Path):
    many = tuple(trade("1", entry=n % 4, exit=n % 4 + 1) for n in range(31))
    save_charts(result(trades=many), tmp_path)
    markers = chart_data((tmp_path / "equity.html").read_text())["markers"]
    assert len(markers) == 62
    assert {m["text"] for m in markers} == {""}
