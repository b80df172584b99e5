"""socialmessaging calls per command of the WABA destination, on the engine's gRPC path:
`python -m benchmarks.waba_calls`. Starts the emulator and `python -m pulumi.dynamic`
from the project root, runs preview, create (a takeover), update, refresh and delete,
and prints each command's calls against its budget (pre-flight reads not counted)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pulumi.dynamic.dynamic import serialize_provider

from components.waba_destination import WabaEventDestinationProvider
from tests.fakes.socialmessaging import SocialMessagingEmulator
from tests.waba.budgets import BUDGETS, PUT, measure
from tests.waba.engine import Engine, dynamic_provider

REGION = "eu-west-1"
ACCOUNT = "123456789012"


def main() -> None:
    throwaway = "benchmark"
    with SocialMessagingEmulator(account=ACCOUNT).running() as emulator:
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": throwaway,
            "AWS_SECRET_ACCESS_KEY": throwaway,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_SOCIALMESSAGING": emulator.url,
        }
        with tempfile.TemporaryDirectory() as scratch:
            with dynamic_provider(env, Path(scratch) / "provider.stderr") as stub:
                engine = Engine(stub, serialize_provider(WabaEventDestinationProvider()))
                calls = measure(engine, emulator, REGION, ACCOUNT)
    print(f"{'command':<19} {'calls':>5} {'budget':>6} {'Puts':>4}  operations")
    for command, made in calls.items():
        most, _ = BUDGETS[command]
        print(
            f"{command:<19} {len(made):>5} {most:>6} {made.count(PUT):>4}  {', '.join(made) or '-'}"
        )


if __name__ == "__main__":
    main()
