"""The YAML example and the component provider as a user runs them: copies of
examples/yaml and plugins/social-messaging side by side in a scratch folder, the plugin's
own virtual environment seeing the test venv's packages, and stack files written as a user
would write them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sysconfig
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.cli import REGION, REPO

PLUGIN = REPO / "plugins" / "social-messaging"
EXAMPLE = REPO / "examples" / "yaml"
COMPONENT_TYPE = "social-messaging:index:WhatsAppEventDestinations"


def plugin_copy(root: Path) -> Path:
    """plugins/social-messaging under `root`, with a `venv` of its own whose interpreter
    also sees the test venv's packages (so it holds the project without a second
    install), and requirements that name this checkout's project and constraints."""
    plugin = root / "plugins" / "social-messaging"
    shutil.copytree(PLUGIN, plugin, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    requirements = (PLUGIN / "requirements.txt").read_text()
    requirements = requirements.replace(
        "-c ../../constraints.txt", f"-c {REPO / 'constraints.txt'}"
    )
    requirements = requirements.replace("-e ../..", f"-e {REPO}")
    (plugin / "requirements.txt").write_text(requirements)
    venv = plugin / "venv"
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    site = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # A .pth line that starts with `import` runs: addsitedir also reads that folder's own
    # .pth files, among them the project's editable install.
    test_site = sysconfig.get_paths()["purelib"]
    (Path(site) / "project-venv.pth").write_text(f"import site; site.addsitedir({test_site!r})\n")
    return plugin


def yaml_program(root: Path, project_venv: Path, name: str | None = None) -> Path:
    """examples/yaml under `root` (next to `plugin_copy`'s folder), its virtualenv option
    pointing at `project_venv`; `name` renames the project."""
    program = root / "examples" / "yaml"
    program.mkdir(parents=True)
    project = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())
    project["runtime"]["options"]["virtualenv"] = str(project_venv)
    if name:
        project["name"] = name
    (program / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    return program


def write_yaml_stack_config(
    program: Path, stack: str, orders: str, support: str, connect_instance: str
) -> None:
    """Pulumi.<stack>.yaml with the three settings the example declares (keeps the
    encryption salt the CLI wrote at `stack init`)."""
    name = yaml.safe_load((program / "Pulumi.yaml").read_text())["name"]
    path = program / f"Pulumi.{stack}.yaml"
    document: dict[str, Any] = dict(yaml.safe_load(path.read_text()) or {}) if path.exists() else {}
    document["config"] = {
        "aws:region": REGION,
        f"{name}:ordersWaba": orders,
        f"{name}:supportWaba": support,
        f"{name}:connectInstanceArn": connect_instance,
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def registered(resources: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The resources a stack registered, by URN, with their inputs: everything but the
    stack itself and the default providers. Ids that each deployment draws afresh (a KMS
    key's) are written as the URN of the resource they name."""
    ours = [
        r
        for r in resources
        if r["type"] != "pulumi:pulumi:Stack" and not r["type"].startswith("pulumi:providers:")
    ]
    text = json.dumps({r["urn"]: r.get("inputs") or {} for r in ours})
    for r in ours:
        if r.get("id") and not str(r["id"]).startswith("arn:"):
            text = text.replace(str(r["id"]), f"<id of {r['urn'].rsplit('::', 1)[-1]}>")
    return dict(json.loads(text))
