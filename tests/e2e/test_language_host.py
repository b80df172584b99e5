"""The project's Python language host under the real CLI: a stack with no configuration at
all reaches the project's own settings error."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli import PulumiWorkspace
from tests.e2e.stacks import Stack, producer


def test_a_new_stack_without_configuration_gets_the_settings_error(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    """`pulumi stack init staging` then `pulumi preview`: the engine sends no config, and
    the program still runs to the error that says which setting to add."""
    project = producer(tmp_path, project_venv)
    stack = Stack(workspace, project, "staging").init()
    preview = stack.preview(check=False)
    assert preview.returncode != 0
    assert "Invalid stack configuration" in preview.output
    assert "destinations" in preview.output and "pulumi config set" in preview.output
    assert "AttributeError" not in preview.output and "Traceback" not in preview.output
