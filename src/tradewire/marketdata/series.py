"""Build validated candle series from a provider's columns, and derive coarser timeframes."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tradewire.core.events import CandleSeries, DataSource, Timeframe


def series_from_columns(
    *,
    ticker: str,
    timeframe: Timeframe,
    source: DataSource,
    ts: Sequence[object],
    open: Sequence[object],
    high: Sequence[object],
    low: Sequence[object],
    close: Sequence[object],
    volume: Sequence[object],
    ts_init: int,
) -> CandleSeries:
    """Return a series, oldest first, keeping only complete, sane bars.

    Raises ValueError when the columns disagree in length (a malformed answer). Bars with a
    missing or non-positive price, or a high below the low, are dropped: providers pad
    holidays and halts with nulls. Duplicate timestamps keep the last bar.
    """
    columns = (ts, open, high, low, close, volume)
    if len({len(c) for c in columns}) != 1:
        raise ValueError("candle columns differ in length")
    bars: dict[int, tuple[float, float, float, float, float]] = {}
    for t, o, h, lo, c, v in zip(*columns, strict=True):
        bar = _bar(t, o, h, lo, c, v)
        if bar is not None:
            bars[bar[0]] = bar[1:]
    ordered = sorted(bars.items())
    last_ts = ordered[-1][0] if ordered else 0
    return CandleSeries(
        ticker=ticker,
        timeframe=timeframe,
        data_source=source,
        ts=tuple(t for t, _ in ordered),
        open=tuple(b[0] for _, b in ordered),
        high=tuple(b[1] for _, b in ordered),
        low=tuple(b[2] for _, b in ordered),
        close=tuple(b[3] for _, b in ordered),
        volume=tuple(b[4] for _, b in ordered),
        ts_event=last_ts * 1_000_000_000,
        ts_init=ts_init,
    )


def resample(series: CandleSeries, timeframe: Timeframe) -> CandleSeries:
    """Aggregate ``series`` into ``timeframe`` buckets aligned to the epoch (e.g. 1h → 4h)."""
    if timeframe.seconds <= series.timeframe.seconds:
        raise ValueError(f"cannot resample {series.timeframe} into {timeframe}")
    step = timeframe.seconds
    ts: list[int] = []
    o: list[float] = []
    h: list[float] = []
    lo: list[float] = []
    c: list[float] = []
    v: list[float] = []
    for t, bo, bh, bl, bc, bv in zip(
        series.ts, series.open, series.high, series.low, series.close, series.volume, strict=True
    ):
        bucket = t - t % step
        if ts and ts[-1] == bucket:
            h[-1] = max(h[-1], bh)
            lo[-1] = min(lo[-1], bl)
            c[-1] = bc
            v[-1] += bv
        else:
            ts.append(bucket)
            o.append(bo)
            h.append(bh)
            lo.append(bl)
            c.append(bc)
            v.append(bv)
    return CandleSeries(
        ticker=series.ticker,
        timeframe=timeframe,
        data_source=series.data_source,
        ts=tuple(ts),
        open=tuple(o),
        high=tuple(h),
        low=tuple(lo),
        close=tuple(c),
        volume=tuple(v),
        ts_event=series.ts_event,
        ts_init=series.ts_init,
    )


def _bar(t, o, h, lo, c, v) -> tuple[int, float, float, float, float, float] | None:
    values = (o, h, lo, c)
    if not isinstance(t, int | float) or isinstance(t, bool):
        return None
    if not all(isinstance(x, int | float) and math.isfinite(x) and x > 0 for x in values):
        return None
    if h < lo:
        return None
    volume = float(v) if isinstance(v, int | float) and math.isfinite(v) and v >= 0 else 0.0
    return int(t), float(o), float(h), float(lo), float(c), volume
