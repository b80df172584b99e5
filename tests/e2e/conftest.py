"""Fixtures for the real-CLI tests (marker `e2e`).

The CLI is the one `scripts/pulumi-cli` built (or a `pulumi` on PATH). In CI (CI=true) a
missing CLI is a failure; elsewhere these tests skip with one line that names the
command that enables them.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cli import REPO, LocalAws, PulumiWorkspace, find_pulumi, local_aws

ENABLE = "scripts/pulumi-cli (builds the Pulumi CLI from Go modules into ~/.cache)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def pulumi_bin() -> Path:
    """The Pulumi CLI binary."""
    found = find_pulumi()
    if found is None:
        message = f"no Pulumi CLI: run {ENABLE}, or put a pulumi on PATH"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {message}")
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def aws_doubles() -> Iterator[LocalAws]:
    with local_aws() as doubles:
        yield doubles


@pytest.fixture()
def workspace(pulumi_bin: Path, aws_doubles: LocalAws, tmp_path: Path) -> Iterator[PulumiWorkspace]:
    """A fresh Pulumi home and state backend; the transcript is printed on failure."""
    aws_doubles.reset()
    ws = PulumiWorkspace(pulumi=pulumi_bin, root=tmp_path, aws=aws_doubles)
    ws.backend.mkdir()
    yield ws


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        transcript = getattr(item, "funcargs", {}).get("workspace")
        if report.failed and transcript is not None:
            report.sections.append(("Pulumi CLI transcript", transcript.text()))


@pytest.fixture(scope="session")
def project_venv() -> Path:
    """The virtual environment that runs the tests; it has the project installed."""
    return Path(sys.prefix)


@pytest.fixture(scope="session")
def policy_pack(
    pulumi_bin: Path, aws_doubles: LocalAws, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A copy of the policy pack whose virtual environment `pulumi install` made, as the
    README tells users to do."""
    pack = tmp_path_factory.mktemp("pack") / "social-messaging-guard"
    shutil.copytree(
        REPO / "policy-packs" / "social-messaging-guard",
        pack,
        ignore=shutil.ignore_patterns("venv", "__pycache__"),
    )
    ws = PulumiWorkspace(
        pulumi=pulumi_bin, root=tmp_path_factory.mktemp("pack-home"), aws=aws_doubles
    )
    ws.backend.mkdir()
    ws.run(["install"], cwd=pack)
    return pack
