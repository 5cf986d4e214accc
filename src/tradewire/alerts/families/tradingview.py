"""TradingView's default strategy alert message (format ``tradingview-strategy``).

``<strategy>: order {{strategy.order.action}} @ {{strategy.order.contracts}} filled on
{{ticker}}. New strategy position is {{strategy.position_size}}``, as text or wrapped in
``{"message": …}``. The ``@`` is followed by the number of contracts, not a price, and the new
position size (signed: negative is short) says whether the fill opened, added to, reduced,
closed or reversed the position.
"""

from __future__ import annotations

import re

from tradewire.alerts.intent import from_new_size, parse_action
from tradewire.alerts.model import ParsedAlert, build_parsed
from tradewire.alerts.numbers import parse_number, parse_positive
from tradewire.alerts.registry import TextFamily
from tradewire.alerts.text import NUMBER
from tradewire.core.errors import ValidationError

_MESSAGE = re.compile(
    rf"(?:(?P<strategy>.*?)\s*:\s*)?order\s+(?P<action>buy|sell)\s+@\s*(?P<contracts>{NUMBER})"
    rf"\s+filled\s+on\s+(?P<ticker>\S+?)\.\s+new\s+strategy\s+position\s+is\s+"
    rf"(?P<size>{NUMBER})\s*\.?",
    re.IGNORECASE | re.DOTALL,
)


def parse_strategy_message(body: str) -> ParsedAlert:
    """Parse TradingView's default strategy message or raise ValidationError."""
    match = _MESSAGE.fullmatch(body.strip())
    if match is None:
        raise ValidationError(
            "TradingView strategy message not understood: expected '<strategy>: order buy|sell"
            " @ <contracts> filled on <ticker>. New strategy position is <size>'"
        )
    direction, _ = parse_action(match["action"])
    contracts = parse_positive(match["contracts"].replace(",", ""), "contracts")
    new_size = parse_number(match["size"].replace(",", ""), "new strategy position")
    order = direction.order_side
    assert order is not None  # buy or sell, by the pattern
    resolution = from_new_size(order, contracts, new_size)
    return build_parsed(
        symbol=match["ticker"],
        direction=direction,
        format=FAMILY.name,
        intent=resolution.intent,
        side=resolution.side,
        qty=contracts,
        strategy=(match["strategy"] or "").strip() or None,
    )


FAMILY = TextFamily(
    name="tradingview-strategy",
    signature=r"(?=[^\n]*?\border\s+(?:buy|sell)\s+@\s*\S+\s+filled\s+on\s)",
    parse=parse_strategy_message,
)
