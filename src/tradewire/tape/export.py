"""Stream stored tape rows as CSV, JSON or Parquet with flat memory.

Every writer consumes chunks of row tuples (``ROW_FIELDS`` order, as the store yields them) and
produces byte chunks, holding one chunk at a time — the size of the export never shows in memory.
Exported rows carry the seed's field names (see ``WIRE_FIELDS``); JSON is one array of row
objects, as the seed's ``YYYY-MM-DD_trades.json`` files were. An export that fails once started
ends with an error marker (:func:`failure_marker`) and is never a complete document.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

import orjson

from tradewire.core.errors import TradewireError, ValidationError

WIRE_FIELDS: tuple[str, ...] = (
    "id",
    "ts",
    "symbol",
    "timestamp",
    "price",
    "size",
    "accumulatedVolume",
    "tickDirection",
    "isHighlighted",
    "account",
    "captured_at",
)
FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",
}
Chunks = Iterable[list[tuple]]


class IsoTimes:
    """Format epoch ns as ISO UTC with milliseconds, reusing the text of the last second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self, ns: int) -> str:
        second, rest = divmod(ns, 1_000_000_000)
        if second != self._second:
            self._second = second
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._prefix}.{rest // 1_000_000:03d}Z"


def wire_rows(chunk: list[tuple], iso: IsoTimes) -> list[tuple]:
    """Rows of ``chunk`` as ``WIRE_FIELDS`` tuples."""
    return [(r[0], iso(r[1]), *r[2:8], bool(r[8]), r[9], r[10]) for r in chunk]


def _csv_fast(chunk: list[tuple], iso: IsoTimes) -> str:
    """The chunk as CSV lines, exactly as ``csv.writer`` writes them when nothing needs quotes."""
    return "".join(
        [
            f"{r[0]},{iso(r[1])},{r[2]},{r[3]},{r[4]!r},{r[5]!r},"
            f"{'' if r[6] is None else repr(r[6])},{r[7] or ''},{'True' if r[8] else 'False'},"
            f"{r[9]},{r[10] or ''}\n"
            for r in chunk
        ]
    )


def csv_chunks(chunks: Chunks) -> Iterator[bytes]:
    """CSV with a header row; empty cells for missing values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(WIRE_FIELDS)
    yield buffer.getvalue().encode()
    separators = len(WIRE_FIELDS) - 1
    iso = IsoTimes()
    for chunk in chunks:
        text = _csv_fast(chunk, iso)
        # Free text (symbol, page time, account …) rarely holds a comma, quote or line break;
        # when any field did, the counts give it away and the csv module quotes the chunk.
        n = len(chunk)
        if (
            text.count(",") != separators * n
            or text.count("\n") != n
            or '"' in text
            or "\r" in text
        ):
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(wire_rows(chunk, iso))
            text = buffer.getvalue()
        yield text.encode()


def json_chunks(chunks: Chunks) -> Iterator[bytes]:
    """One JSON array of row objects."""
    iso = IsoTimes()
    first = True
    yield b"["
    for chunk in chunks:
        parts = [
            orjson.dumps(dict(zip(WIRE_FIELDS, row, strict=True))) for row in wire_rows(chunk, iso)
        ]
        if parts:
            yield (b"\n" if first else b",\n") + b",\n".join(parts)
            first = False
    yield b"\n]\n"


class _Sink:
    """A write-only file object that hands its bytes out chunk by chunk."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.closed = False
        self._position = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def drain(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _arrow_schema():
    import pyarrow as pa

    return pa.schema(
        [
            ("id", pa.string()),
            ("ts", pa.timestamp("ns", tz="UTC")),
            ("symbol", pa.string()),
            ("timestamp", pa.string()),
            ("price", pa.float64()),
            ("size", pa.float64()),
            ("accumulatedVolume", pa.float64()),
            ("tickDirection", pa.string()),
            ("isHighlighted", pa.bool_()),
            ("account", pa.string()),
            ("captured_at", pa.string()),
        ]
    )


def _arrow_table(chunk: list[tuple], schema):
    """One chunk of ``ROW_FIELDS`` tuples as an Arrow table of ``WIRE_FIELDS`` columns."""
    import pyarrow as pa

    columns = list(zip(*chunk, strict=True))
    columns[8] = [bool(flag) for flag in columns[8]]  # SQLite stores booleans as 0/1
    arrays = [pa.array(columns[i], type=field.type) for i, field in enumerate(schema)]
    return pa.Table.from_arrays(arrays, schema=schema)


def parquet_chunks(chunks: Chunks) -> Iterator[bytes]:
    """Parquet, one row group per chunk."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _arrow_schema()
    sink = _Sink()
    with pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema, compression="zstd") as writer:
        for chunk in chunks:
            if chunk:
                writer.write_table(_arrow_table(chunk, schema))
                yield sink.drain()
    yield sink.drain()


WRITERS: dict[str, Callable[[Chunks], Iterator[bytes]]] = {
    "csv": csv_chunks,
    "json": json_chunks,
    "parquet": parquet_chunks,
}


def writer_for(fmt: str) -> Callable[[Chunks], Iterator[bytes]]:
    """The chunk writer for ``fmt``; ValidationError for an unknown format."""
    try:
        return WRITERS[fmt.lower()]
    except KeyError:
        raise ValidationError(f"format must be one of {', '.join(WRITERS)}, not {fmt!r}") from None


def failure_marker(fmt: str, reason: str) -> bytes:
    """The last bytes of an export in ``fmt`` that failed after it started, saying why.

    JSON: a last line ``{"error": "…"}``, with no comma before it and no closing bracket, so the
    document does not parse and the line cannot pass for a row (rows have no ``error`` field).
    CSV: a last line ``# error: …``. Parquet: the same line, after which the file also lacks the
    footer every reader needs.
    """
    line = " ".join(reason.split())  # one line, whatever the reason held
    if fmt == "json":
        return b"\n" + orjson.dumps({"error": line}) + b"\n"
    return (b"\n" if fmt == "parquet" else b"") + f"# error: {line}\n".encode()


def failure_reason(exc: Exception) -> str:
    """What a failure marker says about ``exc``: our own errors' messages, nothing of a bug's."""
    return f"export failed: {exc.message if isinstance(exc, TradewireError) else 'internal error'}"


def ending_in_failure_marker(fmt: str, data: Iterable[bytes]) -> Iterator[bytes]:
    """Pass ``data`` on; if it fails, yield the format's failure marker, then raise its error."""
    try:
        yield from data
    except Exception as exc:
        yield failure_marker(fmt.lower(), failure_reason(exc))
        raise


#: The instants a query may name, [1970-01-01, 2200-01-01] UTC: every stored time lies within,
#: and both ends are far inside the database's signed 64-bit nanoseconds.
EARLIEST_NS = 0
LATEST_NS = 7_258_118_400 * 1_000_000_000
_RANGE = "1970-01-01 to 2200-01-01 UTC"


def in_range(ns: int, name: str, value: str) -> int:
    """Return ``ns``, or raise ValidationError if it lies outside the instants a query may name."""
    if not EARLIEST_NS <= ns <= LATEST_NS:
        raise ValidationError(f"{name}: out of range ({_RANGE}): {value!r}")
    return ns


def parse_time(value: str, name: str, *, end: bool = False) -> int:
    """Parse a date or ISO 8601 date-time (UTC unless it has an offset) into epoch ns.

    A date means its whole UTC day: its start, or with ``end`` the start of the next day.
    """
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            ns = (int(day.timestamp()) + (86_400 if end else 0)) * 1_000_000_000
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            ns = int(moment.timestamp() * 1_000_000) * 1000
    except ValueError as exc:
        raise ValidationError(f"{name}: not a date or ISO 8601 date-time: {value!r}") from exc
    return in_range(ns, name, value)


def date_range(
    start: str | None, end: str | None, names: tuple[str, str] = ("start_date", "end_date")
) -> tuple[int | None, int | None]:
    """Parse ``start``/``end`` into ``[since_ns, until_ns)``; ``names`` name them in errors.

    A date (``2025-01-07``) means the whole UTC day, so an end date is inclusive; a date-time
    (ISO 8601, UTC unless it has an offset) is exact, and an end date-time is exclusive. Both
    must lie within 1970-01-01 to 2200-01-01 UTC.
    """
    since = parse_time(start, names[0]) if start else None
    until = parse_time(end, names[1], end=True) if end else None
    if since is not None and until is not None and until <= since:
        raise ValidationError(f"{names[1]} must not be before {names[0]}")
    return since, until


def write_daily(chunks: Chunks, directory, on_rows: Callable[[int], None] | None = None) -> list:
    """Write the seed's layout: one ``YYYY-MM-DD_trades.json`` array per UTC day; return paths.

    Rows must arrive in time order (the store yields them so), so each day's file is written
    start to end before the next one opens. If reading fails, the file being written ends with
    the failure marker instead of its closing bracket, and the error is raised.
    """
    directory.mkdir(parents=True, exist_ok=True)
    iso = IsoTimes()
    paths = []
    current_day: str | None = None
    handle = None
    try:
        for chunk in chunks:
            for row in wire_rows(chunk, iso):
                day = row[1][:10]
                if day != current_day:
                    if handle is not None:
                        handle.write(b"\n]\n")
                        handle.close()
                    current_day = day
                    path = directory / f"{day}_trades.json"
                    paths.append(path)
                    handle = path.open("wb")
                    handle.write(b"[\n")
                else:
                    handle.write(b",\n")
                handle.write(orjson.dumps(dict(zip(WIRE_FIELDS, row, strict=True))))
            if on_rows is not None:
                on_rows(len(chunk))
    except Exception as exc:
        if handle is not None:
            handle.write(failure_marker("json", failure_reason(exc)))
            handle.close()
            handle = None
        raise
    finally:
        if handle is not None:
            handle.write(b"\n]\n")
            handle.close()
    return paths
