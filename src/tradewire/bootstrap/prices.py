"""Compose the price service and its feeds from Settings."""

from __future__ import annotations

from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock
from tradewire.marketdata.adapters.ccxt_feed import CcxtFeed, open_exchange
from tradewire.marketdata.feeds import PriceFeed, PriceService
from tradewire.marketdata.feeds.replay import ReplayFeed
from tradewire.settings import Settings


def build_prices(settings: Settings, *, bus: MessageBus, clock: Clock) -> PriceService:
    """The price service (not started): it follows the tape and the collector once started,
    and runs the replay and ccxt feeds where the settings turn them on."""
    config = settings.prices
    feeds: list[PriceFeed] = []
    if config.replay.symbols:
        feeds.append(
            ReplayFeed(
                config.replay.symbols,
                clock,
                pace_s=config.replay.pace_s,
                step_bps=config.replay.step_bps,
            )
        )
    ccxt = config.ccxt
    if ccxt.enabled:
        exchange = open_exchange(
            ccxt.exchange, stream=ccxt.stream, timeout_s=ccxt.timeout_s, urls=ccxt.urls
        )
        feeds.append(
            CcxtFeed(
                exchange,
                ccxt.exchange_symbols(),
                clock,
                channel=ccxt.channel,
                poll_interval_s=ccxt.poll_interval_s,
                reconnect_min_s=ccxt.reconnect_min_s,
                reconnect_max_s=ccxt.reconnect_max_s,
            )
        )
    return PriceService(bus, clock, max_symbols=config.max_symbols, feeds=feeds)
