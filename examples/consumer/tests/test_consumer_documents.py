"""The queue, dead-letter queue and key policies, as pure functions, for any location."""

from __future__ import annotations

import json

from consumer import arns, queue_policy
from hypothesis import given
from hypothesis import strategies as st

partitions = st.sampled_from(["aws", "aws-cn", "aws-us-gov"])
regions = st.sampled_from(["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"])
accounts = st.from_regex(r"\A[0-9]{12}\Z")
names = st.from_regex(r"\A[A-Za-z0-9_-]{1,60}\Z")


def _sns_grants(document: dict) -> list[dict]:
    return [
        s
        for s in document["Statement"]
        if s["Effect"] == "Allow" and s.get("Principal") == {"Service": "sns.amazonaws.com"}
    ]


@given(partitions, regions, accounts, accounts, names, names)
def test_every_sns_grant_is_pinned_to_the_topic_and_its_account(
    partition: str, region: str, account: str, topic_account: str, topic: str, queue: str
) -> None:
    topic_arn = f"arn:{partition}:sns:{region}:{topic_account}:{topic}"
    queue_arn = arns.queue_arn(partition, region, account, queue)
    documents = [
        queue_policy.queue_policy_document(queue_arn, topic_arn, topic_account),
        queue_policy.queue_key_policy_document(
            arns.account_root_arn(partition, account), topic_arn, topic_account
        ),
    ]
    for document in documents:
        (grant,) = _sns_grants(document)
        assert grant["Condition"] == {
            "ArnEquals": {"aws:SourceArn": topic_arn},
            "StringEquals": {"aws:SourceAccount": topic_account},
        }
        # Round-trips through the JSON the provider receives.
        assert json.loads(queue_policy.to_json(document)) == document


@given(partitions, regions, accounts, names)
def test_queue_policy_grants_only_send_message_on_the_queue(
    partition: str, region: str, account: str, queue: str
) -> None:
    queue_arn = arns.queue_arn(partition, region, account, queue)
    topic_arn = f"arn:{partition}:sns:{region}:{account}:events"
    document = queue_policy.queue_policy_document(queue_arn, topic_arn, account)
    (grant,) = _sns_grants(document)
    assert grant["Action"] == "sqs:SendMessage"
    assert grant["Resource"] == queue_arn
    assert queue_arn == f"arn:{partition}:sqs:{region}:{account}:{queue}"


def test_dead_letter_queue_accepts_no_outside_grant() -> None:
    dlq_arn = arns.queue_arn("aws", "eu-west-1", "111122223333", "events-dlq")
    document = queue_policy.dead_letter_queue_policy_document(dlq_arn)
    assert [s["Effect"] for s in document["Statement"]] == ["Deny"]
    assert document["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_redrive_policy_count_is_a_json_number() -> None:
    dlq_arn = arns.queue_arn("aws", "eu-west-1", "111122223333", "events-dlq")
    policy = json.loads(queue_policy.redrive_policy(dlq_arn, 4))
    assert policy == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 4}


def test_topic_arn_parsing_refuses_other_services() -> None:
    assert arns.parse_topic_arn("arn:aws-cn:sns:cn-north-1:111122223333:events") == arns.TopicArn(
        "aws-cn", "cn-north-1", "111122223333", "events"
    )
    assert arns.parse_topic_arn("arn:aws:sqs:eu-west-1:111122223333:events") is None
    assert arns.parse_topic_arn("arn:aws:sns:eu-west-1:1111:events") is None
