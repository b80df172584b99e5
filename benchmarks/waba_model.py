"""A long run of the WABA destination's model: `python -m benchmarks.waba_model [STEPS]`
(default 20,000). Drives tests/waba/model.py (three stacks, two WABAs, the console,
lost answers, throttles, transient not-founds) against the socialmessaging emulator
until that many steps have been checked, then prints what the run did. Any broken
promise stops it with hypothesis's shortest reproduction."""

from __future__ import annotations

import os
import sys
import time

import pulumi
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from components.waba import client
from tests.fakes.socialmessaging import SocialMessagingEmulator
from tests.waba.model import ACCOUNT, STATISTICS, WabaModel


def main(steps: int) -> None:
    # Throwaway credentials for the local emulator; one attempt per call, so every
    # injected fault reaches the provider.
    throwaway = "benchmark"
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": throwaway,
            "AWS_SECRET_ACCESS_KEY": throwaway,
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    client.NOT_FOUND_CONFIRM_SECONDS = 0
    # The provider's one-line messages would drown the figures.
    pulumi.log.warn = pulumi.log.info = lambda *_args, **_kwargs: None
    budget = settings(
        max_examples=100,
        stateful_step_count=50,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    started = time.perf_counter()
    with SocialMessagingEmulator(account=ACCOUNT).running() as emulator:
        os.environ["AWS_ENDPOINT_URL_SOCIALMESSAGING"] = emulator.url
        WabaModel.emulator = emulator
        rounds = 0
        while STATISTICS["steps checked"] < steps:
            run_state_machine_as_test(WabaModel, settings=budget)
            rounds += 1
    elapsed = time.perf_counter() - started
    print(f"WABA destination model: {STATISTICS['steps checked']} steps checked in {rounds} rounds")
    print(f"{'what':<40} {'count':>8}")
    for key, count in sorted(STATISTICS.items()):
        print(f"{key:<40} {count:>8}")
    print(f"{'promises broken':<40} {0:>8}")
    print(f"{'seconds per 1,000 steps':<40} {1000 * elapsed / STATISTICS['steps checked']:>8.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
