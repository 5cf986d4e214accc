"""Encode market snapshots to JSON bytes for the cache, and decode them back into events."""

from __future__ import annotations

import orjson

from tradewire.core.events import (
    CandleSeries,
    DataSource,
    Indicators,
    Level,
    MarketSnapshot,
    Quote,
    Timeframe,
    TimeframeAnalysis,
    Trend,
)

FORMAT_VERSION = 1


def encode(snapshot: MarketSnapshot) -> bytes:
    """Return ``snapshot`` as compact JSON (candles stay column by column)."""
    q = snapshot.quote
    return orjson.dumps(
        {
            "v": FORMAT_VERSION,
            "ticker": snapshot.ticker,
            "source": snapshot.data_source.value,
            "ts": [snapshot.ts_event, snapshot.ts_init],
            "quote": [
                q.price, q.change, q.change_percent, q.open, q.high, q.low, q.prev_close,
                q.volume, q.data_source.value, q.ts_event, q.ts_init,
            ],
            "tf": [_encode_tf(t) for t in snapshot.timeframes],
        }
    )  # fmt: skip


def decode(raw: bytes, *, served_by: DataSource = DataSource.CACHE, stale: bool = False):
    """Rebuild a snapshot from :func:`encode` output; ``data_source`` becomes ``served_by``.

    Raises ValueError on bytes not written by this version.
    """
    data = orjson.loads(raw)
    if not isinstance(data, dict) or data.get("v") != FORMAT_VERSION:
        raise ValueError("unknown cache entry format")
    p, ch, cp, o, h, lo, pc, vol, src, te, ti = data["quote"]
    ticker = data["ticker"]
    quote = Quote(
        ticker=ticker, price=p, change=ch, change_percent=cp, open=o, high=h, low=lo,
        prev_close=pc, volume=vol, data_source=DataSource(src), ts_event=te, ts_init=ti,
    )  # fmt: skip
    return MarketSnapshot(
        ticker=ticker,
        quote=quote,
        timeframes=tuple(_decode_tf(ticker, t) for t in data["tf"]),
        data_source=served_by,
        stale=stale,
        ts_event=data["ts"][0],
        ts_init=data["ts"][1],
    )


def _encode_tf(analysis: TimeframeAnalysis) -> dict[str, object]:
    s, i = analysis.candles, analysis.indicators
    return {
        "tf": s.timeframe.value,
        "src": s.data_source.value,
        "ts": [s.ts_event, s.ts_init],
        "c": [s.ts, s.open, s.high, s.low, s.close, s.volume],
        "i": [
            i.rsi, i.macd, i.macd_signal, i.macd_histogram, i.obv, i.ema_fast, i.ema_mid,
            i.ema_slow, i.atr, i.trend.value, list(i.ema_periods),
        ],
        "sup": [[lv.price, lv.touches] for lv in analysis.support],
        "res": [[lv.price, lv.touches] for lv in analysis.resistance],
    }  # fmt: skip


def _decode_tf(ticker: str, data: dict) -> TimeframeAnalysis:
    ts, o, h, lo, c, v = data["c"]
    rsi, macd, sig, hist, obv, fast, mid, slow, atr, trend, periods = data["i"]
    return TimeframeAnalysis(
        candles=CandleSeries(
            ticker=ticker, timeframe=Timeframe(data["tf"]), data_source=DataSource(data["src"]),
            ts=tuple(ts), open=tuple(o), high=tuple(h), low=tuple(lo), close=tuple(c),
            volume=tuple(v), ts_event=data["ts"][0], ts_init=data["ts"][1],
        ),
        indicators=Indicators(
            rsi=rsi, macd=macd, macd_signal=sig, macd_histogram=hist, obv=obv, ema_fast=fast,
            ema_mid=mid, ema_slow=slow, atr=atr, trend=Trend(trend), ema_periods=tuple(periods),
        ),
        support=tuple(Level(price=p, touches=n) for p, n in data["sup"]),
        resistance=tuple(Level(price=p, touches=n) for p, n in data["res"]),
    )  # fmt: skip
