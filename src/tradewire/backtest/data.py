"""Load bars from a user's CSV or Parquet file, or from a history a library ships.

A file needs a time column and open, high, low and close; volume is optional. Names are
matched case-insensitively, ignoring spaces, underscores and angle brackets (``Date``,
``<OPEN>``, ``date_time``); see :data:`ALIASES`. A ``date`` column plus a ``time`` column are
joined; a file written by pandas with an unnamed index keeps its times in that first column.
Other columns ("Adj Close", ...) are ignored. Times are ISO dates or datetimes, with or
without a zone (naive means UTC), or epoch seconds, milliseconds, microseconds or
nanoseconds, told apart by magnitude.

Every row is checked, and a file that breaks a rule is refused whole with a
:class:`DataFileError` naming the file, the rows, the columns and what is wrong: bars are
never silently dropped, repaired or sorted, since a backtest on quietly altered data would
mislead.
"""

from __future__ import annotations

import re
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from tradewire.backtest.bars import Bars
from tradewire.backtest.checks import (
    PRICES,
    Findings,
    Problem,
    check_bars,
    parse_numbers,
    parse_times,
)
from tradewire.core.errors import ValidationError

#: File suffixes read, and how.
SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}

#: Accepted spellings (lower case, no spaces, underscores or angle brackets) of each column.
ALIASES: dict[str, tuple[str, ...]] = {
    "datetime": ("datetime", "timestamp", "ts"),
    "date": ("date",),
    "time": ("time",),
    "open": ("open", "o"),
    "high": ("high", "h"),
    "low": ("low", "l"),
    "close": ("close", "c", "last"),
    "volume": ("volume", "vol", "v"),
}


class DataFileError(ValidationError):
    """A bar file (or packaged history) cannot be used; the message says where and why.

    ``problems`` holds the first few row-level problems found and ``count`` how many there
    were in all (0 when the whole file is at fault, e.g. unreadable or missing a column).
    """

    def __init__(self, message: str, problems: tuple[Problem, ...] = (), count: int = 0) -> None:
        super().__init__(message)
        self.problems = problems
        self.count = count


@dataclass(frozen=True, slots=True)
class LoadedBars:
    """Bars read from a file, and notes worth telling the user (e.g. "no volume column")."""

    bars: Bars
    notes: tuple[str, ...] = ()


def load_file(path: Path, *, symbol: str | None = None) -> LoadedBars:
    """Read and check the bars in a CSV (``.csv``, ``.csv.gz``) or Parquet (``.parquet``,
    ``.pq``) file; ``symbol`` defaults to the file's name without its suffix, upper-cased.

    Raise :class:`DataFileError` if the file cannot be read or any row breaks a rule.
    """
    path = Path(path)
    suffix = next((s for s in SUFFIXES if path.name.lower().endswith(s)), None)
    if suffix is None:
        raise DataFileError(
            f"{path.name}: not a CSV or Parquet file (the name must end in {', '.join(SUFFIXES)})"
        )
    kind = SUFFIXES[suffix]
    name = (symbol or path.name[: -len(suffix)]).strip().upper()
    if not name:
        raise DataFileError(f"{path.name}: no symbol; name the file or pass one")
    frame = _read_csv(path) if kind == "csv" else _read_parquet(path)
    return frame_to_bars(frame, name, path.name, lines=kind == "csv")


def frame_to_bars(frame: pd.DataFrame, symbol: str, origin: str, *, lines: bool) -> LoadedBars:
    """Check a frame of bars and return them; ``origin`` names it in errors, and ``lines``
    says that a row's CSV line number (one more than the row) is worth giving too."""
    if isinstance(frame.index, pd.DatetimeIndex):
        frame = frame.reset_index(names=frame.index.name or "datetime")
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.any():  # blank CSV lines: skipped, but kept out of the row numbering
        frame = frame[~blank]
    if frame.empty:
        raise DataFileError(f"{origin}: no rows of data")
    columns = _match_columns(frame, origin)
    findings = Findings(frame.index.to_numpy() + 1)
    notes: list[str] = []
    if "datetime" in columns:
        times = frame[columns["datetime"]]
        time_name = columns["datetime"]
    else:
        times, time_name = _joined_date_time(frame, columns)
    ts, timed, unit = parse_times(times, time_name, findings)
    if unit:
        notes.append(f"times read as epoch {unit}")
    prices = {role: parse_numbers(frame[columns[role]], columns[role], findings) for role in PRICES}
    if "volume" in columns and frame[columns["volume"]].isna().all():
        notes.append(f"column {columns.pop('volume')!r} is empty")
    if "volume" in columns:
        volume = parse_numbers(frame[columns["volume"]], columns["volume"], findings)
    else:
        volume = np.zeros(len(frame))
        notes.append("no volume; volume set to 0")
    names = {role: columns.get(role, role) for role in (*PRICES, "volume")}
    check_bars(ts, timed, prices, volume, names, time_name, findings)
    if findings.count:
        raise DataFileError(
            findings.message(origin, lines=lines), tuple(findings.first()), findings.count
        )
    bars = Bars.build(symbol, ts, *(prices[role] for role in PRICES), volume)
    return LoadedBars(bars, tuple(notes))


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            # Extra fields on the first data row make pandas drop data with a mere warning.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                path,
                dtype=str,
                index_col=False,  # never take a ragged first row's extra field as the index
                skipinitialspace=True,
                skip_blank_lines=False,  # keeps a row's number tied to its line
                encoding="utf-8-sig",
                compression="gzip" if path.name.lower().endswith(".gz") else None,
            )
    except pd.errors.ParserWarning as exc:
        raise DataFileError(
            f"{path.name}: not valid CSV: line 2 has more fields than the header"
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise DataFileError(f"{path.name}: the file is empty") from exc
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().removeprefix("Error tokenizing data. C error: ")
        raise DataFileError(f"{path.name}: not valid CSV: {detail}") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path.name}: not UTF-8 text (byte {exc.start})") from exc
    except (EOFError, zlib.error) as exc:
        raise DataFileError(f"{path.name}: broken gzip data ({exc})") from exc
    except OSError as exc:
        raise DataFileError(f"{path.name}: cannot read the file: {_os_reason(exc)}") from exc


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path, engine="pyarrow")
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise DataFileError(f"{path.name}: cannot read the file: {_os_reason(exc)}") from exc
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DataFileError(f"{path.name}: not a readable Parquet file ({exc})") from exc


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def _normal(name: object) -> str:
    return re.sub(r"[\s_<>]", "", str(name)).lower()


def _match_columns(frame: pd.DataFrame, origin: str) -> dict[str, str]:
    """Map each role (see ALIASES) to the frame's column that plays it."""
    found: dict[str, str] = {}
    for column in frame.columns:
        key = _normal(column)
        for role, spellings in ALIASES.items():
            if key in spellings:
                if role in found:
                    raise DataFileError(
                        f"{origin}: columns {found[role]!r} and {column!r} are both {role}"
                    )
                found[role] = str(column)
    first = str(frame.columns[0])
    if not {"datetime", "date", "time"} & found.keys() and (
        first == "" or first.startswith("Unnamed: ")
    ):
        found["datetime"] = first  # pandas' to_csv writes an unnamed index so
    elif "datetime" not in found and ("date" in found) != ("time" in found):
        found["datetime"] = found.pop("date", None) or found.pop("time")
    needed = [] if {"datetime", "date"} & found.keys() else ["time (date, datetime, timestamp)"]
    needed += [role for role in PRICES if role not in found]
    if needed:
        seen = ", ".join(repr(str(c)) for c in frame.columns)
        hint = ""
        if len(frame.columns) == 1 and re.search(r"[;\t|]", first):
            hint = " (the file must be comma-separated)"
        raise DataFileError(
            f"{origin}: missing column{'s' if len(needed) > 1 else ''} {', '.join(needed)}; "
            f"found {seen}{hint}"
        )
    return found


def _joined_date_time(frame: pd.DataFrame, columns: dict[str, str]) -> tuple[pd.Series, str]:
    """A ``date`` and a ``time`` column as one text column "date time"."""
    date, time = frame[columns["date"]], frame[columns["time"]]
    if pd.api.types.is_datetime64_any_dtype(date):
        date = date.dt.strftime("%Y-%m-%d")
    joined = date.astype(str).str.strip() + " " + time.astype(str).str.strip()
    joined[date.isna() | time.isna()] = None
    return joined, f"{columns['date']} + {columns['time']}"


# --- Checks ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackagedHistory:
    """Bars a library ships: where they come from, under which symbol."""

    symbol: str
    description: str
    frame: Callable[[], pd.DataFrame]


def _sp500() -> pd.DataFrame:
    from arch.data import sp500

    return sp500.load()


def _eurusd() -> pd.DataFrame:
    from backtesting.test import EURUSD

    return EURUSD


def _goog() -> pd.DataFrame:
    from backtesting.test import GOOG

    return GOOG


#: The packaged histories by name.
PACKAGED: dict[str, PackagedHistory] = {
    "sp500": PackagedHistory("SPX", "S&P 500 index, daily, 1999-2018 (arch)", _sp500),
    "eurusd": PackagedHistory("EURUSD", "EUR/USD, hourly, 2017-2018 (backtesting.py)", _eurusd),
    "goog": PackagedHistory("GOOG", "Alphabet (GOOG), daily, 2004-2013 (backtesting.py)", _goog),
}


def packaged(name: str) -> Bars:
    """Return a packaged history by name (see :data:`PACKAGED`), checked as a file would be.

    The bars are loaded once per process and shared, so their columns are read-only.
    """
    key = name.strip().lower()
    if key not in PACKAGED:
        raise ValidationError(f"no packaged history {name!r}; known: {', '.join(PACKAGED)}")
    return _packaged(key)


@cache
def _packaged(name: str) -> Bars:
    history = PACKAGED[name]
    frame = history.frame()[["Open", "High", "Low", "Close", "Volume"]]
    bars = frame_to_bars(frame, history.symbol, f"packaged {name}", lines=False).bars
    for column in bars.columns():
        column.flags.writeable = False
    return bars
