"""Redis backend of the snapshot cache (used when ``TRADEWIRE_REDIS_URL`` is set).

Each entry is one string: the 8-byte big-endian store time followed by the payload, so a
lookup is a single GET. Entries outlive the TTL (to be served stale in an outage) but expire
from Redis after ``retain_s`` so abandoned tickers do not pile up.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from tradewire.core.errors import RetryableError

_STAMP = 8


class RedisKeyValueStore:
    """Keys under ``prefix`` in one Redis database."""

    def __init__(self, url: str, prefix: str, retain_s: int = 86_400) -> None:
        self._redis = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._prefix = prefix
        self._retain_s = retain_s

    async def put(self, key: str, value: bytes, stored_ns: int) -> None:
        try:
            await self._redis.set(
                self._prefix + key, stored_ns.to_bytes(_STAMP, "big") + value, ex=self._retain_s
            )
        except RedisError as exc:
            raise RetryableError(f"redis cache write failed: {type(exc).__name__}") from exc

    async def get(self, key: str) -> tuple[bytes, int] | None:
        try:
            raw = await self._redis.get(self._prefix + key)
        except RedisError as exc:
            raise RetryableError(f"redis cache read failed: {type(exc).__name__}") from exc
        return None if raw is None else (raw[_STAMP:], int.from_bytes(raw[:_STAMP], "big"))

    async def items(self) -> list[tuple[str, bytes, int]]:
        try:
            keys = await self._keys()
            values = await self._redis.mget(keys) if keys else []
        except RedisError as exc:
            raise RetryableError(f"redis cache read failed: {type(exc).__name__}") from exc
        start = len(self._prefix)
        return [
            (key.decode()[start:], raw[_STAMP:], int.from_bytes(raw[:_STAMP], "big"))
            for key, raw in zip(keys, values, strict=True)
            if raw is not None
        ]

    async def delete(self, key: str | None = None) -> int:
        try:
            keys = [self._prefix + key] if key is not None else await self._keys()
            return int(await self._redis.unlink(*keys)) if keys else 0
        except RedisError as exc:
            raise RetryableError(f"redis cache delete failed: {type(exc).__name__}") from exc

    async def size(self) -> tuple[int, int]:
        try:
            keys = await self._keys()
            if not keys:
                return 0, 0
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.strlen(key)
                lengths = await pipe.execute()
        except RedisError as exc:
            raise RetryableError(f"redis cache read failed: {type(exc).__name__}") from exc
        return len(keys), sum(max(0, n - _STAMP) for n in lengths)

    async def aclose(self) -> None:
        await self._redis.aclose()

    async def _keys(self) -> list[bytes]:
        pattern = self._prefix.replace("*", r"\*").replace("?", r"\?") + "*"
        return [key async for key in self._redis.scan_iter(match=pattern, count=500)]
