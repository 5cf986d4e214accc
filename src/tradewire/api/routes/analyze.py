"""``GET /api/analyze/{ticker}``: the decision engine's call, levels and size for one ticker.

The seed's shape (``ticker``, ``probability_score``, ``signal``, ``data_source``,
``component_scores``, ``levels``, ``position_sizing``) plus what the seed never said (see
:func:`~tradewire.analysis.wire.analysis_to_wire`) and ``account``: the size is for the caller's
paper account (``paper:<user>``: their risk and notional percentages, their USD equity, its
available balance as buying power) when the caller is a stored user, else for the default
account (``default``: 10,000 USD, 2 % risk, at most 10 % of it in one position).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tradewire.analysis.sizing import AccountView
from tradewire.analysis.wire import analysis_to_wire
from tradewire.api.auth import Principal
from tradewire.api.deps import PrincipalDep, ServicesDep
from tradewire.api.services import ApiServices
from tradewire.core.errors import RetryableError
from tradewire.marketdata.decisions import AnalysisService, paper_account_view
from tradewire.marketdata.watchlist import validate_ticker

router = APIRouter(tags=["analysis"])


async def analysis_service(api: ServicesDep) -> AnalysisService:
    """The analysis service, or 503 when no market data source is configured."""
    if api.analysis is None:
        raise RetryableError("analysis unavailable: no usable market data source is configured")
    return api.analysis


AnalysisDep = Annotated[AnalysisService, Depends(analysis_service)]


@router.get("/api/analyze/{ticker}", summary="Decision engine output for one ticker")
async def analyze(
    ticker: str,
    service: AnalysisDep,
    api: ServicesDep,
    principal: PrincipalDep,
    stale: Annotated[
        bool, Query(description="Analyse an expired cache entry if the sources fail")
    ] = False,
) -> dict[str, object]:
    symbol = validate_ticker(ticker)
    account, label = await sizing_account(api, principal)
    analysis = await service.analyze(symbol, account, allow_stale=stale)
    return {**analysis_to_wire(analysis), "account": label}


async def sizing_account(api: ApiServices, principal: Principal) -> tuple[AccountView, str]:
    """The account to size for and how the answer names it: the caller's paper account when
    the caller is a stored user whose paper account holds USD, else the default one."""
    settings = await api.users.saved_settings(principal.user)
    if settings is None or api.paper is None:
        return AccountView(), "default"
    view = paper_account_view(settings, await api.paper.balances(principal.user))
    if view is None:
        return AccountView(), "default"
    return view, f"paper:{principal.user}"
