"""Export writers round-trip rows in every format; date ranges parse as documented."""

import csv
import io

import orjson
import pyarrow.parquet as pq
import pytest

from tradewire.core.errors import RetryableError, ValidationError
from tradewire.tape.export import (
    WIRE_FIELDS,
    date_range,
    ending_in_failure_marker,
    write_daily,
    writer_for,
)

DAY = 86_400 * 1_000_000_000
T0 = 1_759_881_600 * 1_000_000_000  # 2025-10-08T00:00:00Z
ROWS = [
    (
        "id1",
        T0 + 5_037_000_000,
        "NQZ5",
        "19:00:05.037 10/7/25",
        25146.0,
        30.0,
        30.0,
        "down",
        0,
        "u1",
        "c1",
    ),
    (
        "id2",
        T0 + DAY + 1_000_000,
        "ESZ5",
        "19:00:00.001 10/8/25",
        6750.25,
        1.0,
        None,
        None,
        1,
        "u2",
        None,
    ),
]


def export(fmt: str) -> bytes:
    return b"".join(writer_for(fmt)([ROWS[:1], [], ROWS[1:]]))


def expected() -> list[dict]:
    return [
        {
            "id": "id1",
            "ts": "2025-10-08T00:00:05.037Z",
            "symbol": "NQZ5",
            "timestamp": "19:00:05.037 10/7/25",
            "price": 25146.0,
            "size": 30.0,
            "accumulatedVolume": 30.0,
            "tickDirection": "down",
            "isHighlighted": False,
            "account": "u1",
            "captured_at": "c1",
        },
        {
            "id": "id2",
            "ts": "2025-10-09T00:00:00.001Z",
            "symbol": "ESZ5",
            "timestamp": "19:00:00.001 10/8/25",
            "price": 6750.25,
            "size": 1.0,
            "accumulatedVolume": None,
            "tickDirection": None,
            "isHighlighted": True,
            "account": "u2",
            "captured_at": None,
        },
    ]


def test_json_round_trip():
    assert orjson.loads(export("json")) == expected()


def typed_csv(data: bytes) -> list[dict]:
    """Rows of an exported CSV with the types JSON would give them."""

    def number(text: str) -> float | None:
        return float(text) if text else None

    rows = []
    for r in csv.DictReader(io.StringIO(data.decode())):
        rows.append(
            {
                **{k: v or None for k, v in r.items()},
                "price": number(r["price"]),
                "size": number(r["size"]),
                "accumulatedVolume": number(r["accumulatedVolume"]),
                "isHighlighted": {"True": True, "False": False}[r["isHighlighted"]],
            }
        )
    return rows


def test_csv_round_trip():
    assert typed_csv(export("csv")) == expected()
    header = b"".join(writer_for("csv")([])).decode()
    assert header.strip() == ",".join(WIRE_FIELDS)


def test_csv_quotes_free_text_that_needs_it():
    odd = [
        (*ROWS[0][:3], "10/8/2025, 8:52:25 AM", *ROWS[0][4:9], 'a "quoted", name', *ROWS[0][10:])
    ]
    (row,) = typed_csv(b"".join(writer_for("csv")([ROWS[1:], odd])))[1:]
    assert (row["timestamp"], row["account"]) == ("10/8/2025, 8:52:25 AM", 'a "quoted", name')


def test_parquet_round_trip():
    table = pq.read_table(io.BytesIO(export("parquet")))
    rows = table.to_pylist()
    for row in rows:
        row["ts"] = row["ts"].strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    assert rows == expected()


def test_empty_exports_are_valid_documents():
    assert orjson.loads(b"".join(writer_for("json")([]))) == []
    assert pq.read_table(io.BytesIO(b"".join(writer_for("parquet")([])))).num_rows == 0


def test_daily_files_follow_the_seed_layout(tmp_path):
    paths = write_daily([ROWS], tmp_path / "out")
    assert [p.name for p in paths] == ["2025-10-08_trades.json", "2025-10-09_trades.json"]
    assert orjson.loads(paths[1].read_bytes()) == expected()[1:]


def test_date_ranges():
    assert date_range("2025-10-08", "2025-10-08") == (T0, T0 + DAY)
    assert date_range("2025-10-08T00:00:05Z", None) == (T0 + 5_000_000_000, None)
    assert date_range(None, None) == (None, None)
    with pytest.raises(ValidationError, match="start_date"):
        date_range("yesterday", None)
    with pytest.raises(ValidationError, match="before"):
        date_range("2025-10-09", "2025-10-07")
    with pytest.raises(ValidationError, match="format"):
        writer_for("xml")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-30", None),
        ("9999-12-31", None),
        (None, "9999-12-31"),
        ("0001-01-01", None),
        (None, "0001-01-01"),
        ("1969-12-31", "2025-01-01"),
        ("9999-12-31T23:59:59.999999+00:00", None),
        ("0001-01-01T00:00:00+05:00", None),
        ("2200-01-01T00:00:01Z", None),
    ],
)
def test_dates_outside_1970_to_2200_are_refused(start, end):
    with pytest.raises(ValidationError, match="1970-01-01 to 2200-01-01"):
        date_range(start, end)


def test_the_range_runs_to_the_end_of_2199():
    assert date_range("1970-01-01", "2199-12-31") == (0, 7_258_118_400 * 1_000_000_000)


def failing_after_first_day():
    yield ROWS[:1]
    raise RetryableError("the database is unavailable; retry later")


def failed_export(fmt: str) -> bytes:
    written = bytearray()
    with pytest.raises(RetryableError):
        for data in ending_in_failure_marker(fmt, writer_for(fmt)(failing_after_first_day())):
            written += data
    return bytes(written)


REASON = "export failed: the database is unavailable; retry later"


def test_a_failed_json_export_ends_in_an_error_line_and_never_parses():
    data = failed_export("json")
    lines = data.rstrip(b"\n").split(b"\n")
    assert orjson.loads(lines[-1]) == {"error": REASON}
    assert orjson.loads(lines[-2]) == expected()[0]
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(data)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_failed_csv_or_parquet_export_ends_in_an_error_line(fmt):
    data = failed_export(fmt)
    assert data.endswith(f"\n# error: {REASON}\n".encode())
    if fmt == "csv":
        assert typed_csv(data.rsplit(b"# error", 1)[0]) == expected()[:1]
    else:
        with pytest.raises(Exception, match=r"(?i)parquet"):
            pq.read_table(io.BytesIO(data))


def test_a_failed_daily_export_leaves_the_last_file_unfinished(tmp_path):
    rows = [ROWS[:1], ROWS[1:]]

    def failing():
        yield from rows
        raise RetryableError("the database is unavailable; retry later")

    with pytest.raises(RetryableError):
        write_daily(failing(), tmp_path / "out")
    first, last = sorted((tmp_path / "out").iterdir())
    assert orjson.loads(first.read_bytes()) == expected()[:1]
    assert orjson.loads(last.read_bytes().rstrip(b"\n").split(b"\n")[-1]) == {"error": REASON}
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(last.read_bytes())
