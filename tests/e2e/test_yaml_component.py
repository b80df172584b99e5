"""The component from Pulumi YAML under the real CLI: examples/yaml with the
social-messaging component provider, preview, up, a second up, a bad input, destroy; and
the same resources as the Python program for the same settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import ACCOUNT, REGION, PulumiWorkspace
from tests.e2e.stacks import (
    CONNECT_INSTANCE,
    PROJECT,
    Stack,
    connect,
    producer,
    sns,
    write_stack_config,
)
from tests.e2e.test_lifecycle import README_DESTINATION_KEYS
from tests.e2e.yaml_program import (
    COMPONENT_TYPE,
    plugin_copy,
    registered,
    write_yaml_stack_config,
    yaml_program,
)


@pytest.fixture(scope="module")
def plugin_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder holding plugins/social-messaging with its virtual environment."""
    root = tmp_path_factory.mktemp("yaml")
    plugin_copy(root)
    return root


def _yaml_stack(
    workspace: PulumiWorkspace, root: Path, project_venv: Path, name: str | None = None
) -> Stack:
    program_root = workspace.root / (name or "example")  # per test
    program_root.mkdir()
    (program_root / "plugins").symlink_to(root / "plugins", target_is_directory=True)
    program = yaml_program(program_root, project_venv, name)
    return Stack(workspace, program, "dev").init()


def _export(stack: Stack) -> list[dict[str, Any]]:
    """The stack's resources with secrets in plain text (each stack encrypts its own)."""
    exported = stack.run("stack", "export", "--show-secrets")
    return list(json.loads(exported.stdout)["deployment"]["resources"])


def test_yaml_program_preview_up_again_and_destroy(
    workspace: PulumiWorkspace, plugin_root: Path, project_venv: Path
) -> None:
    aws = workspace.aws
    orders = aws.emulator.link_waba("Orders", region=REGION)
    support = aws.emulator.link_waba("Support", region=REGION)
    stack = _yaml_stack(workspace, plugin_root, project_venv)
    write_yaml_stack_config(stack.cwd, "dev", orders, support, CONNECT_INSTANCE)

    preview = stack.preview("--json")
    steps = json.loads(preview.stdout)["steps"]
    assert {s["op"] for s in steps} == {"create"}
    assert COMPONENT_TYPE in {s["urn"].split("::")[-2].split("$")[-1] for s in steps}
    assert aws.emulator.destination(orders) is None, "preview must not write"
    assert aws.emulator.destination(support) is None, "preview must not write"

    stack.up()
    outputs = stack.outputs()
    topic_arn = outputs["topicArn"]
    assert topic_arn.startswith(f"arn:aws:sns:{REGION}:{ACCOUNT}:")
    assert outputs["kmsKeyArn"].startswith(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/")
    entries = outputs["destinations"]
    assert [e["wabaId"] for e in entries] == [orders, support]
    assert [e["ownership"] for e in entries] == ["created", "created"]
    for entry in entries:
        assert set(entry) <= README_DESTINATION_KEYS, sorted(set(entry) - README_DESTINATION_KEYS)
    assert aws.emulator.destination(orders) == {"eventDestinationArn": topic_arn}
    assert aws.emulator.destination(support) == {
        "eventDestinationArn": CONNECT_INSTANCE,
        "roleArn": outputs["connectRoleArn"],
    }

    again = stack.up("--expect-no-changes")
    assert again.returncode == 0

    stack.destroy()
    assert aws.emulator.destination(orders) is None
    assert aws.emulator.destination(support) is None
    assert stack.resources() == []


def test_a_bad_input_is_named_by_its_property_without_a_traceback(
    workspace: PulumiWorkspace, plugin_root: Path, project_venv: Path
) -> None:
    aws = workspace.aws
    support = aws.emulator.link_waba("Support", region=REGION)
    stack = _yaml_stack(workspace, plugin_root, project_venv)
    write_yaml_stack_config(stack.cwd, "dev", "not-a-waba", support, CONNECT_INSTANCE)

    preview = stack.preview(check=False)
    assert preview.returncode != 0
    assert "destinations[0].wabaId" in preview.output
    assert "'not-a-waba'" in preview.output
    assert "set the property destinations[0].wabaId" in preview.output
    assert "pulumi config set" not in preview.output
    assert "Traceback" not in preview.output and 'File "' not in preview.output
    assert aws.emulator.destination(support) is None


def test_python_and_yaml_programs_register_the_same_resources(
    workspace: PulumiWorkspace, plugin_root: Path, project_venv: Path, tmp_path: Path
) -> None:
    aws = workspace.aws
    orders = aws.emulator.link_waba("Orders", region=REGION)
    support = aws.emulator.link_waba("Support", region=REGION)

    python = Stack(workspace, producer(tmp_path, project_venv), "dev").init()
    write_stack_config(python.cwd, "dev", [sns(orders), connect(support)])
    python.up()
    from_python = registered(_export(python))
    python.destroy()
    workspace.run(["stack", "rm", "--yes", "dev"], cwd=python.cwd)

    # The YAML program under the Python project's name, for the same default names.
    stack = _yaml_stack(workspace, plugin_root, project_venv, PROJECT)
    write_yaml_stack_config(stack.cwd, "dev", orders, support, CONNECT_INSTANCE)
    stack.up()
    from_yaml = registered(_export(stack))
    stack.destroy()

    assert sorted(from_yaml) == sorted(from_python)
    differing = {
        (urn.rsplit("::", 1)[-1], key)
        for urn, inputs in from_python.items()
        for key in set(inputs) | set(from_yaml[urn])
        if inputs.get(key) != from_yaml[urn].get(key)
    }
    assert not differing, sorted(differing)
