"""The offline review command, run as a reviewer or CI job runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.pulumi_compat import UNKNOWN
from destination_review import review as review_module
from tests.conftest import ROOT, WABA_A, WABA_B
from tests.test_stack_file import BOMB

SIDS = {
    "dev": [
        "EnableAccountAdministration",
        "AllowSocialMessagingToUseKey",
        "AllowAccountOwnerAccess",
        "AllowSocialMessagingPublish",
        "DenyInsecureTransport",
    ],
    "prod": [
        "EnableAccountAdministration",
        "AllowSocialMessagingToUseKey",
        "AllowAccountOwnerAccess",
        "AllowSocialMessagingPublish",
        "DenyInsecureTransport",
        "AllowSocialMessagingToAssumeRole",
        "AllowOperationsForEventDelivery",
        "AllowOperationsForPhoneNumberImport",
    ],
}
UNKNOWN_SENTINEL = UNKNOWN
CONNECT_444 = "arn:aws:connect:eu-west-1:444455556666:instance/aaaabbbb-cccc-dddd-eeee-ffff00001111"


def review(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # No credentials and no endpoints: the review must not need them.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "AWS_CONFIG_FILE": "/nonexistent"}
    return subprocess.run(
        [sys.executable, "-m", "destination_review", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The stderr lines of a failed review: each one problem, no traceback."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith("review failed: ") for line in lines), result.stderr
    return lines


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_example_stacks_pass_and_every_document_is_printed(stack: str) -> None:
    result = review("--stack", stack)
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    for sid in SIDS[stack]:
        assert f'"Sid": "{sid}"' in out
    assert "PASS: 0 mandatory violation(s)" in out
    assert "social-messaging-guard:\n  no violations" in out
    assert "aws:sns/topic:Topic" in out and "fifoTopic: false" in out


def test_json_lists_resources_documents_and_verdicts() -> None:
    result = review("--stack", "prod", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["target"] == {
        "partition": "aws",
        "region": "eu-west-1",
        "accountId": "111122223333",
    }
    types = {r["type"] for r in report["resources"]}
    assert {
        "aws:kms/key:Key",
        "aws:sns/topic:Topic",
        "aws:iam/role:Role",
        "pulumi-python:dynamic/social-messaging:WabaEventDestination",
    } <= types
    sids = [s["Sid"] for d in report["documents"] for s in d["document"]["Statement"]]
    assert sorted(sids) == sorted(SIDS["prod"])
    key = next(d for d in report["documents"] if d["type"] == "aws:kms/key:Key")
    assert key["document"]["Statement"][1]["Condition"]["StringEquals"] == {
        "aws:SourceAccount": "111122223333"
    }
    assert report["verdicts"] == [] and report["mandatoryViolations"] == 0
    assert all("__provider" not in r["properties"] for r in report["resources"])


def test_json_shows_values_unknown_at_preview_in_their_documented_form() -> None:
    result = review("--stack", "dev", "--json")
    assert result.returncode == 0, result.stderr
    assert UNKNOWN_SENTINEL not in result.stdout
    report = json.loads(result.stdout)
    alias = next(r for r in report["resources"] if r["type"] == "aws:kms/alias:Alias")
    assert alias["properties"]["targetKeyId"] == {"$unknown": True}
    text = review("--stack", "dev").stdout
    assert "targetKeyId: <unknown>" in text and UNKNOWN_SENTINEL not in text


def write_stack(tmp_path: Path, text: str | bytes, name: str = "broken") -> Path:
    path = tmp_path / f"Pulumi.{name}.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


BROKEN: dict[str, tuple[str | bytes, str]] = {
    "fifo topic name": (
        "config:\n  destinations:\n"
        "    - {wabaId: waba-0123456789abcdef, type: sns}\n"
        "  topic: {name: events.fifo}\n",
        "topic.name: got 'events.fifo'",
    ),
    "missing connect instance": (
        "config:\n  social-messaging-destinations:destinations:\n"
        "    - {wabaId: waba-0123456789abcdef, type: connect}\n",
        "destinations[0].connectInstanceArn: got nothing",
    ),
    "malformed yaml": (
        "config:\n  destinations: [\n    - wabaId: : x\n",
        "malformed YAML at line",
    ),
    "config is not a map": ("config: [1, 2]\n", "expected a mapping with a 'config:' map"),
    "not UTF-8": (
        "config:\n  tags: {team: caf\xe9}\n".encode("latin-1"),
        "not UTF-8 text (byte 0xe9",
    ),
    "alias bomb in another namespace": (
        "config:\n  other:x:\n"
        + "".join(f"    {line}\n" for line in BOMB.splitlines())
        + "  destinations:\n    - {wabaId: waba-0123456789abcdef, type: sns}\n",
        "config.other:x.",
    ),
    "duplicate key": (
        "config:\n  destinations:\n    - {wabaId: waba-0123456789abcdef, type: sns, type: x}\n",
        "config.destinations[0].type: line 3: mapping key 'type' already defined at line 3",
    ),
    "self-referencing alias": (
        "config:\n  tags: &t {a: *t}\n",
        "config.tags.a: line 2: anchor 't' value contains itself",
    ),
    "aws:region as a list": (
        "config:\n  aws:region: [us-east-1]\n  destinations:\n"
        "    - {wabaId: waba-0123456789abcdef, type: sns}\n",
        "aws:region: got ['us-east-1']; expected a Region name such as 'us-east-1', not a list",
    ),
    "aws:region with a Cyrillic letter": (
        "config:\n  aws:region: us-\u0435ast-1\n  destinations:\n"
        "    - {wabaId: waba-0123456789abcdef, type: sns}\n",
        "(CYRILLIC SMALL LETTER IE) at position 4 is not ASCII",
    ),
    "a set where tags go": (
        "config:\n  tags: !!set {a}\n  destinations:\n"
        "    - {wabaId: waba-0123456789abcdef, type: sns}\n",
        "tags.a: got None; expected a string tag value",
    ),
    "mistyped aws key": (
        "config:\n  aws:regoin: eu-west-1\n  destinations:\n"
        "    - {wabaId: waba-0123456789abcdef, type: sns}\n",
        "aws:regoin: got 'eu-west-1'; expected an aws provider setting (there is no such key; "
        "did you mean aws:region?)",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_stack_file_exits_2_with_one_line(tmp_path: Path, case: str) -> None:
    text, reason = BROKEN[case]
    [line] = errors(review("--stack", "broken", "--stack-file", str(write_stack(tmp_path, text))))
    assert reason in line


def test_values_are_typed_as_the_cli_types_them(tmp_path: Path) -> None:
    text = (
        "config:\n  tags: {since: 2024-01-01, blob: !!binary aGVsbG8=}\n  destinations:\n"
        "    - {wabaId: waba-0123456789abcdef, type: sns}\n"
    )
    result = review("--stack", "typed", "--stack-file", str(write_stack(tmp_path, text)), "--json")
    assert result.returncode == 0, result.stderr
    resources = json.loads(result.stdout)["resources"]
    [topic] = [r for r in resources if r["type"] == "aws:sns/topic:Topic"]
    tags = topic["properties"]["tags"]
    assert tags == {"since": "2024-01-01 00:00:00 +0000 UTC", "blob": "hello"}


def test_missing_stack_file_is_named() -> None:
    [line] = errors(review("--stack", "nosuchstack"))
    assert "Pulumi.nosuchstack.yaml: no such stack file" in line


def test_every_problem_is_its_own_short_line(tmp_path: Path) -> None:
    destinations = [{"wabaId": f"waba-{i:032x}", "type": "sns"} for i in range(26)]
    config = {"config": {"destinations": destinations, "topic": {"name": "x.fifo"}}}
    path = write_stack(tmp_path, yaml.safe_dump(config))
    lines = errors(review("--stack", "broken", "--stack-file", str(path)))
    assert len(lines) == 2
    assert "destinations: got a list of 26 items" in lines[0] and len(lines[0]) < 400
    assert "topic.name: got 'x.fifo'" in lines[1]


def test_account_region_and_partition_flags_reach_every_document() -> None:
    result = review(
        "--stack", "dev", "--json", "--account", "444455556666", "--region", "cn-north-1"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["target"] == {
        "partition": "aws-cn",
        "region": "cn-north-1",
        "accountId": "444455556666",
    }
    key = next(d for d in report["documents"] if d["type"] == "aws:kms/key:Key")
    assert key["document"]["Statement"][1]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "444455556666"},
        "ArnLike": {"aws:SourceArn": "arn:aws-cn:social-messaging:cn-north-1:444455556666:*"},
    }


def test_the_partition_of_a_region_comes_from_botocore() -> None:
    result = review("--stack", "dev", "--json", "--region", "eusc-de-east-1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["target"]["partition"] == "aws-eusc"
    [line] = errors(review("--stack", "dev", "--region", "mars-north-1"))
    assert "'mars-north-1' (--region): not a Region of any AWS partition" in line


def test_the_account_and_region_come_from_the_arns_in_the_config(tmp_path: Path) -> None:
    config = {
        "config": {
            "destinations": [
                {"wabaId": WABA_A, "type": "connect", "connectInstanceArn": CONNECT_444}
            ]
        }
    }
    path = write_stack(tmp_path, yaml.safe_dump(config), "real")
    result = review("--stack", "real", "--stack-file", str(path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["target"] == {
        "partition": "aws",
        "region": "eu-west-1",
        "accountId": "444455556666",
    }
    assert report["targetSources"]["account"] == "from destinations[0].connectInstanceArn"


def test_arns_in_different_accounts_ask_for_an_account(tmp_path: Path) -> None:
    other = CONNECT_444.replace("444455556666", "777788889999")
    destinations = [
        {"wabaId": WABA_A, "type": "connect", "connectInstanceArn": CONNECT_444},
        {"wabaId": WABA_B, "type": "connect", "connectInstanceArn": other},
    ]
    path = write_stack(tmp_path, yaml.safe_dump({"config": {"destinations": destinations}}))
    lines = errors(review("--stack", "broken", "--stack-file", str(path)))
    assert len(lines) == 2
    assert "destinations[0].connectInstanceArn: names account 444455556666" in lines[0]
    assert "destinations[1].connectInstanceArn: names account 777788889999" in lines[1]
    assert all("--account" in line for line in lines)


def test_a_destination_in_another_account_than_the_review_target_is_refused() -> None:
    lines = errors(review("--stack", "prod", "--account", "444455556666"))
    assert "destinations[1].connectInstanceArn" in lines[0]
    assert lines[-1].endswith("account 444455556666 (--account)")


def test_a_pack_config_the_pack_refuses_exits_2_without_traceback(tmp_path: Path) -> None:
    config = tmp_path / "pack.json"
    config.write_text('{"no-such-policy": "mandatory"}')
    [line] = errors(review("--stack", "dev", "--policy-pack-config", str(config)))
    assert "--policy-pack-config" in line and "no-such-policy" in line
    config.write_text("[1]")
    [line] = errors(review("--stack", "dev", "--policy-pack-config", str(config)))
    assert "expected a JSON object" in line


def project(tmp_path: Path, name: str, program: str | None = None) -> Path:
    """A project as `pulumi new --name <name>` makes it, with the repository's program."""
    (tmp_path / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    if program is None:
        shutil.copy(ROOT / "__main__.py", tmp_path / "__main__.py")
    else:
        (tmp_path / "__main__.py").write_text(program)
    return tmp_path


def test_an_unexpected_error_is_one_line_and_a_traceback_only_with_debug(tmp_path: Path) -> None:
    folder = project(tmp_path, "crashing", "raise RuntimeError('boom')\n")
    write_stack(folder, "config: {}\n", "dev")
    [line] = errors(review("--stack", "dev", cwd=folder))
    assert line == "review failed: RuntimeError: boom (run with --debug for the traceback)"
    debug = review("--stack", "dev", "--debug", cwd=folder)
    assert debug.returncode == 2 and "Traceback (most recent call last)" in debug.stderr


def test_the_review_reads_the_namespace_of_the_projects_name(tmp_path: Path) -> None:
    folder = project(tmp_path, "payments-messaging")
    config = {"destinations": [{"wabaId": WABA_A, "type": "sns"}], "aws:region": "eu-west-1"}
    write_stack(folder, yaml.safe_dump({"config": config}), "dev")
    result = review("--stack", "dev", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    topic = next(r for r in report["resources"] if r["type"] == "aws:sns/topic:Topic")
    assert topic["properties"]["name"] == "payments-messaging-dev-events"


def test_settings_of_another_projects_namespace_are_named(tmp_path: Path) -> None:
    folder = project(tmp_path, "payments-messaging")
    config = {"social-messaging-destinations:destinations": [{"wabaId": WABA_A, "type": "sns"}]}
    write_stack(folder, yaml.safe_dump({"config": config}), "dev")
    lines = errors(review("--stack", "dev", cwd=folder))
    assert any(
        "rename 'social-messaging-destinations:destinations' to "
        "'payments-messaging:destinations'" in line
        for line in lines
    )


def test_settings_that_have_no_effect_are_noted(tmp_path: Path) -> None:
    topic = "arn:aws:sns:us-east-1:111122223333:events"
    config = {
        "destinations": [{"wabaId": WABA_A, "type": "sns", "topicArn": topic}],
        "topic": {"protect": True},
    }
    path = write_stack(tmp_path, yaml.safe_dump({"config": config}), "own")
    result = review("--stack", "own", "--stack-file", str(path))
    assert result.returncode == 0, result.stderr
    assert "Note: topic.protect has no effect" in result.stdout


def test_the_pack_starts_before_the_program_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    """So the pack's start overlaps the rendering (the review's speed, see benchmarks)."""
    import destination_review.render as render_module

    events: list[str] = []
    launch, render = review_module.launch_pack, render_module.render

    def launching(*args: Any, **kwargs: Any) -> Any:
        events.append("pack started")
        return launch(*args, **kwargs)

    def rendering(*args: Any, **kwargs: Any) -> Any:
        events.append("program rendered")
        return render(*args, **kwargs)

    monkeypatch.setattr(review_module, "launch_pack", launching)
    monkeypatch.setattr(render_module, "render", rendering)
    result = review_module.review("dev", project_dir=ROOT)
    assert events == ["pack started", "program rendered"]
    assert result.mandatory == []


def test_the_benchmark_prints_the_reviews_time_as_a_ratio_of_its_imports() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.review", "--runs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["stack", "review", "ms", "imports", "ms"]
    for line, stack in zip(lines[1:3], ("dev", "prod"), strict=True):
        name, review_ms, imports_ms, ratio = line.split()
        assert name == stack
        assert float(ratio) == pytest.approx(float(review_ms) / float(imports_ms), abs=0.02)
