"""How the live check runs: exit 2 with the missing permission when it cannot, retries
of throttling, pagination, the Regions it checks by default, reads shared between WABAs,
its call budget, and never a write on any path, faults included."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.doctor import CALLS_PER_WABA_BUDGET, listing_calls, measure
from destination_review.doctor import main
from destination_review.live_check import READ_POLICY, offered_regions
from tests.conftest import ROOT
from tests.fakes.fixtures import AwsDoubles
from tests.live_check.builders import channel_role, connect_waba, subscribed_topic
from tests.live_check.conftest import WRITE_PREFIXES, Doctor
from tests.test_packaging import PYPROJECT


def test_access_denied_exits_2_naming_the_permission_and_the_statement(
    aws: AwsDoubles, doctor: Doctor
) -> None:
    aws.emulator.link_waba("Orders", region=aws.region, destination=subscribed_topic(aws))
    aws.emulator.inject("ListTagsForResource", status=403, code="AccessDeniedException")

    code, document = doctor("--region", aws.region)

    assert code == 2
    error = document["error"]
    assert error["kind"] == "access-denied"
    assert "social-messaging:ListTagsForResource" in error["message"]
    statement = json.loads(error["message"].split("this IAM statement (all the check reads): ")[1])
    assert statement == READ_POLICY["Statement"][0]


def test_listing_denied_exits_2(aws: AwsDoubles, doctor: Doctor) -> None:
    aws.emulator.inject(
        "ListLinkedWhatsAppBusinessAccounts", status=403, code="AccessDeniedException"
    )
    code, document = doctor("--region", aws.region)
    assert code == 2
    assert "social-messaging:ListLinkedWhatsAppBusinessAccounts" in document["error"]["message"]


def test_no_credentials_exits_2(
    aws: AwsDoubles, doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    code, document = doctor("--region", aws.region)
    assert code == 2
    assert document["error"]["kind"] == "no-credentials"
    assert "credential chain" in document["error"]["message"]


def test_a_region_that_is_not_one_exits_2(aws: AwsDoubles, doctor: Doctor) -> None:
    code, document = doctor("--region", "eu-westeros-1")
    assert code == 2
    assert document["error"]["kind"] == "bad-input"
    assert "--region: received 'eu-westeros-1'" in document["error"]["message"]
    assert doctor.calls == []


def test_throttling_is_retried(aws: AwsDoubles, doctor: Doctor) -> None:
    aws.emulator.link_waba("Orders", region=aws.region, destination=subscribed_topic(aws))
    for operation in ("ListLinkedWhatsAppBusinessAccounts", "ListTagsForResource"):
        aws.emulator.inject(operation, status=429, code="ThrottledRequestException", times=2)

    code, document = doctor("--region", aws.region)

    assert code == 0, document
    statuses = Counter((c.operation, c.status) for c in aws.emulator.calls)
    assert statuses[("ListTagsForResource", 429)] == 2
    assert statuses[("ListLinkedWhatsAppBusinessAccounts", 429)] == 2


def test_every_page_of_linked_wabas_is_read(aws: AwsDoubles, doctor: Doctor) -> None:
    for index in range(230):
        aws.emulator.link_waba(f"WABA {index}", region=aws.region)

    code, document = doctor("--region", aws.region)

    assert code == 1
    assert document["summary"]["wabas"] == 230
    assert len({w["id"] for w in document["wabas"]}) == 230
    pages = [c for c in aws.emulator.calls if c.operation == "ListLinkedWhatsAppBusinessAccounts"]
    assert [c.params.get("maxResults") for c in pages] == [100, 100, 100]


def test_by_default_every_region_offering_the_service_is_checked(
    aws: AwsDoubles, doctor: Doctor
) -> None:
    regions = offered_regions("aws")
    assert {"us-east-1", "eu-west-1", "ap-southeast-7", "mx-central-1"} <= set(regions)
    assert "aws-global" not in regions
    assert all(not r.startswith(("cn-", "us-gov-")) for r in regions)
    aws.emulator.link_waba("Orders", region="ap-southeast-2", destination=subscribed_topic(aws))

    code, document = doctor()

    assert document["regions"] == regions and document["partition"] == "aws"
    [waba] = document["wabas"]
    assert waba["region"] == "ap-southeast-2"
    listed = {c.region for c in aws.emulator.calls if c.operation.startswith("ListLinked")}
    assert listed == set(regions)


def test_call_budget_and_shared_reads(aws: AwsDoubles, doctor: Doctor) -> None:
    """The budget: per Region one list call per 100 WABAs; per WABA one tag read; per
    distinct topic four reads (attributes, subscriptions, key, key policy); per distinct
    channel role its trust and policies (here three: role, list inline, get inline,
    plus one empty list of attached policies). One identity call."""
    shared = subscribed_topic(aws, name="shared")
    own = subscribed_topic(aws, name="own")
    role = channel_role(aws)
    for index in range(6):
        aws.emulator.link_waba(f"Shared {index}", region=aws.region, destination=shared)
    aws.emulator.link_waba("Own", region=aws.region, destination=own)
    for index in range(3):
        connect_waba(aws, role, name=f"Support {index}")

    code, document = doctor("--region", aws.region)

    assert code == 0, document
    made = Counter(doctor.calls)
    assert made == {
        "sts:GetCallerIdentity": 1,
        "socialmessaging:ListLinkedWhatsAppBusinessAccounts": 1,
        "socialmessaging:ListTagsForResource": 10,
        "sns:GetTopicAttributes": 2,
        "sns:ListSubscriptionsByTopic": 2,
        "kms:DescribeKey": 2,
        "kms:GetKeyPolicy": 2,
        "iam:GetRole": 1,
        "iam:ListRolePolicies": 1,
        "iam:GetRolePolicy": 1,
        "iam:ListAttachedRolePolicies": 1,
    }


@pytest.mark.parametrize(
    ("operation", "status", "code"),
    [
        ("ListLinkedWhatsAppBusinessAccounts", 500, "InternalServiceException"),
        ("ListTagsForResource", 403, "AccessDeniedException"),
        ("ListTagsForResource", 429, "ThrottledRequestException"),
        ("*", 500, "InternalServiceException"),
    ],
)
def test_no_write_on_any_path_faults_included(
    aws: AwsDoubles, doctor: Doctor, operation: str, status: int, code: str
) -> None:
    topic = subscribed_topic(aws)
    aws.emulator.link_waba("Orders", region=aws.region, destination=topic)
    aws.emulator.link_waba("Dropped", region=aws.region)
    connect_waba(aws, channel_role(aws))
    aws.emulator.inject(operation, status=status, code=code, times=None)

    exit_code, _ = doctor("--region", aws.region)

    assert exit_code == 2
    assert doctor.calls, "the check made no call at all"
    writes = [c for c in doctor.calls if c.split(":", 1)[1].startswith(WRITE_PREFIXES)]
    assert writes == []
    assert [c.operation for c in aws.emulator.calls if c.operation.startswith(WRITE_PREFIXES)] == []
    assert aws.emulator.writes == []


def test_the_docs_grant_exactly_what_the_check_reads() -> None:
    page = (ROOT / "docs" / "operations.md").read_text()
    blocks = re.findall(r"```json\n(.*?)```", page, re.DOTALL)
    assert READ_POLICY in [json.loads(block) for block in blocks]


@pytest.mark.parametrize("shared_topic", [False, True])
def test_the_benchmarks_account_holds_the_call_budget(shared_topic: bool) -> None:
    run = measure(wabas=240, regions=2, latency=0.0, concurrency=8, shared_topic=shared_topic)
    assert run.report.healthy and run.wabas == 240
    listing = listing_calls(240, 2)
    assert run.calls["ListLinkedWhatsAppBusinessAccounts"] == listing == 4
    assert run.calls["ListTagsForResource"] == 240
    topics = 2 if shared_topic else 240
    for read in ("GetTopicAttributes", "ListSubscriptionsByTopic", "DescribeKey", "GetKeyPolicy"):
        assert run.calls[read] == topics, read
    assert run.total - listing <= CALLS_PER_WABA_BUDGET * run.wabas


def test_a_long_run_reports_progress_on_stderr(
    aws: AwsDoubles, doctor: Doctor, capsys: pytest.CaptureFixture[str]
) -> None:
    for index in range(6):
        aws.emulator.link_waba(f"WABA {index}", region=aws.region)
    aws.emulator.inject("ListTagsForResource", delay=0.4, times=None)

    code = main(["--region", aws.region, "--concurrency", "1", "--json"])

    captured = capsys.readouterr()
    assert code == 1 and json.loads(captured.out)["summary"]["wabas"] == 6
    progress = [line for line in captured.err.splitlines() if line.startswith("checked ")]
    assert progress and progress[-1].endswith("WABAs listed so far")


def test_a_default_region_the_account_cannot_use_is_skipped_and_named(
    aws: AwsDoubles, doctor: Doctor
) -> None:
    # What an opt-in Region that the account has not enabled answers.
    aws.emulator.inject(
        "ListLinkedWhatsAppBusinessAccounts", status=403, code="UnrecognizedClientException"
    )
    code, document = doctor()
    assert code == 0, document
    [(region, why)] = document["skippedRegions"].items()
    assert "UnrecognizedClientException" in why and region not in document["regions"]

    aws.emulator.inject(
        "ListLinkedWhatsAppBusinessAccounts", status=403, code="UnrecognizedClientException"
    )
    code, document = doctor("--region", aws.region)
    assert code == 2 and document["error"]["kind"] == "failed"


def test_the_console_script_is_installed_and_prints_its_policy() -> None:
    scripts = PYPROJECT["project"]["scripts"]
    assert scripts["social-messaging-doctor"] == "destination_review.doctor:run"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "social-messaging-doctor"), "--print-iam-policy"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == READ_POLICY
