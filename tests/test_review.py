"""The offline review command, run as a reviewer or CI job runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

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


def review(*args: str) -> subprocess.CompletedProcess[str]:
    # No credentials and no endpoints: the review must not need them.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "AWS_CONFIG_FILE": "/nonexistent"}
    return subprocess.run(
        [sys.executable, "-m", "destination_review.review", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


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


def write_stack(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(text)
    return path


BROKEN = {
    "fifo topic name": (
        "config:\n  social-messaging-destinations:destinations:\n"
        "    - {wabaId: waba-0123456789abcdef, type: sns}\n"
        "  social-messaging-destinations:topic: {name: events.fifo}\n",
        "topic.name: got 'events.fifo'",
    ),
    "missing connect instance": (
        "config:\n  social-messaging-destinations:destinations:\n"
        "    - {wabaId: waba-0123456789abcdef, type: connect}\n",
        "destinations[0].connectInstanceArn: got nothing",
    ),
    "malformed yaml": (
        "config:\n  social-messaging-destinations:destinations: [\n    - wabaId: : x\n",
        "malformed YAML at line",
    ),
    "config is not a map": ("config: [1, 2]\n", "expected a mapping with a 'config:' map"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_stack_file_exits_non_zero_with_one_line(tmp_path: Path, case: str) -> None:
    text, reason = BROKEN[case]
    result = review("--stack", "broken", "--stack-file", str(write_stack(tmp_path, text)))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("review failed: ") and reason in lines[0]


def test_missing_stack_file_is_named() -> None:
    result = review("--stack", "nosuchstack")
    assert result.returncode == 2
    assert "Pulumi.nosuchstack.yaml: no such stack file" in result.stderr


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


def test_a_destination_in_another_account_than_the_review_target_is_refused() -> None:
    result = review("--stack", "prod", "--account", "444455556666")
    assert result.returncode == 2
    assert "destinations[1].connectInstanceArn" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
