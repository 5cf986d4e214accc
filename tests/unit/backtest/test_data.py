"""Bars from real CSV and Parquet files written to a temporary folder, and the packaged
histories."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradewire.backtest.data import PACKAGED, DataFileError, load_file, packaged
from tradewire.core.errors import ValidationError

JAN_2 = 1_704_153_600 * 10**9  # 2024-01-02T00:00:00Z
DAY = 86_400 * 10**9
GOOD = """Date,Open,High,Low,Close,Adj Close,Volume
2024-01-02,10,11,9,10.5,10.4,100
2024-01-03,10.5,11.5,10,11,11,200
2024-01-04,11,12,10.5,11.5,11.5,300
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def csv(tmp_path: Path, rows: list[str], header: str = "date,open,high,low,close,volume") -> Path:
    return write(tmp_path, "bars.csv", "\n".join([header, *rows]) + "\n")


def refused(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        load_file(path)
    assert caught.value.message.startswith(f"{path.name}: ")
    assert "\n" not in caught.value.message  # the CLI prints it as one line
    return caught.value


def test_a_csv_with_dates_loads_with_its_stem_as_symbol(tmp_path: Path) -> None:
    loaded = load_file(write(tmp_path, "aapl.csv", GOOD))

    bars = loaded.bars
    assert bars.symbol == "AAPL" and loaded.notes == ()
    assert bars.ts.tolist() == [JAN_2, JAN_2 + DAY, JAN_2 + 2 * DAY]
    assert bars.ts.dtype == np.int64 and bars.close.dtype == np.float64
    assert bars.open.tolist() == [10, 10.5, 11] and bars.close.tolist() == [10.5, 11, 11.5]
    assert bars.volume.tolist() == [100, 200, 300]  # "Adj Close" ignored


def test_gzip_csv_and_an_explicit_symbol(tmp_path: Path) -> None:
    path = tmp_path / "spy.daily.csv.gz"
    path.write_bytes(gzip.compress(GOOD.encode()))

    assert load_file(path).bars.symbol == "SPY.DAILY"
    assert load_file(path, symbol="spy").bars.symbol == "SPY"


def test_datetimes_with_zones_are_converted_to_utc_and_naive_ones_are_utc(tmp_path: Path) -> None:
    path = csv(
        tmp_path,
        [
            "2024-01-02T09:30:00-05:00,10,11,9,10.5,1",
            "2024-01-02 15:30:00Z,10,11,9,10.5,1",
            "2024-01-02T16:30:00+00:00,10,11,9,10.5,1",
            "2024-01-02 17:30,10,11,9,10.5,1",
        ],
        header="Datetime,Open,High,Low,Close,Volume",
    )

    hours = (load_file(path).bars.ts - JAN_2) / 3600e9

    assert hours.tolist() == [14.5, 15.5, 16.5, 17.5]


@pytest.mark.parametrize(("scale", "unit"), [(1, "seconds"), (1000, "milliseconds")])
def test_epoch_times_are_told_apart_by_magnitude(tmp_path: Path, scale: int, unit: str) -> None:
    first = JAN_2 // 10**9 * scale
    rows = [f"{first + i * 3600 * scale},10,11,9,10.5" for i in range(3)]
    loaded = load_file(csv(tmp_path, rows, header="timestamp,o,h,l,c"))

    assert loaded.bars.ts.tolist() == [JAN_2 + i * 3600 * 10**9 for i in range(3)]
    assert loaded.notes == (f"times read as epoch {unit}", "no volume; volume set to 0")
    assert loaded.bars.volume.tolist() == [0, 0, 0]


def test_an_empty_volume_column_is_no_volume(tmp_path: Path) -> None:
    loaded = load_file(csv(tmp_path, ["2024-01-02,10,11,9,10.5,", "2024-01-03,10,11,9,10.5,"]))

    assert loaded.bars.volume.tolist() == [0, 0]
    assert loaded.notes == ("column 'volume' is empty", "no volume; volume set to 0")


def test_a_date_column_and_a_time_column_are_joined(tmp_path: Path) -> None:
    path = csv(
        tmp_path,
        ["2024-01-02,10:00,10,11,9,10.5,5", "2024-01-02,11:00,10,11,9,10.5,5"],
        header="<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>",
    )

    assert ((load_file(path).bars.ts - JAN_2) / 3600e9).tolist() == [10, 11]


def test_a_frame_saved_by_pandas_with_its_index_loads(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"Open": [1.0, 2.0], "High": [2.0, 3.0], "Low": [0.5, 1.5], "Close": [1.5, 2.5]},
        index=pd.to_datetime(["2024-01-02", "2024-01-03"]),
    )
    frame.to_csv(tmp_path / "idx.csv")
    frame.to_parquet(tmp_path / "idx.parquet")

    for name in ("idx.csv", "idx.parquet"):
        assert load_file(tmp_path / name).bars.ts.tolist() == [JAN_2, JAN_2 + DAY]


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    times = pd.date_range("2024-01-02 14:30", periods=3, freq="h", tz="America/New_York")
    frame = pd.DataFrame({
        "timestamp": times, "OPEN": [10.0, 11, 12], "HIGH": [11.0, 12, 13],
        "LOW": [9.0, 10, 11], "CLOSE": [10.5, 11.5, 12.5], "VOLUME": [1, 2, 3],
    })  # fmt: skip
    frame.to_parquet(tmp_path / "es.pq")
    frame.assign(timestamp=times.as_unit("ns").asi8 // 10**6).to_parquet(tmp_path / "epoch.parquet")

    bars = load_file(tmp_path / "es.pq").bars
    epoch = load_file(tmp_path / "epoch.parquet")

    assert bars.symbol == "ES"
    assert bars.ts[0] == JAN_2 + int(19.5 * 3600 * 10**9)  # 14:30 in New York is 19:30 UTC
    assert bars.volume.tolist() == [1, 2, 3]
    assert epoch.bars.ts.tolist() == bars.ts.tolist()
    assert epoch.notes == ("times read as epoch milliseconds",)


def test_a_large_file_loads(tmp_path: Path) -> None:
    n = 100_000
    close = 100 + np.cumsum(np.sin(np.arange(n) / 50))
    frame = pd.DataFrame({
        "timestamp": JAN_2 // 10**6 + np.arange(n) * 60_000,
        "open": close - 0.1, "high": close + 0.5, "low": close - 0.5, "close": close,
        "volume": np.arange(n) % 1000,
    })  # fmt: skip
    frame.to_csv(tmp_path / "minutes.csv", index=False)

    bars = load_file(tmp_path / "minutes.csv").bars

    assert len(bars) == n and bars.ts[-1] == JAN_2 + (n - 1) * 60 * 10**9
    assert np.allclose(bars.close, close)


# --- Refusals ------------------------------------------------------------------------------------


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    assert "not a CSV or Parquet file" in refused(write(tmp_path, "bars.xlsx", GOOD)).message
    assert "cannot read the file" in refused(tmp_path / "absent.csv").message
    assert "the file is empty" in refused(write(tmp_path, "empty.csv", "")).message
    header_only = write(tmp_path, "header.csv", "date,open,high,low,close\n")
    assert refused(header_only).message == "header.csv: no rows of data"
    assert "not a readable Parquet file" in refused(write(tmp_path, "x.parquet", GOOD)).message
    (tmp_path / "bin.csv").write_bytes(b"date,open\n\xff\xfe\x00garbage")
    assert "not UTF-8 text" in refused(tmp_path / "bin.csv").message
    (tmp_path / "bad.csv.gz").write_bytes(b"not gzip at all")
    assert "bad.csv.gz: " in refused(tmp_path / "bad.csv.gz").message
    header = "date,open,high,low,close\n"
    ragged = write(tmp_path, "ragged.csv", header + "2024-01-02,1,2,0.5,1,9,9\n")
    assert refused(ragged).message == (
        "ragged.csv: not valid CSV: line 2 has more fields than the header"
    )
    later = write(tmp_path, "later.csv", header + "2024-01-02,1,2,0.5,1\n2024-01-03,1,2,0.5,1,9\n")
    assert refused(later).message == "later.csv: not valid CSV: Expected 5 fields in line 3, saw 6"


def test_missing_columns_are_named_with_what_was_found(tmp_path: Path) -> None:
    error = refused(csv(tmp_path, ["2024-01-02,1,2,1"], header="Date,Open,High,Price"))
    assert error.message == (
        "bars.csv: missing columns low, close; found 'Date', 'Open', 'High', 'Price'"
    )

    no_time = refused(csv(tmp_path, ["1,2,0.5,1"], header="open,high,low,close"))
    assert no_time.message == (
        "bars.csv: missing column time (date, datetime, timestamp); "
        "found 'open', 'high', 'low', 'close'"
    )

    semicolons = write(tmp_path, "semi.csv", "date;open;high;low;close\n2024-01-02;1;2;0.5;1\n")
    assert "must be comma-separated" in refused(semicolons).message

    twice = refused(csv(tmp_path, ["2024-01-02,1,1,2,0.5,1"], header="date,c,close,high,low,open"))
    assert "columns 'c' and 'close' are both close" in twice.message


def test_unreadable_numbers_and_times_name_row_line_and_column(tmp_path: Path) -> None:
    error = refused(
        csv(
            tmp_path,
            ["2024-01-02,10,11,9,ten,1", "01/03/2024,10,11,9,10,1", "2024-01-04,,11,9,10,1"],
        )
    )

    assert error.count == 3
    assert error.message == (
        "bars.csv: 3 problems: row 1 (line 2), column 'close': 'ten' is not a number; "
        "row 2 (line 3), column 'date': '01/03/2024' is not an ISO date or time "
        "(e.g. 2024-01-05 or 2024-01-05T14:30:00Z) nor an epoch number; "
        "row 3 (line 4), column 'open': missing value"
    )
    assert [(p.row, p.column) for p in error.problems] == [(1, "close"), (2, "date"), (3, "open")]


@pytest.mark.parametrize(
    ("row", "wording"),
    [
        ("2024-01-02,10,11,9,inf,1", "column 'close': inf is not a finite price"),
        ("2024-01-02,0,11,9,10,1", "column 'open': price 0 is not positive"),
        ("2024-01-02,-1,11,9,10,1", "column 'open': price -1 is not positive"),
        ("2024-01-02,10,9,11,10,1", "column 'high': high 9 is below low 11"),
        ("2024-01-02,12,11,9,10,1", "column 'open': open 12 is outside [low 9, high 11]"),
        ("2024-01-02,10,11,9,8.5,1", "column 'close': close 8.5 is outside [low 9, high 11]"),
        ("2024-01-02,10,11,9,10,-5", "column 'volume': volume -5 is negative"),
        ("1066-10-14,10,11,9,10,1", "column 'date': '1066-10-14' is before 1900 or after 2200"),
    ],
)
def test_each_price_volume_and_time_rule(tmp_path: Path, row: str, wording: str) -> None:
    error = refused(csv(tmp_path, ["2024-01-01,10,11,9,10,1", row]))

    assert error.message == f"bars.csv: row 2 (line 3), {wording}"


def test_duplicate_and_unordered_times_are_refused_not_sorted(tmp_path: Path) -> None:
    rows = [f"2024-01-0{d},10,11,9,10,1" for d in (2, 3, 3, 5, 4)]
    error = refused(csv(tmp_path, rows))

    assert error.message == (
        "bars.csv: 2 problems: row 3 (line 4), column 'date': same time as row 2 (2024-01-03); "
        "row 5 (line 6), column 'date': 2024-01-04 is earlier than row 4's 2024-01-05; "
        "rows must be oldest first"
    )


def test_a_newest_first_file_is_one_problem(tmp_path: Path) -> None:
    rows = [f"2024-01-{d:02},10,11,9,10,1" for d in range(20, 0, -1)]
    error = refused(csv(tmp_path, rows))

    assert error.count == 1
    assert error.message == (
        "bars.csv: row 1 (line 2), column 'date': rows are newest first "
        "(row 1 2024-01-20, row 20 2024-01-01); the file must be oldest first"
    )


def test_many_problems_list_the_first_few_and_count_the_rest(tmp_path: Path) -> None:
    rows = [f"2024-01-{d:02},10,11,12,10,1" for d in range(1, 31)]  # low above high every day
    error = refused(csv(tmp_path, rows))

    assert error.count == 30 and len(error.problems) == 5
    assert error.message.startswith("bars.csv: 30 problems: row 1 (line 2), column 'high'")
    assert error.message.endswith("row 5 (line 6), column 'high': high 11 is below low 12; "
                                  "and 25 more")  # fmt: skip


def test_blank_lines_are_skipped_and_line_numbers_stay_true(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "gaps.csv",
        "date,open,high,low,close\n\n2024-01-02,1,2,0.5,1\n\n2024-01-03,x,2,0.5,1\n",
    )

    assert refused(path).message == "gaps.csv: row 4 (line 5), column 'open': 'x' is not a number"


def test_parquet_problems_name_rows_without_lines(tmp_path: Path) -> None:
    frame = pd.DataFrame({"date": ["2024-01-02", "2024-01-03"], "open": [1.0, np.nan],
                          "high": [2.0, 2.0], "low": [0.5, 0.5], "close": [1.0, 1.0]})  # fmt: skip
    frame.to_parquet(tmp_path / "p.parquet")

    assert (
        refused(tmp_path / "p.parquet").message == "p.parquet: row 2, column 'open': missing value"
    )


# --- Packaged histories --------------------------------------------------------------------------


def assert_sane(bars) -> None:
    assert np.all(np.diff(bars.ts) > 0)
    assert np.all(bars.low > 0) and np.all(bars.volume >= 0)
    assert np.all(bars.high >= np.maximum(bars.open, bars.close))
    assert np.all(bars.low <= np.minimum(bars.open, bars.close))


def test_sp500_is_the_daily_index_from_1999() -> None:
    bars = packaged("sp500")

    assert bars.symbol == "SPX" and len(bars) == 5031
    assert pd.Timestamp(bars.ts[0], tz="UTC") == pd.Timestamp("1999-01-04", tz="UTC")
    assert pd.Timestamp(bars.ts[-1], tz="UTC") == pd.Timestamp("2018-12-31", tz="UTC")
    assert_sane(bars)


def test_eurusd_is_hourly_and_goog_daily() -> None:
    eurusd, goog = packaged("eurusd"), packaged("GOOG")

    assert eurusd.symbol == "EURUSD" and len(eurusd) == 5000
    assert np.median(np.diff(eurusd.ts)) == 3600 * 10**9
    assert goog.symbol == "GOOG" and len(goog) == 2148
    assert np.median(np.diff(goog.ts)) == DAY
    assert_sane(eurusd)
    assert_sane(goog)


def test_packaged_bars_are_loaded_once_and_read_only() -> None:
    bars = packaged("goog")

    assert packaged("goog") is bars
    with pytest.raises(ValueError, match="read-only"):
        bars.close[0] = 1.0


def test_an_unknown_packaged_name_lists_the_known_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        packaged("ftse")

    assert caught.value.message == f"no packaged history 'ftse'; known: {', '.join(PACKAGED)}"
