"""Row checks of bar data: every broken rule is counted and the first few are worded with
their row and column, so a refused file says exactly what to fix."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

PRICES = ("open", "high", "low", "close")

#: Row problems spelled out in an error; the rest are counted.
MAX_LISTED = 5

#: Times outside these years are refused: they are misread epochs or typos, not history.
EARLIEST_NS = pd.Timestamp("1900-01-01").value
LATEST_NS = pd.Timestamp("2200-01-01").value


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: the 1-based data row, the column and what is wrong."""

    row: int
    column: str
    what: str


class Findings:
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


def parse_numbers(column: pd.Series, name: str, findings: Findings) -> np.ndarray:
    """Return a column as floats (NaN where missing or unreadable, each recorded)."""
    missing = column.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    findings.add(missing, name, lambda _: "missing value")
    findings.add(np.isnan(values) & ~missing, name, lambda i: f"{column.iloc[i]!r} is not a number")
    return values


def parse_times(
    column: pd.Series, name: str, findings: Findings
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


def check_bars(
    ts: np.ndarray,
    timed: np.ndarray,
    prices: Mapping[str, np.ndarray],
    volume: np.ndarray,
    names: Mapping[str, str],
    time_name: str,
    findings: Findings,
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


def _check_order(ts: np.ndarray, timed: np.ndarray, name: str, findings: Findings) -> None:
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
