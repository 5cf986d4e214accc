"""HTTP plumbing shared by the provider adapters: rate budget, timeouts, retries, error mapping.

Every attempt (retries included) spends one call of the provider's budget. 429 and 5xx answers,
timeouts and connection failures are retried with exponential backoff and jitter, honouring
``Retry-After``; everything else is translated at once into the market data errors.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping

import httpx
import orjson
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from tradewire.core.clock import Clock
from tradewire.core.events import DataSource
from tradewire.marketdata.ports import NoDataError, NotEntitledError, ProviderError
from tradewire.marketdata.ratelimit import SlidingWindowLimiter

#: Longest Retry-After we wait out inside one request; beyond it the caller fails over.
MAX_RETRY_AFTER_S = 30.0


class _Transient(Exception):
    """An answer worth retrying, with the provider's requested delay if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def retry_after_seconds(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header given in seconds; None if absent or not a number."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class ProviderHttp:
    """GET JSON from one provider within its call budget."""

    def __init__(
        self,
        source: DataSource,
        base_url: str,
        limiter: SlidingWindowLimiter,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        headers: Mapping[str, str] | None = None,
        answers: frozenset[int] = frozenset({200}),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``answers`` are the statuses whose JSON body the adapter reads itself (Yahoo puts
        its reason for a 404 in the body)."""
        self.source = source
        self._answers = answers
        self.limiter = limiter
        self._retries = retries
        self._sleep = sleep
        self._backoff = wait_random_exponential(multiplier=0.5, max=MAX_RETRY_AFTER_S)
        self._client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout),
            headers={"accept": "application/json", **(headers or {})},
            follow_redirects=False,
        )
        self.retried = 0

    async def get_json(self, path: str, params: Mapping[str, str | int] | None = None) -> object:
        """Return the decoded JSON body of ``GET path``; raise a market data error otherwise."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_Transient),
            stop=stop_after_attempt(self._retries + 1),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=self._count_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._once(path, params)
        except _Transient as exc:
            raise ProviderError(self.source, str(exc), exc.retry_after) from exc
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _once(self, path: str, params: Mapping[str, str | int] | None) -> object:
        async with self.limiter:
            try:
                response = await self._client.get(path, params=params)
            except httpx.TimeoutException as exc:
                raise _Transient(f"timed out on {path}") from exc
            except httpx.TransportError as exc:
                raise _Transient(f"connection failed on {path}: {type(exc).__name__}") from exc
        status = response.status_code
        if status == 429:
            delay = retry_after_seconds(response.headers.get("retry-after"))
            if delay is not None and delay > MAX_RETRY_AFTER_S:
                raise ProviderError(self.source, f"rate limited for {delay:g} s", delay)
            raise _Transient("rate limited (429)", delay)
        if status in self._answers:
            try:
                return orjson.loads(response.content)
            except orjson.JSONDecodeError as exc:
                raise ProviderError(self.source, f"malformed JSON from {path}") from exc
        if status >= 500:
            raise _Transient(f"server error {status} on {path}")
        if status == 403:
            raise NotEntitledError(self.source, f"not entitled to {path} (403)")
        if status == 404:
            raise NoDataError(self.source, f"nothing at {path} (404)")
        if status == 401:
            raise ProviderError(self.source, "API key missing or rejected (401)")
        raise ProviderError(self.source, f"unexpected status {status} on {path}")

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            # Honour the provider, plus a little jitter so waiting callers do not stampede.
            return exc.retry_after + random.uniform(0, 0.1)
        return self._backoff(state)

    def _count_retry(self, _state: RetryCallState) -> None:
        self.retried += 1


class HttpProvider:
    """Plumbing shared by the HTTP providers: the budgeted client and the clock."""

    def __init__(self, http: ProviderHttp, clock: Clock) -> None:
        self._http = http
        self._clock = clock

    @property
    def calls(self) -> int:
        """Calls made through this provider's limiter."""
        return self._http.limiter.calls

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()
