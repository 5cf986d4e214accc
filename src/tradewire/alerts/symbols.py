"""Symbol normalisation: ``BINANCE:BTCUSDT.P`` → pair ``BTC/USDT``, exchange ``BINANCE``,
contract ``perpetual``. Symbols whose quote currency is not recognisable are kept as written."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from tradewire.core.errors import ValidationError

# Longest first so USDT wins over USD and FDUSD over USD.
QUOTE_CURRENCIES: tuple[str, ...] = tuple(
    sorted(
        (
            "USDT",
            "USDC",
            "BUSD",
            "FDUSD",
            "TUSD",
            "USDP",
            "DAI",
            "USD",
            "EUR",
            "GBP",
            "JPY",
            "AUD",
            "CAD",
            "CHF",
            "NZD",
            "TRY",
            "BRL",
            "BTC",
            "ETH",
            "BNB",
            "XBT",
        ),
        key=len,
        reverse=True,
    )
)

_SYMBOL_CHARS = re.compile(r"^[A-Z0-9][A-Z0-9./_\-!]{0,39}$")
_SEPARATED = re.compile(r"^([A-Z0-9]{1,20})[/\-_]([A-Z0-9]{2,10})$")


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """A normalised symbol."""

    pair: str
    symbol: str
    exchange: str | None = None
    contract: str | None = None


@functools.lru_cache(maxsize=4096)
def normalise_symbol(raw: str) -> SymbolInfo:
    """Normalise a ticker as TradingView or a trader writes it; raise ValidationError if invalid.

    Cached: a desk's alerts name the same few symbols over and over.
    """
    text = raw.strip().upper()
    exchange: str | None = None
    if ":" in text:
        exchange, _, text = text.partition(":")
        exchange = exchange.strip() or None
        text = text.strip()
        if exchange is not None and not re.fullmatch(r"[A-Z0-9_.\-]{1,30}", exchange):
            raise ValidationError(f"invalid exchange prefix in symbol {raw!r}")
    if not _SYMBOL_CHARS.match(text):
        raise ValidationError(f"invalid symbol {raw!r}")

    contract: str | None = None
    base_text = text
    if base_text.endswith(".P"):
        contract, base_text = "perpetual", base_text[:-2]
    elif base_text.endswith(("-PERP", "_PERP")):
        contract, base_text = "perpetual", base_text[:-5]
    elif base_text.endswith("PERP") and len(base_text) > 6:
        contract, base_text = "perpetual", base_text[:-4]
    elif re.search(r"\d!$", base_text):
        contract = "continuous"

    pair = _split_pair(base_text) or base_text
    return SymbolInfo(pair=pair, symbol=text, exchange=exchange, contract=contract)


def _split_pair(text: str) -> str | None:
    match = _SEPARATED.match(text)
    if match:
        return f"{match.group(1)}/{match.group(2)}"
    for quote in QUOTE_CURRENCIES:
        if text.endswith(quote) and len(text) - len(quote) >= 2 and text[: -len(quote)].isalnum():
            return f"{text[: -len(quote)]}/{quote}"
    return None
