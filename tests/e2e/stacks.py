"""The project's own program as a user deploys it: a copy of Pulumi.yaml, __main__.py and
components/ in a scratch folder, the test venv as its `venv`, and stack files written as
a user would write them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.cli import ACCOUNT, REGION, REPO, PulumiWorkspace, Result, project_copy

PROJECT = "social-messaging-destinations"
PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "components")
CONSUMER_FILES = ("Pulumi.yaml", "__main__.py", "consumer")
CONNECT_INSTANCE = (
    f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/aaaabbbb-cccc-dddd-eeee-ffff00001111"
)
WABA_TYPE = "pulumi-python:dynamic/social-messaging:WabaEventDestination"


def producer(tmp: Path, venv: Path, name: str = "producer") -> Path:
    return project_copy(REPO, tmp / name, venv, PROJECT_FILES)


def consumer(tmp: Path, venv: Path) -> Path:
    return project_copy(REPO / "examples" / "consumer", tmp / "consumer", venv, CONSUMER_FILES)


def sns(waba_id: str, **extra: Any) -> dict[str, Any]:
    return {"wabaId": waba_id, "type": "sns", **extra}


def connect(waba_id: str, **extra: Any) -> dict[str, Any]:
    return {"wabaId": waba_id, "type": "connect", "connectInstanceArn": CONNECT_INSTANCE, **extra}


def write_stack_config(
    project_dir: Path,
    stack: str,
    destinations: Sequence[Mapping[str, Any]],
    *,
    namespace: str = PROJECT,
    topic: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Pulumi.<stack>.yaml with the settings a user sets (keeps the encryption salt the
    CLI wrote at `stack init`)."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    existing = yaml.safe_load(path.read_text()) if path.exists() else {}
    document = dict(existing or {})
    config = {
        "aws:region": REGION,
        f"{namespace}:destinations": [dict(d) for d in destinations],
        f"{namespace}:topic": {"keyDeletionWindowDays": 7, "protect": False, **(topic or {})},
        f"{namespace}:tags": {"environment": stack},
    }
    config.update(extra or {})
    document["config"] = config
    path.write_text(yaml.safe_dump(document, sort_keys=False))


@dataclass
class Stack:
    """One stack of a project folder, driven through the CLI."""

    ws: PulumiWorkspace
    cwd: Path
    name: str

    def init(self) -> Stack:
        self.ws.run(["stack", "init", self.name], cwd=self.cwd)
        return self

    def run(self, *args: str, check: bool = True) -> Result:
        return self.ws.run([*args, "--stack", self.name], cwd=self.cwd, check=check)

    def up(self, *args: str, check: bool = True) -> Result:
        return self.run("up", "--yes", "--skip-preview", *args, check=check)

    def preview(self, *args: str, check: bool = True) -> Result:
        return self.run("preview", *args, check=check)

    def destroy(self, *args: str, check: bool = True) -> Result:
        return self.run("destroy", "--yes", "--skip-preview", *args, check=check)

    def refresh(self, *args: str, check: bool = True) -> Result:
        return self.run("refresh", "--yes", "--skip-preview", *args, check=check)

    def outputs(self) -> dict[str, Any]:
        result = self.ws.run(
            ["stack", "output", "--json", "--show-secrets", "--stack", self.name], cwd=self.cwd
        )
        return json.loads(result.stdout)

    def resources(self) -> list[dict[str, Any]]:
        exported = self.ws.run(["stack", "export", "--stack", self.name], cwd=self.cwd)
        return list(json.loads(exported.stdout)["deployment"].get("resources") or [])

    def urns(self, type_: str) -> list[str]:
        return [r["urn"] for r in self.resources() if r["type"] == type_]


def history(ws: PulumiWorkspace, waba: str, since: int = 0) -> list[dict[str, str] | None]:
    """The WABA's destination after each change, in order (the emulator's history of
    writes: Puts that took effect and out-of-band changes)."""
    writes = ws.aws.emulator.writes[since:]
    assert all(w.waba_id.startswith("waba-") for w in writes)
    return [w.after for w in writes if w.waba_id == waba]


def deployed(
    ws: PulumiWorkspace, tmp: Path, venv: Path, **destination: Any
) -> tuple[Stack, str, str]:
    """A linked WABA and the project's dev stack, up with that WABA on its topic: the
    stack, the WABA's id and the topic's ARN. The history holds the create's one write,
    so an empty destination later would show."""
    waba = ws.aws.emulator.link_waba("Orders", region=REGION)
    project = producer(tmp, venv)
    stack = Stack(ws, project, "dev").init()
    write_stack_config(project, "dev", [sns(waba, **destination)])
    stack.up()
    topic_arn = stack.outputs()["topicArn"]
    assert history(ws, waba) == [{"eventDestinationArn": topic_arn}]
    return stack, waba, topic_arn
