"""The toolchain builds from what is committed: Go modules pinned by go.mod and go.sum,
Go sources gofmt-clean and vetted, the CLI cache keyed on those sources, and Python
installs pinned by constraints files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCRIPTS = ROOT / "scripts"
BUILD_SCRIPT = SCRIPTS / "pulumi-cli"
GO_MODULES = (SCRIPTS / "pulumi-language-python", SCRIPTS / "pulumi-language-yaml")
PACK = ROOT / "policy-packs" / "social-messaging-guard"


def go() -> str:
    found = shutil.which("go")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and no Go on PATH (scripts/pulumi-cli needs it)")
        pytest.skip("no Go on PATH: install Go to check the CLI build's modules")
    return found


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize("module", GO_MODULES, ids=lambda p: p.name)
def test_go_module_is_committed_complete_and_tidy(module: Path) -> None:
    """go.mod and go.sum need no change to build: `go mod tidy -diff` prints nothing."""
    assert (module / "go.mod").is_file() and (module / "go.sum").is_file()
    tidy = run([go(), "mod", "tidy", "-diff"], module)
    assert tidy.returncode == 0, tidy.stdout + tidy.stderr
    verify = run([go(), "mod", "verify"], module)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_go_sources_are_gofmt_clean() -> None:
    gofmt = shutil.which("gofmt") or str(Path(go()).parent / "gofmt")
    result = run([gofmt, "-l", *map(str, GO_MODULES)], SCRIPTS)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", f"not gofmt-clean (run gofmt -w): {result.stdout}"


def test_language_host_passes_go_vet() -> None:
    result = run([go(), "vet", "-mod=readonly", "./..."], SCRIPTS / "pulumi-language-python")
    assert result.returncode == 0, result.stdout + result.stderr


def test_build_uses_only_the_committed_modules() -> None:
    """No `go get`, `go mod tidy` or `sed` rewriting go.mod at build time."""
    script = BUILD_SCRIPT.read_text()
    code = [line for line in script.splitlines() if not line.lstrip().startswith("#")]
    assert not [
        line for line in code if "go get" in line or "mod tidy" in line or "mod edit" in line
    ]
    builds = [line for line in code if "go build " in line]
    assert builds and all("-mod=readonly" in line for line in builds)


def _scripts_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "scripts"
    copy.mkdir()
    shutil.copy2(BUILD_SCRIPT, copy / "pulumi-cli")
    for module in GO_MODULES:
        shutil.copytree(module, copy / module.name)
    return copy


def test_a_changed_language_host_source_is_a_new_cache_entry(tmp_path: Path) -> None:
    """The cache folder is named by a hash of the Go sources and go.sum: a changed main.go
    is not built yet (`--path` fails) where the unchanged copy's build is found."""
    copy = _scripts_copy(tmp_path)
    cache = {"SMD_CACHE_DIR": str(tmp_path / "cache")}
    original = run([str(copy / "pulumi-cli"), "--key"], copy, cache).stdout.strip()
    assert original == run([str(BUILD_SCRIPT), "--key"], SCRIPTS).stdout.strip()
    # A built CLI under the original key is found...
    bin_dir = tmp_path / "cache" / f"pulumi-{original}" / "bin"
    bin_dir.mkdir(parents=True)
    version = original.split("-")[0]
    for name in (
        "pulumi-language-python",
        "pulumi-language-python-exec",
        "pulumi-language-yaml",
        "pulumi-language-go",
        "pulumi-language-nodejs",
    ):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    (bin_dir / "pulumi").write_text(f"#!/bin/sh\necho {version}\n")
    (bin_dir / "pulumi").chmod(0o755)
    found = run([str(copy / "pulumi-cli"), "--path"], copy, cache)
    assert found.returncode == 0 and found.stdout.strip() == str(bin_dir)

    # ...and one changed line of the language host is a different key, not built yet.
    main = copy / "pulumi-language-python" / "main.go"
    main.write_text(main.read_text() + "\n// changed\n")
    changed = run([str(copy / "pulumi-cli"), "--key"], copy, cache).stdout.strip()
    assert changed != original and changed.startswith(version + "-")
    assert run([str(copy / "pulumi-cli"), "--path"], copy, cache).returncode == 1

    # So is a change to a package in a subfolder, and to the YAML host's checksums.
    helper = copy / "pulumi-language-python" / "hostserve" / "serve.go"
    helper.write_text(helper.read_text() + "\n// changed\n")
    assert run([str(copy / "pulumi-cli"), "--key"], copy, cache).stdout.strip() != original
    helper.write_text(helper.read_text().removesuffix("\n// changed\n"))
    main.write_text(main.read_text().removesuffix("\n// changed\n"))
    assert run([str(copy / "pulumi-cli"), "--key"], copy, cache).stdout.strip() == original
    go_sum = copy / "pulumi-language-yaml" / "go.sum"
    go_sum.write_text(go_sum.read_text() + "example.com/changed v1.0.0 h1:x=\n")
    assert run([str(copy / "pulumi-cli"), "--key"], copy, cache).stdout.strip() != original


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not pinned with =="
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_constraints_pin_every_installed_distribution_of_the_set_up() -> None:
    """The README's set-up installs with constraints.txt, so a venv made from it holds
    exactly the pinned versions (the project itself aside)."""
    from importlib import metadata

    pins = _pins(ROOT / "constraints.txt")
    for required in ("pulumi", "pulumi-aws", "boto3", "pytest", "pulumi-policy"):
        assert required in pins, required
    installed = {
        (dist.metadata["Name"] or "").lower().replace("_", "-"): dist.version
        # The venv's own packages (not copies vendored by setuptools that pkg_resources
        # puts on sys.path).
        for dist in metadata.distributions(path=[sysconfig.get_paths()["purelib"]])
    }
    installed.pop("social-messaging-destinations", None)
    drift = {
        name: (version, pins.get(name))
        for name, version in installed.items()
        if name in pins and pins[name] != version
    }
    assert not drift, f"installed vs constraints.txt (refresh with scripts/lock-python): {drift}"


def test_the_policy_pack_installs_with_its_own_constraints() -> None:
    requirements = (PACK / "requirements.txt").read_text().splitlines()
    assert "-c constraints.txt" in requirements
    pins = _pins(PACK / "constraints.txt")
    assert {"pulumi", "pulumi-policy"} <= set(pins)
    # The pack's pins agree with the project's where both install the package.
    project = _pins(ROOT / "constraints.txt")
    assert {n: v for n, v in pins.items() if project.get(n, v) != v} == {}
