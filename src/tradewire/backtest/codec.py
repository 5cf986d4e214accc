"""A backtest result as a JSON-able dict and back, exactly.

Decimals are strings (their exact digits), sides their names, tuples lists; floats stay floats
(JSON writes their shortest repr, which reads back to the same float). A strategy parameter is
a JSON value (string, number, true/false, null, or a list or object of those) or a Decimal,
written as ``{"decimal": "1.5"}`` so that it reads back a Decimal. ``version`` says which layout
a stored result has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from tradewire.backtest.model import BacktestResult, Metrics, RunSettings, TradeRecord
from tradewire.core.errors import ValidationError
from tradewire.core.events import Side

VERSION = 1
_DECIMAL_TAG = "decimal"
T = TypeVar("T")

_METRIC_MONEY = ("start_equity", "final_equity", "net_pnl", "fees", "max_drawdown")
_TRADE_MONEY = ("qty", "entry_price", "exit_price", "pnl", "fees")


def to_dict(result: BacktestResult) -> dict[str, Any]:
    """Return ``result`` as a dict of JSON values (ValidationError for a parameter that is not
    one)."""
    settings = result.settings
    return {
        "version": VERSION,
        "id": result.id,
        "created_ns": result.created_ns,
        "settings": {
            "strategy": settings.strategy,
            "params": {str(k): _param(k, v) for k, v in settings.params.items()},
            "symbols": list(settings.symbols),
            "start_ns": settings.start_ns,
            "end_ns": settings.end_ns,
            "cash": str(settings.cash),
            "currency": settings.currency,
            "fee_bps": str(settings.fee_bps),
            "slippage": settings.slippage,
            "source": settings.source,
        },
        "metrics": _metrics(result.metrics),
        "trades": [_trade(t) for t in result.trades],
        "equity_ts": list(result.equity_ts),
        "equity": [str(value) for value in result.equity],
        "bars": result.bars,
        "elapsed_s": result.elapsed_s,
        "notes": list(result.notes),
    }


def from_dict(data: Mapping[str, Any]) -> BacktestResult:
    """Return the result ``data`` holds (ValidationError naming what is missing or wrong)."""
    try:
        return _result(data)
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as exc:
        what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__
        raise ValidationError(f"not a stored backtest result: {what}") from exc


def _result(data: Mapping[str, Any]) -> BacktestResult:
    if data["version"] != VERSION:
        raise ValueError(f"layout version {data['version']!r} is not {VERSION}")
    s, m = data["settings"], data["metrics"]
    settings = RunSettings(
        strategy=_str(s["strategy"]),
        params={_str(k): _unparam(v) for k, v in s["params"].items()},
        symbols=tuple(map(_str, s["symbols"])),
        start_ns=_int(s["start_ns"]),
        end_ns=_int(s["end_ns"]),
        cash=_dec(s["cash"]),
        currency=_str(s["currency"]),
        fee_bps=_dec(s["fee_bps"]),
        slippage=_str(s["slippage"]),
        source=_str(s["source"]),
    )
    metrics = Metrics(
        **{k: _dec(m[k]) for k in _METRIC_MONEY},
        return_pct=_float(m["return_pct"]),
        trades=_int(m["trades"]),
        wins=_int(m["wins"]),
        losses=_int(m["losses"]),
        win_rate=_opt(_float, m["win_rate"]),
        expectancy=_opt(_dec, m["expectancy"]),
        profit_factor=_opt(_float, m["profit_factor"]),
        sharpe=_opt(_float, m["sharpe"]),
        max_drawdown_pct=_float(m["max_drawdown_pct"]),
        exposure_pct=_float(m["exposure_pct"]),
        buy_and_hold_pct=_opt(_float, m["buy_and_hold_pct"]),
    )
    equity_ts, equity = tuple(map(_int, data["equity_ts"])), tuple(map(_dec, data["equity"]))
    if len(equity_ts) != len(equity):
        raise ValueError("the equity curve's times and values differ in length")
    return BacktestResult(
        id=_str(data["id"]),
        created_ns=_int(data["created_ns"]),
        settings=settings,
        metrics=metrics,
        trades=tuple(_untrade(t) for t in data["trades"]),
        equity_ts=equity_ts,
        equity=equity,
        bars=_int(data["bars"]),
        elapsed_s=_float(data["elapsed_s"]),
        notes=tuple(map(_str, data["notes"])),
    )


def _metrics(m: Metrics) -> dict[str, Any]:
    return {
        **{k: str(getattr(m, k)) for k in _METRIC_MONEY},
        "return_pct": m.return_pct,
        "trades": m.trades,
        "wins": m.wins,
        "losses": m.losses,
        "win_rate": m.win_rate,
        "expectancy": None if m.expectancy is None else str(m.expectancy),
        "profit_factor": m.profit_factor,
        "sharpe": m.sharpe,
        "max_drawdown_pct": m.max_drawdown_pct,
        "exposure_pct": m.exposure_pct,
        "buy_and_hold_pct": m.buy_and_hold_pct,
    }


def _trade(t: TradeRecord) -> dict[str, Any]:
    return {
        "symbol": t.symbol,
        "side": t.side.value,
        **{k: str(getattr(t, k)) for k in _TRADE_MONEY},
        "entry_bar": t.entry_bar,
        "entry_ts": t.entry_ts,
        "exit_bar": t.exit_bar,
        "exit_ts": t.exit_ts,
        "exit_reason": t.exit_reason,
        "score": t.score,
        "reached_target": t.reached_target,
    }


def _untrade(t: Mapping[str, Any]) -> TradeRecord:
    return TradeRecord(
        symbol=_str(t["symbol"]),
        side=Side(t["side"]),
        **{k: _dec(t[k]) for k in _TRADE_MONEY},
        entry_bar=_int(t["entry_bar"]),
        entry_ts=_int(t["entry_ts"]),
        exit_bar=_int(t["exit_bar"]),
        exit_ts=_int(t["exit_ts"]),
        exit_reason=_str(t["exit_reason"]),
        score=_opt(_float, t["score"]),
        reached_target=_opt(_bool, t["reached_target"]),
    )


def _param(name: object, value: object) -> object:
    if isinstance(value, Decimal):
        return {_DECIMAL_TAG: str(value)}
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_param(name, v) for v in value]
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        if set(value) == {_DECIMAL_TAG}:
            raise ValidationError(f"parameter {name!r}: an object of only {_DECIMAL_TAG!r}")
        return {k: _param(name, v) for k, v in value.items()}
    raise ValidationError(f"parameter {name!r} is a {type(value).__name__}, not a JSON value")


def _unparam(value: object) -> object:
    if isinstance(value, list):
        return [_unparam(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {_DECIMAL_TAG}:
            return _dec(value[_DECIMAL_TAG])
        return {_str(k): _unparam(v) for k, v in value.items()}
    return value


def _checked(kind: type[T], name: str) -> Callable[[object], T]:
    def check(value: object) -> T:
        # bool is an int to Python, but never a count or a time here.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"{value!r} is not {name}")
        return value

    return check


_str = _checked(str, "a string")
_int = _checked(int, "an integer")
_bool = _checked(bool, "true or false")


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a number")
    return float(value)


def _dec(value: object) -> Decimal:
    result = Decimal(_str(value))
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite amount")
    return result


def _opt(convert: Callable[[object], T], value: object) -> T | None:
    return None if value is None else convert(value)
