"""The library, the review's extra and a wheel built from the repository, as users install them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT, WABA_A

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest depends on tomli before Python 3.11
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_library_depends_on_pulumi_aws_and_boto3_only() -> None:
    project = PYPROJECT["project"]
    names = sorted(d.split(">")[0].split("<")[0].split("=")[0] for d in project["dependencies"])
    assert names == ["boto3", "pulumi", "pulumi-aws"]
    review = " ".join(project["optional-dependencies"]["review"])
    assert "pulumi-policy" in review and "PyYAML" in review
    assert "social-messaging-destinations[review]" in project["optional-dependencies"]["dev"]


def test_importing_the_library_loads_no_tooling() -> None:
    code = (
        "import sys, components.settings, components.event_destinations, "
        "components.waba_destination; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pulumi_policy', 'destination_review'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_review_has_a_console_script() -> None:
    scripts = PYPROJECT["project"]["scripts"]
    assert [name for name in scripts if "review" in name] == ["social-messaging-review"]
    assert scripts["social-messaging-review"] == "destination_review.review:run"


def test_every_package_of_the_source_tree_is_in_the_wheel() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("components", "destination_review")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed


PURELIB = "import sysconfig; print(sysconfig.get_paths()['purelib'])"


def source_files() -> list[str]:
    """What a build from the repository sees: tracked and not-ignored files."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the repository, installed into a new virtual
    environment outside it; its dependencies come from this environment's site-packages
    (added as a plain path, so this checkout's editable install is not among them)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    for name in source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name, follow_symlinks=False)
    dist = tmp / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", PURELIB],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (purelib / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return venv


def new_project(folder: Path, name: str) -> Path:
    """What `pulumi new <repository>/template --name <name>` writes: the template's files
    with ${PROJECT} replaced, and the stack file with the answers to its prompts."""
    for path in (ROOT / "template").iterdir():
        text = path.read_text().replace("${PROJECT}", name).replace("${DESCRIPTION}", "demo")
        (folder / path.name).write_text(text)
    (folder / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n"
        f'  {name}:destinations: \'[{{"wabaId": "{WABA_A}", "type": "sns"}}]\'\n'
    )
    return folder


def run_in(venv: Path, folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(folder)}
    return subprocess.run(
        list(argv), cwd=folder, env=env, capture_output=True, text=True, check=False, timeout=300
    )


def test_the_wheel_carries_the_pack_and_runs_the_review_outside_the_repository(
    installed: Path, tmp_path: Path
) -> None:
    folder = new_project(tmp_path, "payments-messaging")
    where = run_in(
        installed,
        folder,
        "python",
        "-c",
        "import destination_review.pack_process as p; print(p.default_pack_dir())",
    )
    assert where.returncode == 0, where.stderr
    pack = Path(where.stdout.strip())
    assert installed in pack.parents and (pack / "PulumiPolicy.yaml").is_file()
    assert not str(pack).startswith(str(ROOT))

    text = run_in(installed, folder, "social-messaging-review", "--stack", "dev")
    assert text.returncode == 0, text.stderr
    assert "Stack dev of project payments-messaging" in text.stdout
    assert "PASS: 0 mandatory violation(s)" in text.stdout
    assert "payments-messaging-dev-events" in text.stdout

    machine = run_in(
        installed,
        folder,
        "python",
        "-m",
        "destination_review",
        "--stack",
        "dev",
        "--json",
        "--account",
        "444455556666",
        "--region",
        "eu-central-1",
    )
    assert machine.returncode == 0, machine.stderr
    report = json.loads(machine.stdout)
    assert report["target"]["accountId"] == "444455556666"
    assert report["mandatoryViolations"] == 0


def test_the_installed_review_reports_usage_errors_with_exit_2(
    installed: Path, tmp_path: Path
) -> None:
    result = run_in(installed, tmp_path, "social-messaging-review", "--stack", "dev")
    assert result.returncode == 2
    assert result.stderr.startswith("review failed: ") and "no Pulumi.yaml" in result.stderr
    assert "Traceback" not in result.stderr
