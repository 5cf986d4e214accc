"""Every operation of the OpenAPI document, fuzzed by schemathesis with an admin token."""

from __future__ import annotations

import schemathesis
from hypothesis import given, settings
from schemathesis.checks import not_a_server_error

from tests.fuzz.conftest import ANSWER_WITHIN_S, examples, fuzz_settings

# Starting a capture session would make the server connect to (or launch a browser for) any
# address the fuzzer invents: not on a test machine.
NOT_FUZZED = {"POST /api/capture/sessions"}


def test_no_operation_answers_5xx(client, fuzz_server, tally):
    schema = schemathesis.openapi.from_url(f"{fuzz_server.base_url}/openapi.json")
    headers = {"authorization": f"Bearer {fuzz_server.token('fuzz', 'admin')}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    fuzzed = [op for op in operations if op.label not in NOT_FUZZED]
    assert len(fuzzed) >= 25, [op.label for op in operations]

    for operation in fuzzed:
        fuzz_operation(operation, fuzz_server.base_url, headers, tally)


def fuzz_operation(operation, base_url: str, headers: dict[str, str], tally) -> None:
    """Call ``operation`` with generated requests; fail on a 5xx or a slow answer."""

    @settings(fuzz_settings, max_examples=examples(150))
    @given(case=operation.as_strategy())
    def call(case) -> None:
        response = case.call_and_validate(
            base_url=base_url, headers=headers, checks=[not_a_server_error], timeout=ANSWER_WITHIN_S
        )
        tally.count(operation.label, response.status_code, response.elapsed)

    call()
