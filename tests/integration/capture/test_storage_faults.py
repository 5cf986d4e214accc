"""A tape store that fails in real Chromium: the page is told to retry, and does, until every print
is stored exactly once."""

from __future__ import annotations

import pytest

from tests.integration.capture.test_tape import assert_exactly_once, inserted, run_feed
from tests.support.waiting import eventually

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

FAILED_WRITES = 3

# A sequence is not rolled back with the failing transaction, so it counts every attempt.
_FAIL_FIRST_WRITES = f"""
CREATE SEQUENCE tape_write_attempts;
CREATE FUNCTION fail_first_tape_writes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF nextval('tape_write_attempts') <= {FAILED_WRITES} THEN
    RAISE EXCEPTION 'could not write block: No space left on device';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER fail_first_tape_writes BEFORE INSERT ON tape_trades
  FOR EACH STATEMENT EXECUTE FUNCTION fail_first_tape_writes();
"""


async def test_failed_writes_reach_the_page_which_retries_until_each_print_is_stored_once(
    desk, pages, database
):
    desk = await desk("flaky", database_url=database.url)  # migrates the schema
    database.execute(_FAIL_FIRST_WRITES)
    page = await desk.open("flaky", pages.url("tradovate.html"))
    await page.wait_for_function("window.__sim && window.TradovateScraperControl")
    await page.evaluate("TradovateScraperControl.start()")
    receiver = desk.session("flaky").receiver

    # Each chunk is one message: the first ones fail in the database and are kept by the page.
    for _ in range(FAILED_WRITES + 2):
        await run_feed(page, 7)
    expected = await inserted(page)
    # No further change on the page: its own retries must deliver what was refused.
    await eventually(lambda: set(expected) <= set(desk.stored_prints("flaky")), timeout=30)

    assert_exactly_once(desk.stored_prints("flaky"), expected)
    ((attempts,),) = database.execute("SELECT last_value FROM tape_write_attempts")
    assert attempts > FAILED_WRITES
    assert await page.evaluate("TradovateScraperControl.getData().stats.sendErrors") >= 1
    assert receiver.stats.last_error == "tape store unavailable; resend the batch"
    assert await page.evaluate("TradovateScraperControl.getData().stats.pending") == 0
