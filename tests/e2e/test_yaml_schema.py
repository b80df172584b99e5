"""The component provider's schema from the real CLI (`pulumi package get-schema`), and
SDKs generated from it (`pulumi package gen-sdk`), the Go one compiled against the
served sdk/v3."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components.settings import (
    TOP_LEVEL_KEYS,
    ConnectRoleSettings,
    DestinationSettings,
    StackSettings,
    TopicSettings,
    model_keys,
    required_keys,
)
from tests.e2e.cli import REPO, LocalAws, PulumiWorkspace
from tests.e2e.test_lifecycle import README_DESTINATION_KEYS, README_OUTPUTS
from tests.e2e.yaml_program import COMPONENT_TYPE, plugin_copy

GO_TEST_MODULE = REPO / "tests" / "sdk" / "go"
TYPESCRIPT_CHECK = REPO / "tests" / "sdk" / "nodejs"
PACKAGE = "social-messaging"


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


@pytest.fixture(scope="module")
def cli(
    pulumi_bin: Path, aws_doubles: LocalAws, tmp_path_factory: pytest.TempPathFactory
) -> PulumiWorkspace:
    ws = PulumiWorkspace(pulumi=pulumi_bin, root=tmp_path_factory.mktemp("schema"), aws=aws_doubles)
    ws.backend.mkdir()
    return ws


@pytest.fixture(scope="module")
def schema_file(cli: PulumiWorkspace) -> Path:
    plugin = plugin_copy(cli.root)
    got = cli.run(["package", "get-schema", str(plugin)], cwd=cli.root)
    path = cli.root / "schema.json"
    path.write_text(got.stdout)
    return path


def test_schema_inputs_mirror_the_stack_settings_and_outputs_the_stack_outputs(
    schema_file: Path,
) -> None:
    schema = json.loads(schema_file.read_text())
    assert schema["name"] == PACKAGE
    assert list(schema["resources"]) == [COMPONENT_TYPE]
    component = schema["resources"][COMPONENT_TYPE]
    assert component["isComponent"] is True
    # Inputs: the settings' names, required as the settings require them.
    assert set(component["inputProperties"]) == set(TOP_LEVEL_KEYS)
    assert set(component["requiredInputs"]) == required_keys(StackSettings)
    assert all(p.get("plain") for p in component["inputProperties"].values())
    types = schema["types"]
    for type_name, model in (
        ("Destination", DestinationSettings),
        ("Topic", TopicSettings),
        ("ConnectRole", ConnectRoleSettings),
    ):
        spec = types[f"{PACKAGE}:index:{type_name}"]
        assert set(spec["properties"]) == set(model_keys(model)), type_name
        assert set(spec.get("required", [])) == required_keys(model), type_name
    # Outputs: the Python program's stack outputs, each destination's documented keys.
    assert set(component["properties"]) == README_OUTPUTS
    result = types[f"{PACKAGE}:index:DestinationResult"]
    assert set(result["properties"]) == README_DESTINATION_KEYS
    # No reference to another package: only its own types.
    assert all(ref.startswith(f"#/types/{PACKAGE}:index:") for ref in _refs(schema))
    assert not schema.get("dependencies")


def _tool(name: str, why: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and no {name} on PATH")
        pytest.skip(f"no {name} on PATH: install it to {why}")
    return found


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=900, check=False)


def test_generated_go_sdk_compiles_against_the_served_sdk(
    cli: PulumiWorkspace, schema_file: Path, tmp_path: Path
) -> None:
    go = _tool("go", "compile the generated Go SDK")
    out = tmp_path / "sdk"
    cli.run(
        ["package", "gen-sdk", str(schema_file), "--language", "go", "--out", str(out)],
        cwd=tmp_path,
    )
    module = tmp_path / "module"
    module.mkdir()
    for name in ("go.mod", "go.sum"):
        shutil.copy2(GO_TEST_MODULE / name, module / name)
    # The generated package imports itself as <module>/social-messaging.
    shutil.copytree(out / "go" / "socialmessaging", module / PACKAGE)
    assert (module / PACKAGE / "whatsAppEventDestinations.go").is_file()
    vet = _run([go, "vet", "-mod=readonly", "./..."], module)
    assert vet.returncode == 0, vet.stdout + vet.stderr


def test_generated_typescript_sdk_type_checks(
    cli: PulumiWorkspace, schema_file: Path, tmp_path: Path
) -> None:
    """Generated, then type-checked by tsc with the @pulumi/pulumi and @types/node that
    tests/sdk/nodejs/package-lock.json pins (installed with `npm ci`)."""
    npm = _tool("npm", "type-check the generated TypeScript SDK")
    out = tmp_path / "check" / "sdk"
    cli.run(
        ["package", "gen-sdk", str(schema_file), "--language", "nodejs", "--out", str(out)],
        cwd=tmp_path,
    )
    sdk = out / "nodejs"
    package = json.loads((sdk / "package.json").read_text())
    assert package["pulumi"] == {"resource": True, "name": PACKAGE, "version": "0.1.0"}
    component = (sdk / "whatsAppEventDestinations.ts").read_text()
    assert f"__pulumiType = '{COMPONENT_TYPE}'" in component
    assert "export class WhatsAppEventDestinations extends pulumi.ComponentResource" in component
    inputs = (sdk / "types" / "input.ts").read_text()
    for name in model_keys(DestinationSettings):
        assert f"{name}?:" in inputs or f"{name}:" in inputs, name
    check = tmp_path / "check"
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(TYPESCRIPT_CHECK / name, check / name)
    installed = _run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], check)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    tsc = _run([str(check / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", str(sdk)], check)
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
