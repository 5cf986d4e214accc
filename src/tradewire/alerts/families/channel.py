"""Signal-channel layouts of Telegram and Cornix (format ``channel``).

One fact per line, in any order, with decoration (emoji, hashtags, bold markers) ignored::

    ⚡️⚡️ #BTC/USDT ⚡️⚡️             LONG BNBUSDT
    Signal Type: Regular (Long)        Entry: 300 - 305
    Leverage: Cross (20.0X)            Targets: 1) 310 2) 320
    Entry Targets:                     Stop: 290
    1) 26500
    2) 26000
    Take-Profit Targets:
    1) 27000
    Stop Targets:
    1) 25000

The pair is a token with a ``/`` or a known quote currency; the side is the word long or short
(buy/sell on the pair's line), or, as Cornix does, follows from the stop and take-profits
around the entries. ``100-200`` is two entries. Labels: entry (``Entry``, ``Entries``,
``Entry Zone``, ``Buy``, ``Buy Zone``), take-profit (``Targets``, ``Take-Profit``, ``TP1``,
``Target 1``, ``Sell``), stop (``Stop``, ``Stop Loss``, ``SL``); ``Leverage``, ``Exchange``,
``Margin`` and ``Signal Type`` lines are informational. A line with a number that is none of
these rejects the alert. A take-profit report (``TP1 hit``, ``Target 2 ✅``) is a partial exit
when it names the pair and the price reached, and otherwise a status update, not a signal.
"""

from __future__ import annotations

import re

from tradewire.alerts.intent import Resolution, from_words
from tradewire.alerts.model import ParsedAlert, build_parsed
from tradewire.alerts.registry import TextFamily
from tradewire.alerts.symbols import QUOTE_CURRENCIES
from tradewire.alerts.text import NUMBER
from tradewire.core.errors import ValidationError
from tradewire.core.events import Direction, Intent, Side

# The number of a numbered label (``Target 1:``, ``TP2 (+5%):``), not a price after it.
_NTH = r"(?:\s?\d{1,2}(?=\s*[:).(]))?"
_LABELS: tuple[tuple[str, str], ...] = (
    (
        "entry",
        r"entry\s+(?:zone|targets?|price|point)|entries|entry|buy\s+(?:zone|price|targets?)"
        r"|buy(?=\s*[:=\d])|enter(?=\s*[:=\d])",
    ),
    (
        "tp",
        rf"take[\s-]*profits?(?:\s+targets?)?{_NTH}|targets?{_NTH}|tp{_NTH}"
        r"|sell(?=\s*[:=\d])",
    ),
    ("sl", r"stop[\s-]*loss|stop(?:\s+targets?)?|sl"),
    ("side", r"direction|side|position|trade\s+type|signal\s+type|type"),
    ("pair", r"pair|coin|symbol|asset"),
    ("info", r"leverage|lev|exchanges?|margin(?:\s+mode)?|amount|risk|timeframe|time\s*frame"),
)
_LABEL = re.compile(
    r"^[^\w#]*(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern in _LABELS) + r")\b"
    r"[^\w\d$#-]*[:=\-–]?\s*",
    re.IGNORECASE,
)
_ENUMERATED = re.compile(r"(?:(?<=\s)|^)\d{1,2}\s*[).]\s+|(?:(?<=\s)|^)\d{1,2}\s*[)]")
_ANNOTATIONS = re.compile(
    rf"\(?\s*[+-]?(?:{NUMBER})\s*(?:%|x\b)\s*\)?|\$|\bcross\b|\bisolated\b", re.IGNORECASE
)
_TIMEFRAME = re.compile(r"\b\d{1,3}\s*(?:m|h|d|w|min|hours?|days?)\b", re.IGNORECASE)
_RANGE = re.compile(r"(\d)\s*[-–~]\s*(?=\d)")
_NUMBERS = re.compile(NUMBER, re.IGNORECASE)
_TOKEN = re.compile(r"#?([A-Za-z0-9]{2,20}(?:[/_-][A-Za-z0-9]{2,10})?(?:\.P)?)")
_SIDES = re.compile(r"\b(long|short|buy|sell)\b", re.IGNORECASE)
_REPORT = re.compile(
    r"\b(?:tp\s*\d*|targets?\s*\d*|take[\s-]*profit(?:\s+target)?\s*\d*)\b"
    r".*?(?:✅|\bhit\b|\breached\b|\bachieved\b|\bdone\b)",
    re.IGNORECASE | re.DOTALL,
)
_SETUP = re.compile(r"^[^\w\n]*(?:entry|entries|buy\s+zone|stop)\b", re.IGNORECASE | re.MULTILINE)
_REPORT_LINE = re.compile(
    rf"[^\w#]*#?(?P<pair>[\w/:.!-]+)\s+(?:(?:long|short)\s+)?"
    r"(?:tp\s?\d{0,2}|target\s?\d{1,2}|take[\s-]*profit(?:\s+target)?\s?\d{0,2})\s+"
    rf"(?:hit|reached|achieved|done)(?:\s*(?:at|@)\s*\$?(?P<price>{NUMBER}))?[\s✅!.]*",
    re.IGNORECASE,
)


def parse_channel(body: str) -> ParsedAlert:
    """Parse a channel signal or raise ValidationError with the reason."""
    if _REPORT.search(body) and not _SETUP.search(body):
        return _report(body)
    found: dict[str, list[str]] = {"entry": [], "tp": [], "sl": []}
    pair: str | None = None
    side_words: list[str] = []
    last: str | None = None
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        label = _LABEL.match(line)
        if label and label.lastgroup:
            last = label.lastgroup
            rest = line[label.end() :]
            if last in found:
                found[last] += _numbers_of(rest, line)
            elif last == "side":
                side_words += _SIDES.findall(rest)
            elif last == "pair":
                pair = pair or _pair_in(rest)
            elif last == "info":
                side_words += [w for w in _SIDES.findall(rest) if w.lower() in ("long", "short")]
                if re.search(r"\d", _TIMEFRAME.sub(" ", _ANNOTATIONS.sub(" ", rest))):
                    raise ValidationError(f"unrecognised numbers in signal line: {line[:60]!r}")
            continue
        if last in found and _ENUMERATED.match(line):
            found[last] += _numbers_of(line, line)
            continue
        token = _pair_in(line)
        if token and pair is None:
            pair = token
            side_words += _SIDES.findall(line)
            last = None
            continue
        if re.search(r"\d", _without_pair(line, pair)):
            raise ValidationError(f"unrecognised line in signal: {line[:60]!r}")
    if pair is None:
        raise ValidationError("signal names no pair (e.g. BTC/USDT)")
    said = from_words(body)
    if said is not None and said.intent.is_exit:
        if any(found.values()):
            # ``Close BTCUSDT long`` with a target: an exit is never read as an entry.
            raise ValidationError("signal says to exit but also gives entry, target or stop levels")
        return _exit(pair, said, side_words)
    if not any(found.values()):
        raise ValidationError("signal gives no entry, take-profit or stop")
    entries = [float(n) for n in found["entry"]]
    stops = found["sl"]
    if len(stops) > 1:
        raise ValidationError(f"signal gives {len(stops)} stops: {', '.join(stops)}")
    side = _side(side_words, entries, [float(n) for n in found["tp"]], stops)
    return build_parsed(
        symbol=pair,
        direction=Direction.LONG if side is Side.LONG else Direction.SHORT,
        format=FAMILY.name,
        intent=Intent.OPEN,
        side=side,
        entries=entries,
        take_profit=found["tp"],
        stop_loss=stops[0] if stops else None,
    )


def _numbers_of(text: str, line: str) -> list[str]:
    cleaned = _ENUMERATED.sub(" ", _ANNOTATIONS.sub(" ", text))
    cleaned = _RANGE.sub(r"\1 ", cleaned)
    numbers = [n.replace(",", "") for n in _NUMBERS.findall(cleaned)]
    leftover = _NUMBERS.sub(" ", cleaned)
    if re.search(r"\d", leftover):
        raise ValidationError(f"unrecognised numbers in signal line: {line[:60]!r}")
    return numbers


def _pair_in(text: str) -> str | None:
    for match in _TOKEN.finditer(text):
        token = match.group(1).upper()
        base = token.removesuffix(".P")
        if any(sep in base for sep in "/_-"):
            return token
        if any(base.endswith(q) and len(base) > len(q) + 1 for q in QUOTE_CURRENCIES):
            return token
    return None


def _without_pair(line: str, pair: str | None) -> str:
    return line.upper().replace(pair, " ") if pair else line


def _side(words: list[str], entries: list[float], tps: list[float], stops: list[str]) -> Side:
    named = _named_side(words)
    if named is not None:
        return named
    # As Cornix does: the stop below the entries (or targets above them) makes it a long.
    reference = min(entries) if entries else None
    if reference is not None and stops:
        return Side.LONG if float(stops[0]) < reference else Side.SHORT
    if reference is not None and tps:
        return Side.LONG if tps[0] > reference else Side.SHORT
    raise ValidationError("signal does not say long or short, and its prices do not tell")


def _report(body: str) -> ParsedAlert:
    """A take-profit report: a partial exit at the price reached, or a status update."""
    match = _REPORT_LINE.fullmatch(body.strip())
    pair = _pair_in(match["pair"]) if match else None
    if match is None or pair is None or match["price"] is None:
        raise ValidationError(
            "a take-profit report without the pair and the price reached is a status update,"
            " not a trade signal"
        )
    return build_parsed(
        symbol=pair,
        direction=Direction.CLOSE,
        format=FAMILY.name,
        intent=Intent.REDUCE,
        side=_named_side(_SIDES.findall(body)),
        entries=[match["price"].replace(",", "")],
    )


def _exit(pair: str, said: Resolution, side_words: list[str]) -> ParsedAlert:
    """A message with a pair and no levels whose words say to exit (``Close BTCUSDT long``)."""
    return build_parsed(
        symbol=pair,
        direction=Direction.CLOSE,
        format=FAMILY.name,
        intent=said.intent,
        side=said.side or _named_side(side_words),
    )


def _named_side(words: list[str]) -> Side | None:
    named = {Side.LONG if w.lower() in ("long", "buy") else Side.SHORT for w in words}
    if len(named) > 1:
        raise ValidationError("signal says both long and short")
    return named.pop() if named else None


_ANY_LABEL = (
    r"entry|entries|buy\s+zone|targets?|take[\s-]*profits?|stop\s+targets?|stop[\s-]*loss"
    r"|leverage|lev|tp\s*\d+"
)
FAMILY = TextFamily(
    name="channel",
    signature=(
        rf"(?=[^\n]*\n(?:[^\n]*\n)*?[^\w\n#]*(?:{_ANY_LABEL})\b)"  # a labelled line below the first
        r"|(?=[^\w\n]*#[A-Za-z0-9])"  # a hashtag first
        r"|(?=[^\w\n]*(?:long|short|buy|sell|close|exit)\s+#?[A-Za-z0-9]+(?:/[A-Za-z0-9]+)?"
        r"(?:\s+(?:long|short))?\s*(?:\n|$))"
        r"|(?=[^\n]*\b(?:tp\s*\d*|targets?\s*\d+|take[\s-]*profit)\b.*?"
        r"(?:✅|\bhit\b|\breached\b|\bachieved\b))"
    ),
    parse=parse_channel,
)
