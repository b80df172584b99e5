"""`pulumi preview --policy-pack policy-packs/social-messaging-guard`, with the pack's
virtual environment made by `pulumi install` in its folder as the README says."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.e2e.cli import REGION, PulumiWorkspace, project_copy
from tests.e2e.stacks import Stack, connect, producer, sns, write_stack_config
from tests.policy_pack.corpus_cases import POLICY_NAMES

PROGRAMS = Path(__file__).parent / "programs"


def test_the_projects_own_stack_passes_the_pack(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path, policy_pack: Path
) -> None:
    waba_sns = workspace.aws.emulator.link_waba("Orders", region=REGION)
    waba_connect = workspace.aws.emulator.link_waba("Support", region=REGION)
    project = producer(tmp_path, project_venv)
    stack = Stack(workspace, project, "dev").init()
    write_stack_config(project, "dev", [sns(waba_sns), connect(waba_connect)])

    result = stack.preview("--policy-pack", str(policy_pack))

    assert "✅ social-messaging-guard" in result.output
    assert "[mandatory]" not in result.output and "[advisory]" not in result.output


def test_each_policy_refuses_its_bad_shape_at_preview(
    workspace: PulumiWorkspace, tmp_path: Path, project_venv: Path, policy_pack: Path
) -> None:
    program = project_copy(
        PROGRAMS / "violations",
        tmp_path / "violations",
        project_venv,
        ("Pulumi.yaml", "__main__.py"),
    )
    # The program uses the project's WabaEventDestination, as another team's stack would.
    shutil.copytree(
        Path(__file__).resolve().parents[2] / "components",
        program / "components",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    stack = Stack(workspace, program, "bad").init()
    workspace.run(["config", "set", "aws:region", REGION, "--stack", "bad"], cwd=program)
    # The program's WABA is linked: the destination's check reads it (a WABA that is not
    # linked is refused by check, before the pack sees the resource).
    workspace.aws.emulator.link_waba(region=REGION, hex_id="0123456789abcdef0123456789abcdef")

    result = stack.preview("--policy-pack", str(policy_pack), check=False)

    assert result.returncode != 0, result.output
    assert "❌ social-messaging-guard" in result.output
    reported = set(re.findall(r"- \[mandatory\] \[severity: \w+\]\s+([a-z-]+)", result.output))
    assert reported == set(POLICY_NAMES), result.output
    reads = {"GetLinkedWhatsAppBusinessAccount", "ListTagsForResource"}
    assert set(workspace.aws.emulator.operations()) <= reads, "a refused preview writes nothing"
