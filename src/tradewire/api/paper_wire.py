"""Paper trading as JSON, for the API and the owner's WebSocket messages alike.

Money, prices and quantities are strings in plain notation (``"0.00000001"``, never ``1E-8``),
exactly as the venue holds them; times are ISO 8601 UTC. Names are camelCase, as the seed's.
"""

from __future__ import annotations

from decimal import Decimal

from tradewire.core.clock import iso_utc
from tradewire.trading.brackets import Bracket
from tradewire.trading.events import SignalHandled
from tradewire.trading.model import Balance, Fill, Order, Position
from tradewire.trading.stats import AccountStats


def money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _time(ns: int) -> str | None:
    return iso_utc(ns) if ns else None


def balance(b: Balance) -> dict[str, object]:
    return {
        "currency": b.currency,
        "cash": money(b.cash),
        "unrealisedPnl": money(b.unrealised_pnl),
        "equity": money(b.equity),
        "marginUsed": money(b.margin_used),
        "available": money(b.available),
    }


def position(p: Position, bracket: Bracket | None = None) -> dict[str, object]:
    """A position; an open one marked, with the stop and take-profits still guarding it."""
    wire: dict[str, object] = {
        "id": p.id,
        "symbol": p.symbol,
        "side": p.side.value,
        "status": "open" if p.is_open else "closed",
        "qty": money(p.qty),
        "avgEntry": money(p.avg_entry),
        "mark": money(p.mark),
        "multiplier": money(p.multiplier),
        "currency": p.currency,
        "realisedPnl": money(p.realised_pnl),
        "fees": money(p.fees),
        "openedAt": _time(p.ts_opened),
        "closedAt": _time(p.ts_closed),
    }
    if p.is_open:
        wire["notional"] = money(p.notional)
        wire["unrealisedPnl"] = money(p.unrealised_pnl)
        plan = bracket.plan if bracket else None
        wire["stop"] = money(bracket.stop) if bracket else None
        wire["stopReason"] = bracket.stop_reason.value if bracket and bracket.stop else None
        wire["takeProfits"] = (
            [money(plan.take_profits[t]) for t in bracket.targets] if bracket and plan else []
        )
    return wire


def fill(f: Fill) -> dict[str, object]:
    return {
        "id": f.id,
        "orderId": f.order_id,
        "clientOrderId": f.client_order_id,
        "positionId": f.position_id,
        "symbol": f.symbol,
        "side": f.side.value,
        "qty": money(f.qty),
        "price": money(f.price),
        "fee": money(f.fee),
        "feeCurrency": f.fee_currency,
        "liquidity": f.liquidity.value,
        "realisedPnl": money(f.realised_pnl),
        "ts": iso_utc(f.ts_event),
    }


def order(o: Order) -> dict[str, object]:
    return {
        "id": o.id,
        "clientOrderId": o.client_order_id,
        "symbol": o.symbol,
        "side": o.side.value,
        "type": o.type.value,
        "qty": money(o.qty),
        "filledQty": money(o.filled_qty),
        "avgFillPrice": money(o.avg_fill_price),
        "price": money(o.price),
        "triggerPrice": money(o.trigger_price),
        "reduceOnly": o.reduce_only,
        "status": o.status.value,
        "statusReason": o.status_reason,
        "reason": o.reason,
    }


def signal_handled(h: SignalHandled) -> dict[str, object]:
    return {
        "signalId": h.signal_id,
        "symbol": h.symbol,
        "action": h.action.value,
        "reason": h.reason,
        "clientOrderIds": list(h.client_order_ids),
        "ts": iso_utc(h.ts_event),
    }


def stats(s: AccountStats) -> dict[str, object]:
    """One currency's statistics; ratios are null where they divide by zero."""
    return {
        "currency": s.currency,
        "trades": s.trades,
        "wins": s.wins,
        "losses": s.losses,
        "winRatePercent": money(s.win_rate_percent),
        "averageWin": money(s.average_win),
        "averageLoss": money(s.average_loss),
        "expectancy": money(s.expectancy),
        "profitFactor": money(s.profit_factor),
        "maxDrawdown": money(s.max_drawdown),
        "maxDrawdownPercent": money(s.max_drawdown_percent),
        "totalFees": money(s.total_fees),
        "netPnl": money(s.net_pnl),
        "equity": [{"ts": iso_utc(p.ts), "equity": money(p.equity)} for p in s.equity],
    }
