"""The roll calendar: TradingView's continuous futures (``NQ1!``) as the contract the tape carries.

The rule, for CME's equity index futures (E-mini and Micro E-mini S&P 500, Nasdaq-100, Dow,
Russell 2000, S&P MidCap 400): contracts run quarterly, March, June, September and December
(month codes H, M, U, Z), and expire on the third Friday of their month. The front month rolls
to the next quarter on the second Thursday before expiry — eight days before it, the roll date
CME publishes and where the volume moves. On and after the roll date (the calendar date in
Chicago), ``NQ1!`` means the next quarter's contract. ``NQ2!`` is the contract after ``NQ1!``.

Contracts are written as the tape writes them (Tradovate): root, month code and the last digit
of the year — ``NQZ5`` is December 2025. Examples: on 2025-12-10 ``NQ1!`` is ``NQZ5``; on
2025-12-11 (the roll, expiry 2025-12-19) and on 2025-12-31 it is ``NQH6``; on 2026-03-12 it
becomes ``NQM6``. Other continuous symbols (``CL1!``, ``GC1!``: other cycles) and every other
symbol are returned unchanged.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

#: Roots on the quarterly equity index cycle.
EQUITY_INDEX_ROOTS = frozenset({"ES", "NQ", "YM", "RTY", "EMD", "MES", "MNQ", "MYM", "M2K"})
#: Contract months and their codes.
QUARTERLY = ((3, "H"), (6, "M"), (9, "U"), (12, "Z"))
#: Days from the roll date to expiry (the second Thursday before the third Friday).
ROLL_DAYS_BEFORE_EXPIRY = 8
EXCHANGE_ZONE = ZoneInfo("America/Chicago")

_CONTINUOUS = re.compile(r"^([A-Z0-9]{1,4})([12])!$")


def third_friday(year: int, month: int) -> date:
    """The third Friday of ``month``: equity index futures expire on it."""
    first = date(year, month, 1)
    first_friday = first + timedelta(days=(4 - first.weekday()) % 7)
    return first_friday + timedelta(weeks=2)


def roll_date(year: int, month: int) -> date:
    """The day the contract of ``month`` stops being the front month."""
    return third_friday(year, month) - timedelta(days=ROLL_DAYS_BEFORE_EXPIRY)


def front_contract(root: str, day: date, ahead: int = 0) -> str:
    """The front-month contract of ``root`` on ``day`` (``ahead`` quarters later), e.g. ``NQZ5``."""
    year, index = day.year, next(i for i, (month, _) in enumerate(QUARTERLY) if month >= day.month)
    if day >= roll_date(year, QUARTERLY[index][0]):
        index += 1
    index += ahead
    year += index // len(QUARTERLY)
    code = QUARTERLY[index % len(QUARTERLY)][1]
    return f"{root}{code}{year % 10}"


def resolve(symbol: str, at: datetime) -> str:
    """The symbol a feed prices ``symbol`` under at the moment ``at`` (aware; naive is UTC):
    the current contract for a continuous equity index future, else ``symbol`` itself."""
    if not symbol.endswith("!"):
        return symbol
    match = _CONTINUOUS.match(symbol)
    if match is None or match.group(1) not in EQUITY_INDEX_ROOTS:
        return symbol
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo("UTC"))
    day = at.astimezone(EXCHANGE_ZONE).date()
    return front_contract(match.group(1), day, ahead=int(match.group(2)) - 1)
