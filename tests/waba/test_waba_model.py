"""The promises of the WABA destination, checked by a model (tests/waba/model.py) over
random sequences of commands by up to three stacks on two WABAs, with the console
writing, lost answers, throttles and transient not-founds between calls. CI runs a
fixed, derandomised budget; `benchmarks/waba_model.py` runs 20,000 steps."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from components.waba import client
from tests.fakes.fixtures import AwsDoubles
from tests.waba.model import STATISTICS, WabaModel

CI_BUDGET = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_stacks_sharing_wabas_keep_every_promise(
    aws: AwsDoubles, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setattr(client, "NOT_FOUND_CONFIRM_SECONDS", 0)
    monkeypatch.setattr(WabaModel, "emulator", aws.emulator, raising=False)
    STATISTICS.clear()

    run_state_machine_as_test(WabaModel, settings=CI_BUDGET)

    # The run exercised what it is meant to: writes, faults, failures and retries, and
    # WABAs given back.
    print(dict(STATISTICS))
    assert STATISTICS["writes"] > 0 and STATISTICS["fault lost"] > 0
    assert STATISTICS["up failed"] > 0 and STATISTICS["returns checked"] > 0
