"""Failed credentials per address: a sliding budget, sparse log lines, bounded memory."""

from tradewire.core.auth_failures import LOG_INTERVAL_S, AuthFailures


class SteppedClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_past_the_budget_in_a_sliding_minute_are_throttled():
    clock = SteppedClock()
    failures = AuthFailures(4, clock=clock)
    assert [failures.record("a").throttled for _ in range(4)] == [False] * 4
    clock.now += 30
    verdict = failures.record("a")
    assert verdict.throttled and 30 <= verdict.retry_after <= 35
    assert not failures.record("b").throttled  # every address has its own budget
    # one second before the Retry-After the first four are still in the window...
    clock.now += verdict.retry_after - 1
    assert failures.record("a").throttled
    # ...and at it they have left: two remain, so this one is within the budget
    clock.now += 1
    assert not failures.record("a").throttled
    assert (failures.total, failures.throttled) == (8, 2)


def test_a_throttled_address_is_free_again_after_its_retry_after():
    clock = SteppedClock()
    failures = AuthFailures(2, clock=clock)
    failures.record("a")
    clock.now += 20
    failures.record("a")
    verdict = failures.record("a")
    assert verdict.throttled
    clock.now += verdict.retry_after
    # the first failure has left the window: one remains, so this is within the budget
    assert not failures.record("a").throttled


def test_one_log_line_per_address_per_interval_carrying_the_count():
    clock = SteppedClock()
    failures = AuthFailures(1000, clock=clock)
    assert failures.record("a").to_log == 1
    assert [failures.record("a").to_log for _ in range(9)] == [0] * 9
    assert failures.record("b").to_log == 1
    clock.now += LOG_INTERVAL_S
    assert failures.record("a").to_log == 10


def test_the_address_table_is_bounded():
    failures = AuthFailures(1, clock=SteppedClock(), max_addresses=100)
    for n in range(10_000):
        failures.record(f"10.0.{n // 256}.{n % 256}")
    assert len(failures) == 100 and failures.total == 10_000
    assert not failures.record(None).throttled and failures.record(None).throttled


def test_retry_after_tells_when_an_address_may_try_again_without_recording():
    clock = SteppedClock()
    failures = AuthFailures(3, clock=clock)
    assert failures.retry_after("a") == 0 and len(failures) == 0
    for _ in range(2):
        failures.record("a")
    assert failures.retry_after("a") == 0  # one more failure is still within the budget
    failures.record("a")
    wait = failures.retry_after("a")
    assert 60 <= wait <= 65 and failures.total == 3
    clock.now += wait
    assert failures.retry_after("a") == 0
    assert not failures.record("a").throttled
