"""``tradewire backtest run|list|show``: a real run over a packaged history, a bar file and a
local fake Yahoo; the report, charts and stored result; one line and exit 2 for bad input."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.support.fake_providers import fake_yahoo
from tradewire.backtest.codec import from_dict
from tradewire.cli import app

runner = CliRunner()
SMA = ["--strategy", "sma-cross"]
SP500 = ["--packaged", "sp500", *SMA, "--start", "2005-01-01"]


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("TRADEWIRE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("TRADEWIRE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def invoke(*args: str):
    return runner.invoke(app, ["backtest", *args])


def run_json(*args: str):
    result = invoke("run", *args, "--json")
    assert result.exit_code == 0, result.output
    return from_dict(orjson.loads(result.stdout))


def test_a_run_prints_the_report_writes_the_charts_and_stores_the_result(data: Path):
    result = invoke("run", *SP500, "--end", "2006-12-31", "--fee-bps", "1")
    assert result.exit_code == 0, result.output
    assert "return %" in result.stdout and "max drawdown" in result.stdout
    assert "trades (last" in result.stdout
    run_id = result.stderr.split("stored as ")[1].split()[0]
    charts = data / "backtests" / run_id
    assert (charts / "equity.png").read_bytes().startswith(b"\x89PNG")
    assert "LightweightCharts" in (charts / "equity.html").read_text()
    assert str(charts / "equity.png") in result.stderr

    listing = invoke("list")
    assert listing.exit_code == 0, listing.output
    assert run_id in listing.stdout  # never wrapped, to copy into `show`

    shown = invoke("show", run_id, "--json")
    assert shown.exit_code == 0, shown.output
    stored = from_dict(orjson.loads(shown.stdout))
    assert stored.id == run_id
    assert stored.settings.fee_bps == 1
    assert stored.settings.start_ns >= 1_104_537_600 * 10**9  # 2005-01-01
    assert str(charts / "equity.html") in shown.stderr


def test_json_is_the_whole_result_and_show_prints_the_same_report(data: Path):
    ran = run_json(*SP500, "--end", "2005-12-31", "--param", "fast=5", "--param", "slow=15")
    assert ran.settings.params["fast"] == 5
    assert ran.metrics.trades == len(ran.trades) > 0
    shown = invoke("show", ran.id)
    assert shown.exit_code == 0, shown.output
    assert f"backtest {ran.id}" in shown.stdout
    assert f"{ran.metrics.return_pct:.2f}" in shown.stdout


def test_show_writes_the_charts_again_where_they_are_missing(data: Path, tmp_path: Path):
    ran = run_json(*SP500, "--end", "2005-06-30", "--out", str(tmp_path / "elsewhere"))
    assert (tmp_path / "elsewhere" / "equity.png").is_file()
    shown = invoke("show", ran.id)
    assert shown.exit_code == 0, shown.output
    assert (data / "backtests" / ran.id / "equity.png").is_file()


def test_a_run_over_a_bar_file(data: Path, tmp_path: Path):
    lines = ["date,open,high,low,close,volume"]
    for day in range(1, 29):
        price = 100 + (day % 7) * 3
        lines.append(f"2024-02-{day:02d},{price},{price + 2},{price - 2},{price + 1},1000")
    path = tmp_path / "acme.csv"
    path.write_text("\n".join(lines) + "\n")
    ran = run_json(
        "--data", str(path), "--start", "2024-02-01", "--end", "2024-02-28", *SMA,
        "--param", "fast=2", "--param", "slow=4",
    )  # fmt: skip
    assert ran.settings.symbols == ("ACME",)
    assert ran.bars == 28
    assert ran.metrics.trades > 0


def test_a_run_over_tickers_from_the_configured_provider(data, monkeypatch):
    with fake_yahoo() as yahoo:
        monkeypatch.setenv("TRADEWIRE_CANDLE_PROVIDERS", '["yahoo"]')
        monkeypatch.setenv("TRADEWIRE_YAHOO_BASE_URL", yahoo.base_url)
        ran = run_json("AAPL", "MSFT", "--start", "2022-01-01", "--end", "2022-12-31", *SMA)
    assert ran.settings.symbols == ("AAPL", "MSFT")
    assert ran.settings.source == "providers:yahoo"
    assert ran.metrics.trades > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2005-13-01", "--end", "2006-01-01"], "--start '2005-13-01' is not a date"),
        (["--start", "2006-01-01", "--end", "2005-01-01"], "--end 2005-01-01 is before --start"),
        (["--start", "2030-01-01", "--end", "2031-01-01"], "no bars"),
        (["--start", "2005-01-01"], "give the period"),
        ([*SP500[4:], "--end", "2006-01-01", "--strategy", "magic"], "no strategy 'magic'"),
        ([*SP500[4:], "--end", "2006-01-01", "--param", "fast=abc"], "fast must be"),
        ([*SP500[4:], "--end", "2006-01-01", "--param", "speed=3"], "no parameter speed"),
        ([*SP500[4:], "--end", "2006-01-01", "--param", "fast"], "is not key=value"),
        ([*SP500[4:], "--end", "2006-01-01", "--cash", "lots"], "--cash 'lots' is not a number"),
        ([*SP500[4:], "--end", "2006-01-01", "--cash", "0"], "cash must be positive"),
        ([*SP500[4:], "--end", "2006-01-01", "--data", "x.csv"], "give one source of bars"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(data, args, message):
    if "--packaged" not in args:
        args = ["--packaged", "sp500", *args]
    if "--strategy" not in args:
        args = [*args, *SMA]
    result = invoke("run", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("error:")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2005-01-01", "--end", "2006-01-01"], "give one source of bars"),
        (["--data", "missing.csv", "--start", "2005-01-01", "--end", "2006-01-01"], "no such file"),
        (["--packaged", "dax", "--start", "2005-01-01", "--end", "2006-01-01"], "no packaged"),
        (["AAPL", "--watchlist", "--start", "2005-01-01", "--end", "2006-01-01"], "not both"),
    ],
)
def test_bad_sources_are_one_line_and_exit_2(data, args, message):
    result = invoke("run", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr


def test_showing_an_unknown_backtest_is_exit_2(data):
    result = invoke("show", "NOPE")
    assert result.exit_code == 2
    assert "no stored backtest 'NOPE'" in result.stderr


def test_an_empty_list(data):
    result = invoke("list")
    assert result.exit_code == 0, result.output
    assert "backtests" in result.stdout


def test_the_watchlist_is_the_collectors_protected_and_stored_tickers(data, monkeypatch):
    with fake_yahoo() as yahoo:
        monkeypatch.setenv("TRADEWIRE_CANDLE_PROVIDERS", '["yahoo"]')
        monkeypatch.setenv("TRADEWIRE_YAHOO_BASE_URL", yahoo.base_url)
        ran = run_json("--watchlist", "--start", "2022-01-01", "--end", "2022-03-31", *SMA)
    assert ran.settings.symbols == ("SPY", "QQQ")


def test_a_ticker_no_provider_has_is_one_line_and_exit_2(data, monkeypatch):
    with fake_yahoo() as yahoo:
        monkeypatch.setenv("TRADEWIRE_CANDLE_PROVIDERS", '["yahoo"]')
        monkeypatch.setenv("TRADEWIRE_YAHOO_BASE_URL", yahoo.base_url)
        result = invoke("run", "ZZZZ", "--start", "2022-01-01", "--end", "2022-03-31")
    assert result.exit_code == 2, result.output
    assert "ZZZZ" in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr


def test_the_decision_engine_adds_a_reliability_diagram_of_its_scores(data: Path):
    ran = run_json(
        "--packaged", "sp500", "--strategy", "decision-engine", "--cash", "1000000",
        "--start", "2016-01-01", "--end", "2017-12-31",
    )  # fmt: skip
    assert ran.trades and all(t.score is not None for t in ran.trades)
    charts = data / "backtests" / ran.id
    assert (charts / "calibration.png").read_bytes().startswith(b"\x89PNG")
    assert "<svg" in (charts / "calibration.html").read_text()


def test_backtest_without_run_is_run(data: Path):
    result = runner.invoke(app, ["backtest", *SP500, "--end", "2005-12-31", "--json"])
    assert result.exit_code == 0, result.output
    assert from_dict(orjson.loads(result.stdout)).settings.strategy == "sma-cross"
    listing = runner.invoke(app, ["backtest", "list"])  # a subcommand is still one
    assert listing.exit_code == 0, listing.output
