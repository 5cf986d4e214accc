"""Turn the time a Tradovate page shows into a UTC instant, correctly across daylight saving.

Tradovate prints exchange-local wall time (US/Central for CME contracts). The forms seen are:

* ``08:52:25.037 10/8/25`` — Time & Sales (``HH:mm:ss.SSS M/D/YY``),
* ``10/8/2025 8:52:25 AM`` — other grids (``M/D/YYYY h:mm:ss[.SSS] AM|PM``),
* ``08:52:25.037`` — a time with no date: the date is taken from the capture time,
* ISO 8601 (``wrap1[value]``): with an offset or ``Z`` it is exact; without, it is local.

Daylight saving: a wall time inside the spring-forward gap (e.g. 02:30 on the second Sunday of
March) never happened and is rejected. A wall time inside the autumn repeated hour (01:00–01:59
on the first Sunday of November) happened twice: first in daylight time (CDT, UTC−5 in Chicago),
then an hour later in standard time (CST, UTC−6). The capture time picks the occurrence: the
second if the row was captured at or after it (a print cannot be captured before it happened),
else the first. With no capture time the first is taken. It is never later than the print really
was, whereas the second would date a print of the first pass an hour late: after prints that
followed it and, while that hour lasts, in the future, where it could pass for the latest price.
The normaliser always gives a capture time (the row's, else the batch's receipt), so this default
applies only to callers that give none, such as the reading of a local-time ``captured_at``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tradewire.core.errors import ValidationError

_TAPE = re.compile(
    r"^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\s+(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$"
)
_GRID = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4}),?\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?"
    r"\s*([AaPp][Mm])?$"
)
_TIME = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: The capture time in epoch ns, or a function returning it (worked out only when needed).
Captured = int | Callable[[], int | None] | None
# A time-only print later than its capture by more than this belongs to the previous day.
_ROLLOVER = timedelta(hours=12)


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if len(text) == 2 else value


def _micros(text: str | None) -> int:
    return int(text.ljust(6, "0")) if text else 0


def to_ns(value: datetime) -> int:
    """Exact epoch nanoseconds of an aware datetime (no float rounding)."""
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


class ExchangeClock:
    """Parse page times shown in ``zone`` (an IANA name such as ``America/Chicago``)."""

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)
        # Offsets depend only on the local minute; caching them keeps parsing cheap.
        self._cache: dict[datetime, tuple[int, int] | None] = {}
        self._minutes: dict[tuple[str, ...], tuple[int, tuple[int, int] | None, datetime]] = {}

    def parse(self, text: str, captured: Captured = None) -> int:
        """Return the UTC epoch ns of the page time ``text``; raise ValidationError if invalid.

        ``captured`` (when the row was read off the page, epoch ns, or a function returning it
        so that it is only worked out when needed) dates a time-only value and picks the
        occurrence of a repeated autumn hour; without it (None, or a function returning None)
        that hour is its first, daylight-time occurrence.
        """
        text = text.strip()
        if m := _TAPE.match(text):
            return self._tape(m, captured, text)
        try:
            local = self._local(text, _resolved(captured))
        except ValueError as exc:
            raise ValidationError(f"timestamp {text!r}: {exc}") from exc
        if local.tzinfo is not None:
            return to_ns(local)
        minute = local.replace(second=0, microsecond=0)
        wall = to_ns(local.replace(tzinfo=UTC))
        return self._pick(wall, self._offsets(minute), captured, text, minute)

    def _tape(self, m: re.Match, captured: Captured, text: str) -> int:
        # The Time & Sales hot path: everything but seconds is looked up per local minute.
        hh, mi, ss, frac, mo, dd, yy = m.groups()
        key = (yy, mo, dd, hh, mi)
        known = self._minutes.get(key)
        if known is None:
            try:
                minute = datetime(_year(yy), int(mo), int(dd), int(hh), int(mi))
            except ValueError as exc:
                raise ValidationError(f"timestamp {text!r}: {exc}") from exc
            known = (to_ns(minute.replace(tzinfo=UTC)), self._offsets(minute), minute)
            if len(self._minutes) > 50_000:
                self._minutes.clear()
            self._minutes[key] = known
        seconds = int(ss)
        if seconds > 59:
            raise ValidationError(f"timestamp {text!r}: second must be in 0..59")
        wall = known[0] + seconds * 1_000_000_000 + _micros(frac) * 1000
        return self._pick(wall, known[1], captured, text, known[2])

    def _local(self, text: str, captured_ns: int | None) -> datetime:
        if m := _TAPE.match(text):
            hh, mi, ss, frac, mo, dd, yy = m.groups()
            return datetime(_year(yy), int(mo), int(dd), int(hh), int(mi), int(ss), _micros(frac))
        if m := _GRID.match(text):
            mo, dd, yy, hh, mi, ss, frac, ampm = m.groups()
            hour = int(hh)
            if ampm:
                if not 1 <= hour <= 12:
                    raise ValueError("hour out of range for AM/PM")
                hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
            return datetime(_year(yy), int(mo), int(dd), hour, int(mi), int(ss), _micros(frac))
        if m := _TIME.match(text):
            if captured_ns is None:
                raise ValueError("a time without a date needs the capture time")
            hh, mi, ss, frac = m.groups()
            day = self._local_date(captured_ns)
            local = datetime(day.year, day.month, day.day, int(hh), int(mi), int(ss), _micros(frac))
            captured_local = datetime.fromtimestamp(captured_ns / 1e9, self.zone).replace(
                tzinfo=None
            )
            if local - captured_local > _ROLLOVER:
                local -= timedelta(days=1)
            return local
        if "T" in text or "-" in text:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed
        raise ValueError("not a recognised page time")

    def _local_date(self, ns: int) -> date:
        return datetime.fromtimestamp(ns / 1e9, self.zone).date()

    def _offsets(self, minute: datetime) -> tuple[int, int] | None:
        """UTC offsets (ns) of both occurrences of the local ``minute``; None in a DST gap."""
        cached = self._cache.get(minute, False)
        if cached is not False:
            return cached
        first = minute.replace(tzinfo=self.zone, fold=0)
        second = minute.replace(tzinfo=self.zone, fold=1)
        offsets: tuple[int, int] | None
        # zoneinfo maps a wall time in the gap to a real instant; a round trip exposes it.
        if first.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) != minute:
            offsets = None
        else:
            offsets = (
                int(first.utcoffset().total_seconds()) * 1_000_000_000,
                int(second.utcoffset().total_seconds()) * 1_000_000_000,
            )
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[minute] = offsets
        return offsets

    def _pick(
        self,
        wall: int,
        offsets: tuple[int, int] | None,
        captured: Captured,
        text: str,
        minute: datetime,
    ) -> int:
        """The instant of wall time ``wall`` (ns, read as if UTC) given the minute's offsets."""
        if offsets is None:
            raise ValidationError(
                f"timestamp {text!r}: {minute:%Y-%m-%d %H:%M} does not exist in {self.zone.key} "
                "(daylight-saving gap)"
            )
        early, late = wall - offsets[0], wall - offsets[1]
        if early == late:
            return early
        captured_ns = _resolved(captured)
        if captured_ns is None:
            return early
        return late if late <= captured_ns else early


def _resolved(captured: Captured) -> int | None:
    return captured() if callable(captured) else captured
