"""All tables; importing this registers every model on ``Base.metadata`` (one module per area)."""

from tradewire.storage.models.base import Base
from tradewire.storage.models.signals import AlertRow, SignalRow
from tradewire.storage.models.tape import ScraperConfigRow, TapeTradeRow

__all__ = ["AlertRow", "Base", "ScraperConfigRow", "SignalRow", "TapeTradeRow"]
