"""The `Fix:` commands of configuration errors, pasted into bash against a real stack.

A scratch project (a copy of Pulumi.yaml) and a stack on a file backend: a broken
configuration is set with the CLI, each problem's fix command runs through bash as a
user would paste it, and `pulumi config --json` then holds the intended values.
`pulumi config` needs no language host and no cloud.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from components.settings import Problem, check_configuration
from components.settings.schema import EXAMPLE_WABA
from tests.conftest import NS, ROOT, WABA_A

pytestmark = pytest.mark.e2e


class Stack:
    """One stack of a scratch copy of the project, with its own Pulumi home and state."""

    def __init__(self, pulumi: Path, root: Path) -> None:
        self.project = root / "project"
        self.project.mkdir()
        shutil.copy(ROOT / "Pulumi.yaml", self.project / "Pulumi.yaml")
        (root / "home").mkdir()
        (root / "state").mkdir()
        self.env = {
            "PATH": f"{pulumi.parent}:/usr/bin:/bin",
            "HOME": str(root),
            "PULUMI_HOME": str(root / "home"),
            "PULUMI_BACKEND_URL": f"file://{root / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": "fix-commands-not-a-secret",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        }
        self.bash(f"pulumi login file://{root / 'state'}")
        self.bash("pulumi stack init dev")

    def bash(self, command: str) -> str:
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, f"$ {command}\n{result.stdout}{result.stderr}"
        return result.stdout

    def config(self) -> dict[str, Any]:
        """Full key -> value, as the engine gives them to the program."""
        raw = json.loads(self.bash("pulumi config --json"))
        return {key: entry.get("objectValue", entry.get("value")) for key, entry in raw.items()}

    def problems(self) -> tuple[Problem, ...]:
        return check_configuration(self.config(), NS, "dev").problems


@pytest.fixture()
def stack(pulumi_bin: Path, tmp_path: Path) -> Stack:
    assert os.access(pulumi_bin, os.X_OK)
    return Stack(pulumi_bin, tmp_path)


def test_each_fix_command_works_when_pasted_into_bash(stack: Stack) -> None:
    # A configuration with one problem of each kind a fix command addresses.
    for command in (
        f"pulumi config set --path 'destinations[0].wabaId' {WABA_A}",
        "pulumi config set --path 'destinations[0].type' connect",  # no instance ARN
        "pulumi config set --path 'destinations[0].takeover' maybe",
        "pulumi config set --path tags.costCenter 1234",  # stored as a number
        "pulumi config set --path 'tags[\"AWS:Owner\"]' me",  # a reserved key
        "pulumi config set --path 'topic.name' events.fifo",  # unused: no SNS destination
        "pulumi config set --path 'connectRole.name' rôle",  # non-ASCII
        "pulumi config set aws:regoin eu-west-1",  # a typo
    ):
        stack.bash(command)
    before = {p.path: p.fix for p in stack.problems()}
    assert set(before) == {
        "aws:regoin",
        "connectRole.name",
        "destinations[0].connectInstanceArn",
        "destinations[0].takeover",
        'tags["AWS:Owner"]',
        "tags.costCenter",
    }, before

    for fix in before.values():
        assert fix.startswith("pulumi config ")
        stack.bash(fix)

    assert stack.problems() == ()
    config = stack.config()
    assert config["aws:region"] == "eu-west-1" and "aws:regoin" not in config
    assert config[f"{NS}:tags"] == {"costCenter": "1234"}
    destination = config[f"{NS}:destinations"][0]
    assert destination["takeover"] is False
    assert destination["connectInstanceArn"].endswith(
        ":connect:us-east-1:111122223333:instance/aaaabbbb-cccc-dddd-eeee-ffff00001111"
    )
    assert config[f"{NS}:connectRole"] == {"name": "whatsapp-connect-channel"}


def test_a_missing_destinations_list_is_fixed_by_its_commands(stack: Stack) -> None:
    [problem] = stack.problems()
    assert problem.path == "destinations"
    stack.bash(problem.fix)
    assert stack.problems() == ()
    assert stack.config()[f"{NS}:destinations"] == [{"wabaId": EXAMPLE_WABA, "type": "sns"}]
