"""Price feeds: the price service, which keeps the latest price of every symbol and publishes
each new one as a :class:`~tradewire.core.prices.PriceTick`, and the feeds that give it prices
(tape prints, collector quotes, posted prices, the replay walk; ccxt's in
:mod:`tradewire.marketdata.adapters.ccxt_feed`)."""

from tradewire.marketdata.feeds.service import Emit, PriceFeed, PriceService

__all__ = ["Emit", "PriceFeed", "PriceService"]
