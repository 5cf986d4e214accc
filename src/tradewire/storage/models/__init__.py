"""All tables; importing this registers every model on ``Base.metadata`` (one module per area)."""

from tradewire.storage.models.backtests import BacktestRow
from tradewire.storage.models.base import Base
from tradewire.storage.models.health import WriteProbeRow
from tradewire.storage.models.marketdata import MarketCacheRow, WatchlistRow
from tradewire.storage.models.signals import AlertRow, SignalRow
from tradewire.storage.models.tape import ScraperConfigRow, TapeTradeRow
from tradewire.storage.models.trading import TradeEventRow
from tradewire.storage.models.users import UserRow

__all__ = [
    "AlertRow",
    "BacktestRow",
    "Base",
    "MarketCacheRow",
    "ScraperConfigRow",
    "SignalRow",
    "TapeTradeRow",
    "TradeEventRow",
    "UserRow",
    "WatchlistRow",
    "WriteProbeRow",
]
