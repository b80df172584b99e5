"""The live check against moto and the socialmessaging emulator: one test per problem it
reports, each read from --json (kind, the WABA, the exit code), and the healthy case."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from components.policy_documents import connect_channel_trust_policy
from tests.fakes.fixtures import AwsDoubles
from tests.live_check.builders import channel_role, claim, connect_waba, subscribe, subscribed_topic
from tests.live_check.conftest import Doctor
from tests.waba.builders import connect_instance, key_policy, make_key, make_topic, topic_policy


def only_waba(document: dict[str, Any]) -> dict[str, Any]:
    [waba] = document["wabas"]
    return waba


def kinds(document: dict[str, Any]) -> list[str]:
    return [p["kind"] for w in document["wabas"] for p in w["problems"]]


def the_problem(
    aws: AwsDoubles, doctor: Doctor, session: boto3.session.Session | None = None
) -> dict[str, str]:
    """Run the check on the Region's one WABA, which has one problem (exit 1)."""
    code, document = doctor("--region", aws.region, session=session)
    assert code == 1, document
    [problem] = only_waba(document)["problems"]
    return dict(problem)


def check(aws: AwsDoubles, doctor: Doctor, destination: str, role: str | None = None) -> list[str]:
    """Link one WABA with `destination`, run the check; the problem kinds (exit 1)."""
    aws.emulator.link_waba("Orders", region=aws.region, destination=destination, role_arn=role)
    code, document = doctor("--region", aws.region)
    assert code == (0 if document["healthy"] else 1)
    return kinds(document)


def test_healthy_topic_and_channel_role_exit_0(aws: AwsDoubles, doctor: Doctor) -> None:
    topic = subscribed_topic(aws)
    aws.emulator.link_waba("Orders", region=aws.region, destination=topic)
    connect_waba(aws, channel_role(aws))

    code, document = doctor("--region", aws.region)

    assert code == 0, document
    assert document["healthy"] and document["summary"] == {"wabas": 2, "healthy": 2, "problems": 0}
    assert {w["destination"]["arn"] for w in document["wabas"]} == {
        topic,
        connect_instance(aws.account, aws.region),
    }
    assert all(w["setBy"] is None for w in document["wabas"])
    assert document["account"] == aws.account and document["regions"] == [aws.region]


def test_a_waba_without_destination_drops_its_events(aws: AwsDoubles, doctor: Doctor) -> None:
    waba = aws.emulator.link_waba("Orders", region=aws.region)
    code, document = doctor("--region", aws.region)
    assert code == 1
    report = only_waba(document)
    assert report["id"] == waba and report["destination"] is None
    assert [p["kind"] for p in report["problems"]] == ["no-destination"]
    assert "events are dropped" in report["problems"][0]["message"]


def test_a_missing_topic(aws: AwsDoubles, doctor: Doctor) -> None:
    topic = f"arn:aws:sns:{aws.region}:{aws.account}:never-created"
    assert check(aws, doctor, topic) == ["topic-not-found"]


def test_a_fifo_topic(aws: AwsDoubles, doctor: Doctor) -> None:
    topic = subscribed_topic(aws, name="events.fifo", fifo=True)
    assert check(aws, doctor, topic) == ["topic-fifo"]


def test_an_unencrypted_topic(aws: AwsDoubles, doctor: Doctor) -> None:
    assert check(aws, doctor, subscribed_topic(aws, key_id=None)) == ["topic-not-encrypted"]


def test_the_aws_managed_key(aws: AwsDoubles, doctor: Doctor) -> None:
    assert check(aws, doctor, subscribed_topic(aws, key_id="alias/aws/sns")) == ["key-aws-managed"]


def test_an_asymmetric_key(aws: AwsDoubles, doctor: Doctor) -> None:
    key = make_key(aws.region, aws.account, key_spec="RSA_2048")
    assert check(aws, doctor, subscribed_topic(aws, key_id=key)) == ["key-not-symmetric"]


def test_a_key_pending_deletion(aws: AwsDoubles, doctor: Doctor) -> None:
    key = make_key(aws.region, aws.account)
    boto3.client("kms", region_name=aws.region).schedule_key_deletion(
        KeyId=key.rsplit("/", 1)[1], PendingWindowInDays=7
    )
    aws.emulator.link_waba(
        "Orders", region=aws.region, destination=subscribed_topic(aws, key_id=key)
    )
    problem = the_problem(aws, doctor)
    assert problem["kind"] == "key-not-enabled" and "PendingDeletion" in problem["message"]


def test_a_key_policy_without_the_grant(aws: AwsDoubles, doctor: Doctor) -> None:
    key = make_key(aws.region, aws.account, grant=False)
    assert check(aws, doctor, subscribed_topic(aws, key_id=key)) == ["key-policy-no-grant"]


def test_a_key_policy_grant_without_conditions(aws: AwsDoubles, doctor: Doctor) -> None:
    document = key_policy(aws.account, aws.region)
    del document["Statement"][1]["Condition"]
    key = boto3.client("kms", region_name=aws.region).create_key(
        KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT", Policy=json.dumps(document)
    )
    topic = subscribed_topic(aws, key_id=key["KeyMetadata"]["Arn"])
    assert check(aws, doctor, topic) == ["key-policy-unconfined"]


def test_a_topic_policy_without_the_grant(aws: AwsDoubles, doctor: Doctor) -> None:
    assert check(aws, doctor, subscribed_topic(aws, grant=False)) == ["topic-policy-no-grant"]


def test_a_topic_policy_without_conditions(aws: AwsDoubles, doctor: Doctor) -> None:
    topic = subscribed_topic(aws)
    document = topic_policy(topic, aws.account, aws.region)
    del document["Statement"][1]["Condition"]
    boto3.client("sns", region_name=aws.region).set_topic_attributes(
        TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(document)
    )
    aws.emulator.link_waba("Orders", region=aws.region, destination=topic)

    problem = the_problem(aws, doctor)
    assert problem["kind"] == "topic-policy-unconfined"
    assert '"aws:SourceAccount": "123456789012"' in problem["message"]


def test_a_topic_with_no_subscription(aws: AwsDoubles, doctor: Doctor) -> None:
    topic = make_topic(aws.region, aws.account)
    assert check(aws, doctor, topic) == ["topic-no-subscription"]


def test_pending_confirmations_are_named(aws: AwsDoubles, doctor: Doctor) -> None:
    # moto confirms every subscription at once; SNS answers this for an email one that
    # nobody confirmed yet.
    topic = make_topic(aws.region, aws.account)
    boto3.client("sns", region_name=aws.region).subscribe(
        TopicArn=topic, Protocol="email", Endpoint="ops@example.com"
    )
    session = boto3.session.Session()

    def unconfirmed(parsed: dict[str, Any], **_: Any) -> None:
        for subscription in parsed.get("Subscriptions", []):
            subscription["SubscriptionArn"] = "PendingConfirmation"

    session.events.register("after-call.sns.ListSubscriptionsByTopic", unconfirmed)
    aws.emulator.link_waba("Orders", region=aws.region, destination=topic)

    problem = the_problem(aws, doctor, session)
    assert problem["kind"] == "topic-no-subscription"
    assert "Pending confirmation: email:ops@example.com" in problem["message"]


def test_a_topic_in_another_region(aws: AwsDoubles, doctor: Doctor) -> None:
    topic = subscribed_topic(aws)
    elsewhere = topic.replace(aws.region, "us-west-2")
    assert check(aws, doctor, elsewhere) == ["destination-elsewhere"]


def test_a_connect_destination_without_role(aws: AwsDoubles, doctor: Doctor) -> None:
    assert check(aws, doctor, connect_instance(aws.account, aws.region)) == ["role-missing"]


def test_a_channel_role_that_does_not_exist(aws: AwsDoubles, doctor: Doctor) -> None:
    role = f"arn:aws:iam::{aws.account}:role/never-created"
    assert check(aws, doctor, connect_instance(aws.account, aws.region), role) == ["role-not-found"]


def test_a_channel_role_that_does_not_trust_the_service(aws: AwsDoubles, doctor: Doctor) -> None:
    trust = connect_channel_trust_policy("aws", aws.region, aws.account)
    trust["Statement"][0]["Principal"] = {"Service": "lambda.amazonaws.com"}
    role = channel_role(aws, trust=trust)
    assert check(aws, doctor, connect_instance(aws.account, aws.region), role) == ["role-no-trust"]


def test_a_channel_role_trust_without_conditions(aws: AwsDoubles, doctor: Doctor) -> None:
    trust = connect_channel_trust_policy("aws", aws.region, aws.account)
    del trust["Statement"][0]["Condition"]
    role = channel_role(aws, trust=trust)
    assert check(aws, doctor, connect_instance(aws.account, aws.region), role) == [
        "trust-policy-unconfined"
    ]


def test_a_channel_role_without_the_phone_number_import(aws: AwsDoubles, doctor: Doctor) -> None:
    delivery_only = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "connect:SendIntegrationEvent", "Resource": "*"}
        ],
    }
    role = channel_role(aws, permissions=delivery_only)
    connect_waba(aws, role)
    problem = the_problem(aws, doctor)
    assert problem["kind"] == "role-permissions-missing"
    assert "connect:ImportPhoneNumber" in problem["message"]


def test_a_claimed_waba_names_its_stack(aws: AwsDoubles, doctor: Doctor) -> None:
    topic = subscribed_topic(aws)
    waba = aws.emulator.link_waba("Orders", region=aws.region, destination=topic)
    claim(aws, waba, topic)
    code, document = doctor("--region", aws.region)
    assert code == 0
    assert only_waba(document)["setBy"] == {
        "stack": "social-messaging-destinations/prod",
        "resource": "orders-waba",
    }


def test_a_claimed_waba_whose_destination_someone_changed(aws: AwsDoubles, doctor: Doctor) -> None:
    ours = subscribed_topic(aws)
    theirs = subscribed_topic(aws, name="someone-elses-events")
    waba = aws.emulator.link_waba("Orders", region=aws.region, destination=ours)
    claim(aws, waba, ours)
    aws.emulator.set_destination(waba, theirs)

    code, document = doctor("--region", aws.region)

    assert code == 1
    report = only_waba(document)
    assert report["destination"]["arn"] == theirs
    assert report["setBy"]["stack"] == "social-messaging-destinations/prod"
    [problem] = report["problems"]
    assert problem["kind"] == "drift"
    assert ours in problem["message"] and theirs in problem["message"]


def test_the_table_groups_by_region_with_a_line_per_problem(
    aws: AwsDoubles, capsys: pytest.CaptureFixture[str]
) -> None:
    from destination_review.doctor import main

    topic = make_topic(aws.region, aws.account)
    aws.emulator.link_waba("Orders", region=aws.region, destination=topic)
    aws.emulator.link_waba("Quiet", region="eu-central-1")
    subscribe(aws, subscribed_topic(aws, name="unused"))

    code = main(["--quiet", "--region", aws.region, "--region", "eu-central-1"])

    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[0] == f"{aws.region}: 1 WABA"
    assert "'Orders'" in lines[1] and topic in lines[1] and "set by: no stack" in lines[1]
    assert lines[2].startswith("    - topic-no-subscription: ")
    assert lines[3] == "eu-central-1: 1 WABA"
    assert "none (events are dropped)" in lines[4]
    assert lines[5].startswith("    - no-destination: ")
    assert lines[-1].endswith("in 2 Regions of account 123456789012: 0 healthy, 2 problems")
