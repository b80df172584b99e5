"""`pulumi preview` refuses, in one message and without a traceback, a WABA that a
stack of this project or of another project owns; `takeover` works across projects."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli import PulumiWorkspace
from tests.e2e.stacks import PROJECT, Stack, deployed, producer, sns, write_stack_config

OTHER_PROJECT = "orders-destinations"


def _other_project(tmp_path: Path, venv: Path) -> Path:
    folder = producer(tmp_path, venv, name="other")
    manifest = folder / "Pulumi.yaml"
    manifest.write_text(manifest.read_text().replace(f"name: {PROJECT}", f"name: {OTHER_PROJECT}"))
    return folder


def _refused_at_preview(stack: Stack, waba: str, ours: str, owner: str) -> str:
    calls = len(stack.ws.aws.emulator.writes)
    preview = stack.preview(check=False)
    assert preview.returncode != 0
    assert "Traceback" not in preview.output
    text = " ".join(preview.output.split())
    assert f"WABA {waba} already sends its events to {ours}" in text
    assert f"of stack '{owner}'" in text
    assert "takeover" in text and "declare it" in text
    assert len(stack.ws.aws.emulator.writes) == calls  # preview wrote nothing
    return text


def test_a_second_stack_is_refused_at_preview_naming_the_owner(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    first, waba, ours = deployed(workspace, tmp_path, project_venv)
    second = Stack(workspace, first.cwd, "staging").init()
    write_stack_config(first.cwd, "staging", [sns(waba)])

    _refused_at_preview(second, waba, ours, f"{PROJECT}/dev")

    up = second.up(check=False)
    assert up.returncode != 0 and "Traceback" not in up.output
    assert workspace.aws.emulator.destination(waba) == {"eventDestinationArn": ours}


def test_a_second_project_is_refused_then_takes_over_and_gives_the_waba_back(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path
) -> None:
    first, waba, ours = deployed(workspace, tmp_path, project_venv)
    folder = _other_project(tmp_path, project_venv)
    other = Stack(workspace, folder, "dev").init()
    write_stack_config(folder, "dev", [sns(waba)], namespace=OTHER_PROJECT)

    _refused_at_preview(other, waba, ours, f"{PROJECT}/dev")
    up = other.up(check=False)
    assert up.returncode != 0 and "Traceback" not in up.output
    assert workspace.aws.emulator.destination(waba) == {"eventDestinationArn": ours}

    write_stack_config(folder, "dev", [sns(waba, takeover=True)], namespace=OTHER_PROJECT)
    other.up()
    theirs = other.outputs()["topicArn"]
    assert theirs != ours
    assert workspace.aws.emulator.destination(waba) == {"eventDestinationArn": theirs}
    other.destroy()
    assert workspace.aws.emulator.destination(waba) == {"eventDestinationArn": ours}
    again = first.preview("--json")
    assert {s["op"] for s in json.loads(again.stdout)["steps"]} == {"same"}
    first.up()
    assert workspace.aws.emulator.destination(waba) == {"eventDestinationArn": ours}
