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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from tradewire.backtest.bars import Bars
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

PRICES = ("open", "high", "low", "close")

#: Row problems spelled out in an error; the rest are counted.
MAX_LISTED = 5

#: Times outside these years are refused: they are misread epochs or typos, not history.
EARLIEST_NS = pd.Timestamp("1900-01-01").value
LATEST_NS = pd.Timestamp("2200-01-01").value


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
    findings = _Findings(frame.index.to_numpy() + 1)
    notes: list[str] = []
    if "datetime" in columns:
        times = frame[columns["datetime"]]
        time_name = columns["datetime"]
    else:
        times, time_name = _joined_date_time(frame, columns)
    ts, timed, unit = _parse_times(times, time_name, findings)
    if unit:
        notes.append(f"times read as epoch {unit}")
    prices = {
        role: _parse_numbers(frame[columns[role]], columns[role], findings) for role in PRICES
    }
    if "volume" in columns and frame[columns["volume"]].isna().all():
        notes.append(f"column {columns.pop('volume')!r} is empty")
    if "volume" in columns:
        volume = _parse_numbers(frame[columns["volume"]], columns["volume"], findings)
    else:
        volume = np.zeros(len(frame))
        notes.append("no volume; volume set to 0")
    names = {role: columns.get(role, role) for role in (*PRICES, "volume")}
    _check_bars(ts, timed, prices, volume, names, time_name, findings)
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
class Problem:
    """One broken rule: the 1-based data row, the column and what is wrong."""

    row: int
    column: str
    what: str


class _Findings:
    """The problems found in a frame: all counted, the first few of each rule kept."""

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows  # the 1-based data row of each frame position
        self.count = 0
        self._kept: list[Problem] = []

    def add(self, mask: np.ndarray, column: str, what: Callable[[int], str]) -> None:
        """Record the positions where ``mask`` holds; ``what(position)`` words each."""
        positions = np.flatnonzero(mask)
        self.count += len(positions)
        for i in positions[:MAX_LISTED]:
            self._kept.append(Problem(int(self.rows[i]), column, what(int(i))))

    def first(self) -> list[Problem]:
        """Return the first problems by row (a stable sort keeps each row's in rule order)."""
        return sorted(self._kept, key=lambda p: p.row)[:MAX_LISTED]

    def message(self, origin: str, *, lines: bool) -> str:
        first = self.first()
        listed = "; ".join(
            f"row {p.row}{f' (line {p.row + 1})' if lines else ''}, column {p.column!r}: {p.what}"
            for p in first
        )
        if self.count == 1:
            return f"{origin}: {listed}"
        more = f"; and {self.count - len(first):,} more" if self.count > len(first) else ""
        return f"{origin}: {self.count:,} problems: {listed}{more}"


def _num(x: float) -> str:
    return f"{x:.10g}"


def _when(ns: int) -> str:
    moment = datetime.fromtimestamp(ns / 1e9, tz=UTC)
    if ns % (86_400 * 10**9) == 0:
        return moment.date().isoformat()
    return moment.isoformat().replace("+00:00", "Z")


def _parse_numbers(column: pd.Series, name: str, findings: _Findings) -> np.ndarray:
    """Return a column as floats (NaN where missing or unreadable, each recorded)."""
    missing = column.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    findings.add(missing, name, lambda _: "missing value")
    findings.add(np.isnan(values) & ~missing, name, lambda i: f"{column.iloc[i]!r} is not a number")
    return values


def _parse_times(
    column: pd.Series, name: str, findings: _Findings
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Return epoch ns per row, which rows have a usable time, and the epoch unit if the
    times were numbers."""
    missing = column.isna().to_numpy()
    findings.add(missing, name, lambda _: "missing value")
    unit = None
    if pd.api.types.is_datetime64_any_dtype(column):
        ns, in_range = _stamps_ns(pd.to_datetime(column, utc=True))
    elif pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        exact = np.int64 if pd.api.types.is_integer_dtype(column) else np.float64
        ns, in_range, unit = _epoch_ns(column[~missing].to_numpy(dtype=exact), missing)
    else:
        text = column.map(str, na_action="ignore").str.strip()
        numbers = text.str.fullmatch(r"[+-]?\d+(\.\d*)?").fillna(False).to_numpy(dtype=bool)
        if numbers[~missing].all():
            values = pd.to_numeric(text[~missing]).to_numpy()
            ns, in_range, unit = _epoch_ns(values, missing)
        else:
            stamps = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
            unread = stamps.isna().to_numpy() & ~missing
            findings.add(
                unread,
                name,
                lambda i: (
                    f"{text.iloc[i]!r} is not an ISO date or time "
                    "(e.g. 2024-01-05 or 2024-01-05T14:30:00Z) nor an epoch number"
                ),
            )
            ns, in_range = _stamps_ns(stamps)
            missing = missing | unread
    far = ~in_range & ~missing
    findings.add(far, name, lambda i: f"{column.iloc[i]!r} is before 1900 or after 2200")
    return ns, in_range, unit


def _stamps_ns(stamps: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """UTC timestamps as epoch ns, and which are within 1900–2200 (NaT is not)."""
    naive = stamps.dt.tz_localize(None)
    in_range = (
        (naive >= pd.Timestamp(EARLIEST_NS)) & (naive <= pd.Timestamp(LATEST_NS))
    ).to_numpy()
    ns = naive.where(in_range).to_numpy(dtype="datetime64[ns]").view(np.int64)
    return np.where(in_range, ns, 0), in_range


#: Epoch units by the largest magnitude that is plausible in each (up to year ~5000).
EPOCH_UNITS = (
    ("seconds", 10**9, 1e11),
    ("milliseconds", 10**6, 1e14),
    ("microseconds", 10**3, 1e17),
)


def _epoch_ns(values: np.ndarray, missing: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Epoch numbers (the non-missing rows) as ns, in the unit their magnitude suggests."""
    unit, scale = "nanoseconds", 1
    biggest = float(np.abs(values).max()) if len(values) else 0.0
    for name, factor, limit in EPOCH_UNITS:
        if biggest < limit:
            unit, scale = name, factor
            break
    approx = np.zeros(len(missing))
    approx[~missing] = values.astype(np.float64) * scale
    in_range = ~missing & (approx >= EARLIEST_NS) & (approx <= LATEST_NS)
    ns = np.zeros(len(missing), dtype=np.int64)
    if values.dtype.kind in "iu":  # exact: a float cannot hold every ms epoch times 10^6
        ns[~missing] = np.where(in_range[~missing], values, 0).astype(np.int64) * scale
    else:
        ns[~missing] = np.round(np.where(in_range[~missing], values, 0) * scale).astype(np.int64)
    return np.where(in_range, ns, 0), in_range, unit


def _check_bars(
    ts: np.ndarray,
    timed: np.ndarray,
    prices: Mapping[str, np.ndarray],
    volume: np.ndarray,
    names: Mapping[str, str],
    time_name: str,
    findings: _Findings,
) -> None:
    """Record the rows that break a price, volume or time-order rule."""
    sane = np.ones(len(ts), dtype=bool)
    for role in PRICES:
        x = prices[role]
        findings.add(np.isinf(x), names[role], lambda i, x=x: f"{_num(x[i])} is not a finite price")
        findings.add(
            np.isfinite(x) & (x <= 0),
            names[role],
            lambda i, x=x: f"price {_num(x[i])} is not positive",
        )
        sane &= np.isfinite(x) & (x > 0)
    o, h, lo, c = (prices[role] for role in PRICES)
    findings.add(
        sane & (h < lo), names["high"], lambda i: f"high {_num(h[i])} is below low {_num(lo[i])}"
    )
    sane &= h >= lo
    for role, x in (("open", o), ("close", c)):
        findings.add(
            sane & ((x < lo) | (x > h)),
            names[role],
            lambda i, x=x, role=role: (
                f"{role} {_num(x[i])} is outside [low {_num(lo[i])}, high {_num(h[i])}]"
            ),
        )
    findings.add(volume < 0, names["volume"], lambda i: f"volume {_num(volume[i])} is negative")
    findings.add(np.isinf(volume), names["volume"], lambda i: "volume is not finite")
    _check_order(ts, timed, time_name, findings)


def _check_order(ts: np.ndarray, timed: np.ndarray, name: str, findings: _Findings) -> None:
    """Record repeated times and times earlier than the row before (rows are never sorted)."""
    at = np.flatnonzero(timed)
    if len(at) < 2:
        return
    step = np.diff(ts[at])
    rows = findings.rows
    if (step < 0).all():
        first, last = at[0], at[-1]
        newest_first = np.zeros(len(ts), dtype=bool)
        newest_first[first] = True  # one problem for the whole file, at its first row
        findings.add(
            newest_first,
            name,
            lambda _: (
                f"rows are newest first (row {rows[first]} {_when(ts[first])}, row "
                f"{rows[last]} {_when(ts[last])}); the file must be oldest first"
            ),
        )
        return
    before = np.zeros(len(ts), dtype=np.int64)
    before[at[1:]] = at[:-1]
    same = np.zeros(len(ts), dtype=bool)
    same[at[1:][step == 0]] = True
    earlier = np.zeros(len(ts), dtype=bool)
    earlier[at[1:][step < 0]] = True
    findings.add(same, name, lambda i: f"same time as row {rows[before[i]]} ({_when(ts[i])})")
    findings.add(
        earlier,
        name,
        lambda i: (
            f"{_when(ts[i])} is earlier than row {rows[before[i]]}'s "
            f"{_when(ts[before[i]])}; rows must be oldest first"
        ),
    )


# --- Histories that libraries ship -------------------------------------------------------------


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
