"""The README's local walkthrough command runs the whole lifecycle and says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.cli import REPO


def test_scripts_walkthrough_runs_every_step_and_leaves_the_wabas_as_they_were(
    pulumi_bin: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "AWS_"))}
    env["PATH"] = os.pathsep.join([str(pulumi_bin.parent), env.get("PATH", "")])
    env["SMD_TEST_PYTHON"] = sys.executable
    done = subprocess.run(
        [str(REPO / "scripts" / "walkthrough")],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    steps = [line for line in done.stdout.splitlines() if line.startswith("==> ")]
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    for step in (
        "pulumi install",
        "pulumi preview --policy-pack",
        "pulumi up",
        "pulumi stack output",
        "examples/consumer: pulumi up",
        "social-messaging-doctor",
        "pulumi destroy",
    ):
        assert any(step in line for line in steps), (step, steps)
    assert sum("destination after destroy: None" in line for line in steps) == 2, steps
    assert steps[-1].startswith("==> done")
