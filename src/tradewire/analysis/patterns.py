"""Classic chart patterns in one OHLC series, as they stand at its last bar.

``find_patterns(high, low, close)`` looks at the last ``lookback`` bars (default 120) and reports
the patterns that were recognised at most ``recent`` bars (default 5) before the last bar, most
recent first. It uses only the bars it is given, so what it reports is knowable at the last bar.

**Swings.** A swing high is a bar whose high is above the highs of the ``window`` bars before it
and not below those of the ``window`` bars after it (a swing low is the mirror); it is known only
once those ``window`` bars have closed. Swings are joined into a zigzag that alternates highs and
lows: of two highs in a row the higher is kept (of two lows the lower), and a reversal smaller
than ``MIN_SWING_ATR`` average bar ranges is ignored as noise. The average bar range (``ATR``
below) is the median true range of the bars looked at (their mean when more than half of them
have no range). Two prices are *equal* when they differ by
at most ``tolerance_pct`` % of their mean. A line is *broken* when a close passes it by more than
``BREAK_MARGIN_ATR`` ATR.

**Double top** (bearish): two zigzag highs with the zigzag low between them (the neckline); the
tops equal; the neckline at least ``MIN_DEPTH_ATR`` ATR below the lower top; neither half more
than ``MAX_HALF_RATIO`` times as long as the other; and a prior rise — the lowest low in as many
bars before the first top as the pattern is wide lies at least ``PRIOR_TREND`` × the depth below
the neckline. A close above the higher top before the neckline breaks cancels it; the break must
come within the pattern's width after the second top. Target: the neckline minus the higher
top's height above it.
**Double bottom** (bullish) is the mirror image.

**Head and shoulders** (bearish): five zigzag points — left shoulder, low, head, low, right
shoulder. The head is above the higher shoulder by more than ``tolerance_pct`` % and by at least
``HEAD_MIN_ATR`` ATR; the shoulders are equal within ``SHOULDER_TOLERANCE`` × ``tolerance_pct``
%; the neckline joins the two lows, which differ by at most ``NECK_MAX_TILT`` × the head's height
above the neckline; that height is at least ``MIN_DEPTH_ATR`` ATR; neither half (shoulder to
head, head to shoulder) more than ``MAX_HALF_RATIO`` times as long as the other; a prior rise —
the lowest low in as many bars before the left shoulder as the left half is long lies at least
``PRIOR_TREND`` × the head's height below the neckline. A close above the head before the
neckline breaks cancels it; the break must come within the right half's length after the right
shoulder. Target: the neckline at the break minus the head's height. **Inverse head and
shoulders** (bullish) is the mirror image.

**Triangles**: five or six consecutive zigzag points — the last six, the last five, then the
six and five ending one point earlier; the first with a triangle's shape decides — with a
least-squares line through their highs and one through their lows. The height between the lines
at the first point is at least ``TRI_MIN_HEIGHT_ATR`` ATR, at the last point at most
``TRI_NARROWING`` × that and above zero; every point lies within ``TRI_FIT`` × the height of its
line and every close between the first and last point within that distance outside the lines. A
line is *flat* when it does at most ``TRI_FLAT`` of the narrowing. **Ascending**: flat top, rising
lows (bullish; a close below the lower line cancels it). **Descending**: flat bottom, falling
highs (bearish; a close above the upper line cancels it). **Symmetrical**: each line does at least
``TRI_FLAT`` of the narrowing (falling highs, rising lows), neutral (bias 0) until a close breaks
either line, then biased in the break's direction; its level before a break is the line nearer
the last close. Both lines rising or both falling (a wedge) is none of these. The break must come
before the lines meet. Target: the breakout line plus (or minus) the initial height.

**Bull flag**: a pole — the largest rise into a swing high from a low at most ``POLE_MAX_BARS``
bars before it, with no higher high between, of at least ``POLE_MIN_ATR`` ATR and at least
``POLE_MIN_SPEED`` ATR per bar (an impulse, faster than the market's usual pace) — then a flag of
``FLAG_MIN_BARS`` (and at least ``window``) to ``FLAG_MAX_BARS`` bars whose lows never fall more
than ``FLAG_MAX_RETRACE`` of the pole below its top and whose closes drift down or sideways
(least-squares slope at most ``FLAG_MAX_SLOPE`` × the pole's rise per bar). Its breakout line is
the top of its channel: the least-squares line through the flag's highs, raised parallel to pass
through the highest of them. It breaks out when a close passes that line (drawn through the flag
bars before it). The ``FLAG_CANDIDATES`` latest swing highs are tried as the pole's top. Target:
the breakout line plus the pole. While the flag is forming (at least ``FLAG_MIN_BARS`` bars, at
most ``FLAG_MAX_BARS``) it is reported unconfirmed at every bar. **Bear flag** is the mirror.

**Reporting.** A pattern is *recognised* at the later of the bar at which its last swing became
known and the bar whose close broke its line (``end``); ``start`` is its first top (left
shoulder, first triangle point, the pole's low); ``level`` is the neckline or breakout line at
``end``; ``confirmed`` tells whether that close broke it. Fewer than 4 × ``window`` + 4 bars, or a
series whose bars have no range at all, show no pattern. Unconfirmed reversal patterns and
triangles are reported for ``recent`` bars after their last swing became known and again,
confirmed, for ``recent`` bars after their break. ``strength`` (0–1) averages how equal the tops
or shoulders are, how symmetric the halves are, how deep, how well the lines fit and how shallow
the flag is. ``pattern_score`` sums bias × strength (confirmed patterns count fully, the others
``UNCONFIRMED_WEIGHT``), divided by the total weight when that exceeds one: a value in [-1, 1].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from tradewire.analysis.swings import ceiling, fit, latest_highs, rose_from, swings, zigzag
from tradewire.core.errors import ValidationError

RECENT_BARS = 5  # a pattern is reported this many bars after it was recognised (or broke)
MIN_SWING_ATR = 1.5  # zigzag: a reversal smaller than this many ATR is noise
BREAK_MARGIN_ATR = 0.1  # a close must pass a line by this many ATR to break it (a touch is not)
MIN_DEPTH_ATR = 3.0  # reversals: the tops (the head) at least this many ATR above the neckline
MAX_HALF_RATIO = 2.5  # reversals: one half at most this many times as long as the other
PRIOR_TREND = 0.5  # reversals: the prior move started this many depths beyond the neckline
HEAD_MIN_ATR = 1.0  # head and shoulders: the head's lead over the higher shoulder, in ATR
SHOULDER_TOLERANCE = 2.0  # head and shoulders: the shoulders' equality, × tolerance_pct
NECK_MAX_TILT = 0.5  # head and shoulders: the two lows differ by at most this × the head's height
TRI_MIN_HEIGHT_ATR = 4.0  # triangles: the height at the first point, in ATR
TRI_NARROWING = 0.75  # triangles: the height at the last point, at most this × the first
TRI_FIT = 0.1  # triangles: points and closes within this × the height of the lines
TRI_FLAT = 0.25  # triangles: a line doing at most this share of the narrowing is flat
POLE_MAX_BARS = 10  # flags: the pole rises within this many bars
POLE_MIN_ATR = 4.0  # flags: the pole's height, in ATR
POLE_MIN_SPEED = 1.2  # flags: the pole's average rise per bar, in ATR (an impulse, not a drift)
FLAG_MIN_BARS = 5  # flags: the shortest flag (never shorter than the swing window)
FLAG_MAX_BARS = 15  # flags: the longest flag
FLAG_MAX_RETRACE = 0.5  # flags: the deepest pull-back below the pole's top, × the pole
FLAG_MAX_SLOPE = 0.1  # flags: the closes' steepest drift with the pole, × the pole's speed
FLAG_CANDIDATES = 3  # flags: the latest swing highs tried as the pole's top
UNCONFIRMED_WEIGHT = 0.5  # pattern_score: the weight of a pattern whose line has not broken


class PatternKind(StrEnum):
    """The chart patterns ``find_patterns`` recognises."""

    DOUBLE_TOP = "double_top"
    DOUBLE_BOTTOM = "double_bottom"
    HEAD_AND_SHOULDERS = "head_and_shoulders"
    INVERSE_HEAD_AND_SHOULDERS = "inverse_head_and_shoulders"
    ASCENDING_TRIANGLE = "ascending_triangle"
    DESCENDING_TRIANGLE = "descending_triangle"
    SYMMETRICAL_TRIANGLE = "symmetrical_triangle"
    BULL_FLAG = "bull_flag"
    BEAR_FLAG = "bear_flag"


@dataclass(frozen=True, slots=True, kw_only=True)
class Pattern:
    """One recognised pattern; bar indices count in the series given to ``find_patterns``."""

    kind: PatternKind
    bias: int  # +1 bullish, -1 bearish, 0 neutral (symmetrical triangle before a breakout)
    start: int  # bar index where the pattern begins
    end: int  # the bar at which it was recognised (its last swing known, or its line broken)
    level: float  # neckline / breakout line price at `end`
    target: float | None  # measured-move target if the pattern completes
    confirmed: bool  # the close has broken the neckline/breakout line
    strength: float  # 0..1, how cleanly it matches (symmetry of peaks, fit of lines)


@dataclass(slots=True)
class _Frame:
    """The bars looked at in one orientation: as given (sign +1) or negated (sign -1).

    Negating prices turns bottoms into tops and bear flags into bull flags, so each pattern is
    written once, for its bearish-top or bull-flag form.
    """

    hi: list[float]
    lo: list[float]
    cl: list[float]
    close: np.ndarray
    points: list[tuple[int, float, int]]  # the zigzag: (bar, price, +1 high / -1 low)
    swing_highs: list[int]
    atr: float
    window: int
    tol: float  # tolerance_pct as a fraction
    recent: int
    sign: int
    offset: int  # index, in the caller's series, of the first bar looked at
    last: int  # the last bar's index

    def pattern(
        self,
        kind: PatternKind,
        *,
        bias: int,
        start: int,
        end: int,
        level: float,
        target: float | None,
        confirmed: bool,
        strength: float,
    ) -> Pattern:
        """Return a pattern in the caller's prices and bar indices."""
        return Pattern(
            kind=kind,
            bias=bias,
            start=start + self.offset,
            end=end + self.offset,
            level=self.sign * level,
            target=None if target is None else self.sign * target,
            confirmed=confirmed,
            strength=min(1.0, max(0.0, strength)),
        )


def find_patterns(
    high: Sequence[float] | np.ndarray,
    low: Sequence[float] | np.ndarray,
    close: Sequence[float] | np.ndarray,
    *,
    window: int = 3,
    lookback: int = 120,
    tolerance_pct: float = 1.5,
    recent: int = RECENT_BARS,
) -> tuple[Pattern, ...]:
    """Return the patterns visible at the last bar (ending within ``recent`` bars), most recent
    first; the module's docstring gives each pattern's rule.
    """
    if not len(high) == len(low) == len(close):
        raise ValidationError("high, low and close must have the same length")
    counts = (window, lookback, recent)
    if (
        not all(isinstance(n, int | np.integer) and not isinstance(n, bool) for n in counts)
        or window < 1
        or lookback < 4 * window + 4
        or recent < 0
        or not tolerance_pct > 0
    ):
        raise ValidationError(
            "window must be an integer ≥ 1, lookback one ≥ 4 × window + 4, recent one ≥ 0, "
            "and tolerance_pct > 0"
        )
    start = max(0, len(close) - lookback)
    h = np.asarray(high[start:], dtype=np.float64)
    if len(h) < 4 * window + 4:
        return ()
    lo = np.asarray(low[start:], dtype=np.float64)
    c = np.asarray(close[start:], dtype=np.float64)
    frames = _frames(h, lo, c, window, tolerance_pct / 100, recent, start)
    if frames is None:
        return ()
    tops, bottoms = frames
    found = [
        _double_top(tops, PatternKind.DOUBLE_TOP),
        _double_top(bottoms, PatternKind.DOUBLE_BOTTOM),
        _head_and_shoulders(tops, PatternKind.HEAD_AND_SHOULDERS),
        _head_and_shoulders(bottoms, PatternKind.INVERSE_HEAD_AND_SHOULDERS),
        _triangle(tops),
        _flag(tops, PatternKind.BULL_FLAG),
        _flag(bottoms, PatternKind.BEAR_FLAG),
    ]
    patterns = [p for p in found if p is not None]
    patterns.sort(key=lambda p: (-p.end, -p.strength))
    return tuple(patterns)


def pattern_score(patterns: Iterable[Pattern]) -> float:
    """Return the net bullish (+) or bearish (-) evidence of ``patterns``, in [-1, 1].

    Each pattern weighs its strength (× ``UNCONFIRMED_WEIGHT`` until its line breaks); the sum of
    bias × weight is divided by the total weight when that exceeds one, so one clean confirmed
    pattern scores near ±1 and conflicting ones cancel.
    """
    net = total = 0.0
    for p in patterns:
        weight = p.strength * (1.0 if p.confirmed else UNCONFIRMED_WEIGHT)
        net += p.bias * weight
        total += weight
    return net / max(1.0, total)


def _frames(
    h: np.ndarray, lo: np.ndarray, c: np.ndarray, window: int, tol: float, recent: int, offset: int
) -> tuple[_Frame, _Frame] | None:
    true_range = np.maximum(h[1:], c[:-1]) - np.minimum(lo[1:], c[:-1])
    middle = len(true_range) // 2
    true_range.partition(middle)
    # The median, not the mean: a flag's pole must not widen the yardstick it is measured by.
    atr = float(true_range[middle]) or float(true_range.mean())
    if not atr > 0:
        return None
    found = swings(h, lo, window)
    bars = np.array((h, lo, c))
    negated = -bars
    # One conversion for the three rows: at this size a numpy call costs more than its elements.
    hl, ll, cl = bars.tolist()
    neg_h, neg_lo, neg_c = negated.tolist()
    points = zigzag(hl, ll, found, window, MIN_SWING_ATR * atr)
    highs, lows = found[0].nonzero()[0] + window, found[1].nonzero()[0] + window
    last = len(cl) - 1
    tops = _Frame(
        hi=hl, lo=ll, cl=cl, close=c, points=points, swing_highs=highs.tolist(),
        atr=atr, window=window, tol=tol, recent=recent, sign=1, offset=offset, last=last,
    )  # fmt: skip
    bottoms = _Frame(
        hi=neg_lo, lo=neg_h, cl=neg_c, close=negated[2],
        points=[(i, -p, -k) for i, p, k in points], swing_highs=lows.tolist(),
        atr=atr, window=window, tol=tol, recent=recent, sign=-1, offset=offset, last=last,
    )  # fmt: skip
    return tops, bottoms


def _break_down(
    f: _Frame, after: int, until: int, line: tuple[float, float], ceiling: float
) -> tuple[int | None, bool]:
    """Return the first bar after ``after`` whose close breaks below ``line`` and whether the
    pattern failed: a close above ``ceiling`` first, or a break later than ``until``.
    """
    slope, intercept = line
    margin = BREAK_MARGIN_ATR * f.atr
    cl = f.cl
    for k in range(after + 1, f.last + 1):
        c = cl[k]
        if c > ceiling:
            return None, True
        if c < slope * k + intercept - margin:
            return (k, False) if k <= until else (None, True)
    return None, False


def _reversal(
    f: _Frame,
    kind: PatternKind,
    *,
    start: int,
    last_top: int,
    line: tuple[float, float],
    ceiling: float,
    until: int,
    height: float,
    strength: float,
) -> Pattern | None:
    broke, failed = _break_down(f, last_top, until, line, ceiling)
    known = last_top + f.window
    end = known if broke is None else max(broke, known)
    if failed or f.last - end > f.recent:
        return None
    level = line[0] * end + line[1]
    return f.pattern(
        kind,
        bias=-f.sign,
        start=start,
        end=end,
        level=level,
        target=level - height,
        confirmed=broke is not None,
        strength=strength,
    )


def _double_top(f: _Frame, kind: PatternKind) -> Pattern | None:
    points, atr = f.points, f.atr
    for k in latest_highs(points):
        if k < 2:
            break
        (j1, p1, _), (jt, neck, _), (j2, p2, _) = points[k - 2 : k + 1]
        allowed = f.tol * abs(p1 + p2) / 2
        depth = min(p1, p2) - neck
        halves = (jt - j1, j2 - jt)
        width = j2 - j1
        if (
            not abs(p1 - p2) <= allowed
            or not allowed > 0  # tops around a price of zero leave no allowance
            or depth < MIN_DEPTH_ATR * atr
            or max(halves) > MAX_HALF_RATIO * min(halves)
            or not rose_from(f.lo, j1, width, neck - PRIOR_TREND * depth)
        ):
            continue
        strength = (
            1
            - abs(p1 - p2) / allowed
            + min(halves) / max(halves)
            + min(1.0, depth / (2 * MIN_DEPTH_ATR * atr))
        ) / 3
        found = _reversal(
            f,
            kind,
            start=j1,
            last_top=j2,
            line=(0.0, neck),
            ceiling=max(p1, p2),
            until=j2 + width,
            height=max(p1, p2) - neck,
            strength=strength,
        )
        if found is not None:
            return found
    return None


def _head_and_shoulders(f: _Frame, kind: PatternKind) -> Pattern | None:
    points, atr = f.points, f.atr
    for k in latest_highs(points):
        if k < 4:
            break
        (jl, left, _), (j1, t1, _), (jh, head, _), (j2, t2, _), (jr, right, _) = points[
            k - 4 : k + 1
        ]
        slope = (t2 - t1) / (j2 - j1)
        line = (slope, t1 - slope * j1)
        height = head - (slope * jh + line[1])
        lead = head - max(left, right)
        allowed = SHOULDER_TOLERANCE * f.tol * abs(left + right) / 2
        halves = (jh - jl, jr - jh)
        if (
            lead <= f.tol * abs(head)
            or lead < HEAD_MIN_ATR * atr
            or not abs(left - right) <= allowed
            or not allowed > 0
            or height < MIN_DEPTH_ATR * atr
            or abs(t2 - t1) > NECK_MAX_TILT * height
            or max(halves) > MAX_HALF_RATIO * min(halves)
            or not rose_from(f.lo, jl, halves[0], slope * jl + line[1] - PRIOR_TREND * height)
        ):
            continue
        strength = (
            1
            - abs(left - right) / allowed
            + min(halves) / max(halves)
            + 1
            - abs(t2 - t1) / (NECK_MAX_TILT * height)
        ) / 3
        found = _reversal(
            f,
            kind,
            start=jl,
            last_top=jr,
            line=line,
            ceiling=head,
            until=jr + halves[1],
            height=height,
            strength=strength,
        )
        if found is not None:
            return found
    return None


@dataclass(frozen=True, slots=True)
class _Triangle:
    kind: PatternKind
    bias: int
    first: int
    last: int
    upper: tuple[float, float]  # slope, intercept
    lower: tuple[float, float]
    height: float
    strength: float


def _triangle(f: _Frame) -> Pattern | None:
    points = f.points
    for stop in (len(points), len(points) - 1):
        for size in (6, 5):
            if stop - size >= 0:
                shape = _triangle_shape(f, points[stop - size : stop])
                # The first triangle decides: a smaller one inside a triangle that broke out
                # long ago would report that old break again at a later bar.
                if shape is not None:
                    return _triangle_report(f, shape)
    return None


def _triangle_shape(f: _Frame, points: list[tuple[int, float, int]]) -> _Triangle | None:
    # The zigzag alternates: every other point is a high.
    highs, lows = (points[0::2], points[1::2]) if points[0][2] > 0 else (points[1::2], points[0::2])
    high_bars, high_prices, _ = zip(*highs, strict=True)
    low_bars, low_prices, _ = zip(*lows, strict=True)
    us, ui = fit(high_bars, high_prices)
    ls, li = fit(low_bars, low_prices)
    first, last = points[0][0], points[-1][0]
    height = (us - ls) * first + ui - li
    narrow = (us - ls) * last + ui - li
    if height < TRI_MIN_HEIGHT_ATR * f.atr or not 0 < narrow <= TRI_NARROWING * height:
        return None
    misfit = max(
        max(abs(p - us * i - ui) for i, p, _ in highs),
        max(abs(p - ls * i - li) for i, p, _ in lows),
    )
    pad = TRI_FIT * height
    if misfit > pad:
        return None
    # Each line's share of the narrowing: 0 for a flat line, 1 for the line that does it all.
    top_share = us * (first - last) / (height - narrow)
    if abs(top_share) <= TRI_FLAT:
        kind, bias = PatternKind.ASCENDING_TRIANGLE, 1
    elif abs(1 - top_share) <= TRI_FLAT:
        kind, bias = PatternKind.DESCENDING_TRIANGLE, -1
    elif TRI_FLAT < top_share < 1 - TRI_FLAT:
        kind, bias = PatternKind.SYMMETRICAL_TRIANGLE, 0
    else:
        return None  # both lines rise or both fall: a wedge
    bars = np.arange(first, last + 1)
    inside = f.close[first : last + 1]
    if (inside > us * bars + ui + pad).any() or (inside < ls * bars + li - pad).any():
        return None
    strength = (1 - misfit / pad + 1 - narrow / height + (len(points) - 4) / 2) / 3
    return _Triangle(kind, bias, first, last, (us, ui), (ls, li), height, strength)


def _triangle_report(f: _Frame, t: _Triangle) -> Pattern | None:
    broke, direction = _triangle_break(f, t.last, t.upper, t.lower)
    if broke is not None and t.bias and direction != t.bias:
        return None  # broke the wrong way: the pattern failed
    known = t.last + f.window
    end = known if broke is None else max(broke, known)
    if f.last - end > f.recent:
        return None
    upper, lower = t.upper[0] * end + t.upper[1], t.lower[0] * end + t.lower[1]
    if broke is None:
        side = t.bias or (1 if f.cl[-1] - lower > upper - f.cl[-1] else -1)
    else:
        side = direction
    level = upper if side > 0 else lower
    return f.pattern(
        t.kind,
        bias=t.bias or (direction if broke is not None else 0),
        start=t.first,
        end=end,
        level=level,
        target=None if t.bias == 0 and broke is None else level + side * t.height,
        confirmed=broke is not None,
        strength=t.strength,
    )


def _triangle_break(
    f: _Frame, after: int, upper: tuple[float, float], lower: tuple[float, float]
) -> tuple[int | None, int]:
    """Return the first bar whose close breaks out of the lines before they meet, and its side."""
    margin = BREAK_MARGIN_ATR * f.atr
    cl = f.cl
    for k in range(after + 1, f.last + 1):
        top, bottom = upper[0] * k + upper[1], lower[0] * k + lower[1]
        if top <= bottom:
            break
        if cl[k] > top + margin:
            return k, 1
        if cl[k] < bottom - margin:
            return k, -1
    return None, 0


def _flag(f: _Frame, kind: PatternKind) -> Pattern | None:
    shortest = max(FLAG_MIN_BARS, f.window)
    earliest = f.last - FLAG_MAX_BARS - f.recent - 1
    tried = 0
    for top in reversed(f.swing_highs):
        if top > f.last - shortest:
            continue
        if top < earliest or tried == FLAG_CANDIDATES:
            break
        tried += 1
        found = _flag_at(f, kind, top, shortest)
        if found is not None:
            return found
    return None


def _flag_at(f: _Frame, kind: PatternKind, top: int, shortest: int) -> Pattern | None:
    hi, lo, cl, atr = f.hi, f.lo, f.cl, f.atr
    pole = 0.0
    for bar in range(top - 1, max(-1, top - 1 - POLE_MAX_BARS), -1):
        if hi[bar] > hi[top]:
            break  # the pole's top is the highest bar of the pole
        rise = hi[top] - lo[bar]
        if (
            rise > pole
            and rise >= POLE_MIN_ATR * atr
            and rise >= POLE_MIN_SPEED * atr * (top - bar)
        ):
            pole, base = rise, bar
    if not pole:
        return None
    pole_bars = top - base
    floor = hi[top] - FLAG_MAX_RETRACE * pole
    margin = BREAK_MARGIN_ATR * atr
    broke = None
    xs: list[int] = []
    ys: list[float] = []
    for k in range(top + 1, min(f.last, top + 1 + FLAG_MAX_BARS) + 1):
        if len(xs) >= shortest and cl[k] > ceiling(xs, ys, k) + margin:
            broke = k
            break
        if lo[k] < floor:
            return None
        xs.append(k)
        ys.append(hi[k])
    if broke is None and not shortest <= len(xs) <= FLAG_MAX_BARS:
        return None
    end = f.last if broke is None else broke
    if f.last - end > f.recent:
        return None
    drift, _ = fit(xs, cl[top + 1 : top + 1 + len(xs)])
    if drift > FLAG_MAX_SLOPE * pole / pole_bars:
        return None
    level = ceiling(xs, ys, end)
    pullback = hi[top] - min(lo[top + 1 : top + 1 + len(xs)])
    return f.pattern(
        kind,
        bias=f.sign,
        start=base,
        end=end,
        level=level,
        target=level + pole,
        confirmed=broke is not None,
        strength=(
            min(1.0, pole / (2 * POLE_MIN_ATR * atr)) + 1 - pullback / (FLAG_MAX_RETRACE * pole)
        )
        / 2,
    )
