"""Two first `pulumi up`s of one WABA at once under the real CLI (two stacks), in each
ordering of their calls the emulator can force and with slow answers: one owner at
most, a claim that names what the WABA sends to, a second owner (if any) shown by the
next refresh, and no WABA left sending to a deleted topic after both destroys."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import PulumiWorkspace
from tests.e2e.race import ORDERINGS, race
from tests.e2e.stacks import producer


@pytest.mark.parametrize("ordering", [*ORDERINGS, "slow-answers"])
def test_two_first_ups_leave_one_owner_and_nothing_dead(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path, ordering: str
) -> None:
    emulator = workspace.aws.emulator
    project = producer(tmp_path, project_venv)

    def prepare() -> None:
        if ordering == "slow-answers":
            emulator.inject(delay=0.5, times=None)
        else:
            emulator.take_turns(ORDERINGS[ordering], patience=3.0)

    found = race(workspace, project, 0, prepare)

    assert found.owners <= 1, found
    assert found.claim_agrees, found
    assert found.detected, found
    assert not found.dead_after_destroys and not found.tags_after_destroys, found
    if ordering != "slow-answers":
        assert sorted(found.ups.values()) != [0, 0], found  # the API let one of them through
