"""The program under the real CLI (config through the engine and pulumi.Config) and the
offline review (the stack file read as the CLI reads it) reach the same verdict, with
the same line, for a value both see."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.cli import REGION, PulumiWorkspace
from tests.e2e.stacks import Stack, producer, sns, write_stack_config

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("region", "named"),
    [
        ("us-\u0435ast-1", "(CYRILLIC SMALL LETTER IE) at position 4 is not ASCII"),
        (["us-east-1"], "expected a Region name such as 'us-east-1', not a list"),
    ],
)
def test_an_invalid_region_fails_the_program_and_the_review_with_one_line(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path, region: object, named: str
) -> None:
    waba = workspace.aws.emulator.link_waba("Orders", region=REGION)
    project = producer(tmp_path, project_venv)
    stack = Stack(workspace, project, "dev").init()
    write_stack_config(project, "dev", [sns(waba)], extra={"aws:region": region})

    preview = stack.preview(check=False)
    assert preview.returncode != 0
    [program_line] = [x for x in preview.output.splitlines() if "aws:region: got" in x]
    assert named in program_line

    review = subprocess.run(
        [
            sys.executable,
            "-m",
            "destination_review",
            "--stack",
            "dev",
            "--project-dir",
            str(project),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert review.returncode == 2, review.stdout + review.stderr
    [review_line] = review.stderr.strip().splitlines()
    problem = review_line.split("Pulumi.dev.yaml: ", 1)[1]
    assert program_line.strip().removeprefix("- ") == problem
