"""The trade journal in SQL (implements :class:`tradewire.trading.ports.TradeJournal`).

An append is one batch through the group-commit writer, so its events commit together or not
at all, and appends for many accounts at once share a transaction: one signal fans out to every
follower's account and each append is awaited, so a transaction per append would cap the fan-out
at the disk's fsync rate.

Each account's events are numbered by ``seq`` from 1. The last number of every account is read
once, at the first append, and kept here; an append takes the next numbers under its account's
lock, so appends to one account get consecutive numbers in the order they were made, and appends
to different accounts never wait for each other. Events are stored as the codec's JSON.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Engine, func, select

from tradewire.core.errors import ValidationError
from tradewire.storage.errors import retryable
from tradewire.storage.models import TradeEventRow
from tradewire.storage.writer import GroupCommitWriter, WriteBatch
from tradewire.trading import codec
from tradewire.trading.events import TradingEvent

_EVENTS = TradeEventRow.__table__
_ACCOUNT_MAX = _EVENTS.c.account.type.length


class SqlTradeJournal:
    """Each account's trading events in a SQL table, appended through the writer."""

    def __init__(self, engine: Engine, writer: GroupCommitWriter) -> None:
        self._engine = engine
        self._writer = writer
        #: The last seq of each account with events, loaded at the first append. None marks an
        #: account whose last append failed: it may have committed all the same (a connection
        #: lost after the commit), so its number is read again.
        self._last: dict[str, int | None] | None = None
        self._loading = asyncio.Lock()
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def append(self, account: str, events: Sequence[TradingEvent]) -> None:
        """Append ``events`` to ``account``'s log, in order, all or none.

        Raise ValidationError for an event that is not ``account``'s or cannot be encoded
        (nothing is written), RetryableError when the database cannot be written now.
        """
        _check_account(account)
        strangers = [e for e in events if e.account != account]
        if strangers:
            raise ValidationError(
                f"an event of account {strangers[0].account!r} cannot go in {account!r}'s journal"
            )
        payloads = [codec.dumps(event) for event in events]  # before anything is written
        if not payloads:
            return
        async with self._locks[account]:
            last = await self._last_seq(account)
            rows = [
                {
                    "account": account,
                    "seq": last + n,
                    "kind": type(event).__name__,
                    "ts_event": event.ts_event,
                    "payload": payload,
                }
                for n, (event, payload) in enumerate(zip(events, payloads, strict=True), 1)
            ]
            assert self._last is not None  # loaded by _last_seq
            self._last[account] = None  # unknown until the write's outcome is known
            await self._writer.write(WriteBatch().add(_EVENTS, rows))
            self._last[account] = last + len(rows)

    async def read(self, account: str) -> list[TradingEvent]:
        """Return every event of ``account`` in order (ValidationError for a stored event that
        cannot be decoded, naming it)."""
        return await asyncio.to_thread(self._read, account)

    async def accounts(self) -> list[str]:
        """Return every account with events, by name."""
        return await asyncio.to_thread(self._accounts)

    async def _last_seq(self, account: str) -> int:
        if self._last is None:
            async with self._loading:
                if self._last is None:
                    self._last = dict(await asyncio.to_thread(self._last_seqs))
        last = self._last.get(account, 0)
        if last is None:
            last = dict(await asyncio.to_thread(self._last_seqs, account)).get(account, 0)
        return last

    @retryable
    def _last_seqs(self, account: str | None = None) -> list[tuple[str, int]]:
        stmt = select(_EVENTS.c.account, func.max(_EVENTS.c.seq)).group_by(_EVENTS.c.account)
        if account is not None:
            stmt = stmt.where(_EVENTS.c.account == account)
        with self._engine.connect() as conn:
            return [(name, last) for name, last in conn.execute(stmt)]

    @retryable
    def _read(self, account: str) -> list[TradingEvent]:
        stmt = (
            select(_EVENTS.c.seq, _EVENTS.c.payload)
            .where(_EVENTS.c.account == account)
            .order_by(_EVENTS.c.seq)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [_decode(account, seq, payload) for seq, payload in rows]

    @retryable
    def _accounts(self) -> list[str]:
        stmt = select(_EVENTS.c.account).distinct().order_by(_EVENTS.c.account)
        with self._engine.connect() as conn:
            return list(conn.execute(stmt).scalars())


def _check_account(account: str) -> None:
    if not isinstance(account, str) or not account or len(account) > _ACCOUNT_MAX:
        raise ValidationError(f"an account is a name of 1 to {_ACCOUNT_MAX} characters")


def _decode(account: str, seq: int, payload: str) -> TradingEvent:
    try:
        return codec.loads(payload)
    except ValidationError as exc:
        raise ValidationError(
            f"trade event {seq} of account {account!r} cannot be read: {exc.message}"
        ) from exc
