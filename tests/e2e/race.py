"""Two first `pulumi up`s of one WABA at once, under the real CLI: two stacks of one
project, each signing its calls with its own access key so the emulator can tell them
apart and order their calls (`take_turns`) or slow them down. Shared by
tests/e2e/test_race_first_up.py and `python -m benchmarks.race`.

A round ends with both stacks refreshed and destroyed, and reports what a user would
find: whether both `up`s succeeded and both states claim the WABA (two owners), whether
the claim on the WABA names what it sends to, whether the next refresh showed the loser
that the WABA is not its own, and, after both destroys, whether the WABA sends to a
topic that no longer exists."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from components.waba.claim import claim_from_tags
from components.waba.state import destination_from_api
from tests.e2e.cli import REGION, PulumiWorkspace, Result
from tests.e2e.stacks import WABA_TYPE, Stack, sns, write_stack_config

KEYS = {"a": "AKIAFAKERACESTACKA01", "b": "AKIAFAKERACESTACKB02"}
# A create's calls with verify on: the deciding read, the read after the pre-flight,
# the claim, the read just before the Put, the Put, the confirming read.
DECIDE, REDECIDE, CLAIM, RECHECK, PUT, CONFIRM = 2, 2, 1, 2, 1, 2


def turns(*steps: tuple[str, int]) -> list[str]:
    return [KEYS[stack] for stack, count in steps for _ in range(count)]


# Orderings of the two stacks' calls that a race can take.
ORDERINGS: dict[str, list[str]] = {
    "both-decide-then-both-tag": turns(
        ("a", DECIDE + REDECIDE), ("b", DECIDE + REDECIDE), ("a", CLAIM), ("b", CLAIM)
    ),
    "a-rechecks-before-b-tags": turns(
        ("a", DECIDE + REDECIDE),
        ("b", DECIDE + REDECIDE),
        ("a", CLAIM + RECHECK),
        ("b", CLAIM),
        ("a", PUT),
        ("b", RECHECK),
    ),
    "b-tags-between-a-recheck-and-put": turns(
        ("a", DECIDE + REDECIDE + CLAIM + RECHECK),
        ("b", DECIDE + REDECIDE + CLAIM + RECHECK),
        ("a", PUT + CONFIRM),
    ),
}


@dataclass
class Round:
    """What one race left behind."""

    ups: dict[str, int]
    owners: int
    claim_agrees: bool
    detected: bool
    dead_after_destroys: bool
    tags_after_destroys: bool


def _run(ws: PulumiWorkspace, stack: Stack, *args: str) -> Result:
    return ws.run(
        [*args, "--stack", stack.name],
        cwd=stack.cwd,
        check=False,
        env={"AWS_ACCESS_KEY_ID": KEYS[stack.name[-1]]},
    )


def _both(ws: PulumiWorkspace, stacks: list[Stack], *args: str) -> dict[str, Result]:
    results: dict[str, Result] = {}

    def one(stack: Stack) -> None:
        results[stack.name] = _run(ws, stack, *args)

    threads = [threading.Thread(target=one, args=(stack,)) for stack in stacks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _waba_state(ws: PulumiWorkspace, stack: Stack) -> dict[str, Any] | None:
    exported = ws.run(["stack", "export", "--stack", stack.name], cwd=stack.cwd)
    for resource in json.loads(exported.stdout)["deployment"].get("resources") or []:
        if resource["type"] == WABA_TYPE:
            return dict(resource.get("outputs") or {})
    return None


def topics(ws: PulumiWorkspace) -> set[str]:
    """The SNS topics moto holds now."""
    client = boto3.client(
        "sns",
        region_name=REGION,
        endpoint_url=ws.aws.moto.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return {t["TopicArn"] for t in client.list_topics().get("Topics", [])}


def race(ws: PulumiWorkspace, project: Path, index: int, prepare: Callable[[], None]) -> Round:
    """Stacks r<index>a and r<index>b both declare one fresh WABA; `prepare` sets the
    emulator's ordering or slowness just before both `up`s start."""
    emulator = ws.aws.emulator
    waba = emulator.link_waba(f"Race {index}", region=REGION)
    stacks = [Stack(ws, project, f"r{index}{side}") for side in "ab"]
    for stack in stacks:
        stack.init()
        write_stack_config(project, stack.name, [sns(waba)])
    prepare()
    ups = _both(ws, stacks, "up", "--yes", "--skip-preview")
    emulator.clear_faults()
    emulator.take_turns([])
    states = {stack.name: _waba_state(ws, stack) for stack in stacks}
    owners = sum(
        1
        for name, state in states.items()
        if ups[name].returncode == 0 and state and state.get("ownership") == "created"
    )
    live = emulator.destination(waba)
    claim = claim_from_tags(emulator.tags(waba))
    agrees = claim is None or claim.holds(destination_from_api([live] if live else []))
    refreshed = _both(ws, stacks, "refresh", "--yes", "--skip-preview")
    detected = owners < 2 or any(
        "claimed by" in r.stdout or "~eventDestinationArn" in r.stdout for r in refreshed.values()
    )
    _both(ws, stacks, "destroy", "--yes", "--skip-preview")
    after = emulator.destination(waba)
    dead = after is not None and after["eventDestinationArn"] not in topics(ws)
    return Round(
        {name: result.returncode for name, result in ups.items()},
        owners,
        agrees,
        detected,
        dead,
        bool(emulator.tags(waba)),
    )
