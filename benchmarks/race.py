"""Races of two first `pulumi up`s of one WABA under the real CLI:
`python -m benchmarks.race --rounds 50`.

Each round links a fresh WABA, runs `pulumi up` of two stacks that both declare it at
once, then refreshes and destroys both (tests/e2e/race.py). Rounds cycle through the
orderings of the two stacks' calls the emulator can force and a natural race with every
`socialmessaging` answer slowed. Prints, per kind of round and in all: how many ended
with two owners, with a claim that disagrees with the WABA, with a second owner the
next refresh did not show, and with a dead destination (or claim tags) after both
destroys. Needs the CLI that `scripts/pulumi-cli` builds."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from tests.e2e.cli import PulumiWorkspace, find_pulumi, local_aws
from tests.e2e.race import ORDERINGS, Round, race
from tests.e2e.stacks import producer

SLOW = "slow-answers (0.5 s each)"
KINDS = [*ORDERINGS, SLOW]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    pulumi = find_pulumi()
    if pulumi is None:
        sys.exit("no Pulumi CLI: run scripts/pulumi-cli first")
    found: dict[str, list[Round]] = defaultdict(list)
    with local_aws() as doubles, tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        ws = PulumiWorkspace(pulumi=pulumi, root=root, aws=doubles)
        ws.backend.mkdir()
        project = producer(root, Path(sys.prefix))
        for index in range(args.rounds):
            kind = KINDS[index % len(KINDS)]

            def prepare(kind: str = kind) -> None:
                if kind == SLOW:
                    doubles.emulator.inject(delay=0.5, times=None)
                else:
                    doubles.emulator.take_turns(ORDERINGS[kind], patience=3.0)

            found[kind].append(race(ws, project, index, prepare))
            print(f"round {index + 1}/{args.rounds} {kind}: {found[kind][-1]}", file=sys.stderr)
    print(
        f"{'ordering':<36} {'rounds':>6} {'both up ok':>10} {'two owners':>10} "
        f"{'undetected':>10} {'claim≠WABA':>10} {'dead':>5} {'tags left':>9}"
    )
    everything = [r for rounds in found.values() for r in rounds]
    for kind, rounds in [*found.items(), ("all", everything)]:
        print(
            f"{kind:<36} {len(rounds):>6} "
            f"{sum(sorted(r.ups.values()) == [0, 0] for r in rounds):>10} "
            f"{sum(r.owners == 2 for r in rounds):>10} "
            f"{sum(not r.detected for r in rounds):>10} "
            f"{sum(not r.claim_agrees for r in rounds):>10} "
            f"{sum(r.dead_after_destroys for r in rounds):>5} "
            f"{sum(r.tags_after_destroys for r in rounds):>9}"
        )


if __name__ == "__main__":
    main()
