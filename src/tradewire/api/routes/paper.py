"""``/api/paper``: the caller's own paper account.

Every route acts for the token's user, which must be a stored user (``tradewire user add``);
any other name gets 404 with the reason. The account exists from the first signal it trades
(before that it shows the configured starting balances). Money is strings (:mod:`..paper_wire`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from tradewire.api import paper_wire
from tradewire.api.deps import PrincipalDep, ServicesDep
from tradewire.core.errors import NotFoundError, RetryableError
from tradewire.trading.desk import PaperDesk
from tradewire.trading.events import SignalHandled
from tradewire.trading.stats import account_stats
from tradewire.users.settings import UserSettings

router = APIRouter(tags=["paper trading"])


async def paper_desk(api: ServicesDep) -> PaperDesk:
    """The paper desk, or 503 while it is not running."""
    if api.paper is None:
        raise RetryableError("paper trading is not running", retry_after=5)
    return api.paper


async def stored_user(api: ServicesDep, principal: PrincipalDep) -> tuple[str, UserSettings]:
    """The caller's name and settings; 404 unless the token's user is a stored user."""
    settings = await api.users.saved_settings(principal.user)
    if settings is None:
        raise NotFoundError(
            f"{principal.user[:100]!r} is not a stored user, so it has no paper account: "
            "an admin adds it with `tradewire user add`"
        )
    return principal.user, settings


DeskDep = Annotated[PaperDesk, Depends(paper_desk)]
UserDep = Annotated[tuple[str, UserSettings], Depends(stored_user)]
PositionId = Annotated[str, Path(min_length=1, max_length=64, description="The position's id")]


@router.get("/api/paper/account", summary="The caller's paper balances")
async def account(desk: DeskDep, user: UserDep) -> dict[str, object]:
    name, settings = user
    balances = await desk.balances(name)
    return {
        "success": True,
        "account": name,
        "venue": desk.venue.name,
        "paperTradeEnabled": settings.paper_trade_enabled,
        "balances": [paper_wire.balance(b) for b in balances],
        "openPositions": len(await desk.positions(name)),
    }


@router.get("/api/paper/positions", summary="The caller's open or closed paper positions")
async def positions(
    desk: DeskDep,
    user: UserDep,
    status: Annotated[Literal["open", "closed"], Query(description="open or closed")] = "open",
) -> dict[str, object]:
    name, _ = user
    if status == "open":
        found = [
            paper_wire.position(p, desk.bracket(name, p.id)) for p in await desk.positions(name)
        ]
    else:
        found = [paper_wire.position(p) for p in await desk.closed_positions(name)]
    return {"success": True, "status": status, "positions": found}


@router.get("/api/paper/fills", summary="The caller's paper fills, oldest first")
async def fills(
    desk: DeskDep,
    user: UserDep,
    limit: Annotated[int, Query(ge=1, le=10_000, description="The latest this many")] = 1000,
) -> dict[str, object]:
    found = await desk.fills(user[0])
    return {"success": True, "fills": [paper_wire.fill(f) for f in found[-limit:]]}


@router.get("/api/paper/stats", summary="The caller's trade statistics and equity history")
async def stats(desk: DeskDep, user: UserDep) -> dict[str, object]:
    """Since the account's last reset, per currency: win rate, expectancy, profit factor, max
    drawdown and equity after every fill."""
    found = account_stats(await desk.events(user[0]))
    return {"success": True, "stats": [paper_wire.stats(s) for s in found.values()]}


@router.get("/api/paper/signals", summary="What each signal did to the caller's account")
async def signals(
    desk: DeskDep,
    user: UserDep,
    limit: Annotated[int, Query(ge=1, le=10_000, description="The latest this many")] = 100,
) -> dict[str, object]:
    handled = [e for e in await desk.events(user[0]) if isinstance(e, SignalHandled)]
    return {"success": True, "signals": [paper_wire.signal_handled(h) for h in handled[-limit:]]}


@router.post("/api/paper/positions/{position_id}/close", summary="Close a position at market")
async def close(desk: DeskDep, user: UserDep, position_id: PositionId) -> dict[str, object]:
    order = await desk.close(user[0], position_id)
    return {"success": True, "order": paper_wire.order(order)}


@router.post("/api/paper/reset", summary="Start the caller's paper account again")
async def reset(desk: DeskDep, user: UserDep) -> dict[str, object]:
    balances = await desk.reset(user[0])
    return {"success": True, "balances": [paper_wire.balance(b) for b in balances]}
