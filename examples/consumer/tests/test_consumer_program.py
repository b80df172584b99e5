"""The consumer program, run for real under mocks with a mocked producer StackReference."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from consumer.producer import ProducerStackError
from consumer.settings import ConsumerSettingsError
from consumer_harness import (
    PRODUCER_STACK,
    UNKNOWN,
    Location,
    ProgramRun,
    producer_outputs,
)

RunConsumer = Callable[..., ProgramRun]

QUEUE = "whatsapp-events-queue"
DLQ = "whatsapp-events-dlq"
KEY = "whatsapp-events-key"
SUBSCRIPTION = "whatsapp-events-subscription"
QUEUE_POLICY = "whatsapp-events-queue-policy"
DLQ_POLICY = "whatsapp-events-dlq-policy"


def _queue_arn(run: ProgramRun, logical_name: str, location: Location) -> str:
    """The ARN AWS gives the queue registered under `logical_name`."""
    name = run.named(logical_name).inputs["name"]
    return f"arn:{location.partition}:sqs:{location.region}:{location.account_id}:{name}"


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_queue_policy_lets_only_the_producer_topic_send(
    run_consumer: RunConsumer, preview: bool
) -> None:
    outputs = producer_outputs()
    run = run_consumer(outputs=outputs, preview=preview)
    queue_arn = _queue_arn(run, QUEUE, Location())

    policy = run.named(QUEUE_POLICY).document()

    assert policy["Version"] == "2012-10-17"
    allow, deny = policy["Statement"]
    assert allow == {
        "Sid": "AllowProducerTopicToSendMessage",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {
            "ArnEquals": {"aws:SourceArn": outputs["topicArn"]},
            "StringEquals": {"aws:SourceAccount": outputs["accountId"]},
        },
    }
    assert deny == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": queue_arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_queue_policy_attaches_to_the_queue(run_consumer: RunConsumer) -> None:
    run = run_consumer()
    queue = run.named(QUEUE)
    policy = run.named(QUEUE_POLICY)
    assert policy.inputs["queueUrl"].endswith(f"/{queue.inputs['name']}")
    assert policy.property_dependencies["queueUrl"] == [queue.urn]


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_subscription_delivers_the_producer_topic_to_the_queue(
    run_consumer: RunConsumer, preview: bool
) -> None:
    outputs = producer_outputs()
    run = run_consumer(outputs=outputs, preview=preview)
    subscription = run.named(SUBSCRIPTION)

    assert subscription.inputs["topic"] == outputs["topicArn"]
    assert subscription.inputs["protocol"] == "sqs"
    assert subscription.inputs["endpoint"] == _queue_arn(run, QUEUE, Location())
    assert subscription.inputs["rawMessageDelivery"] is True
    # SNS delivers as soon as it subscribes: the queue, its policy and the key come first.
    for prerequisite in (QUEUE, QUEUE_POLICY, KEY):
        assert run.named(prerequisite).urn in subscription.dependencies


def test_raw_message_delivery_can_be_turned_off(run_consumer: RunConsumer) -> None:
    run = run_consumer(config={"producerStack": PRODUCER_STACK, "rawMessageDelivery": False})
    assert run.named(SUBSCRIPTION).inputs["rawMessageDelivery"] is False
    assert run.exports["rawMessageDelivery"] is False


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_key_policy_grants_sns_only_for_the_producer_topic(
    run_consumer: RunConsumer, preview: bool
) -> None:
    outputs = producer_outputs()
    location = Location()
    run = run_consumer(outputs=outputs, preview=preview)
    key = run.named(KEY)

    assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert key.inputs["keyUsage"] == "ENCRYPT_DECRYPT"
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    administration, sns = key.document()["Statement"]
    assert administration == {
        "Sid": "EnableAccountAdministration",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{location.partition}:iam::{location.account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    assert sns == {
        "Sid": "AllowProducerTopicToUseKey",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {
            "ArnEquals": {"aws:SourceArn": outputs["topicArn"]},
            "StringEquals": {"aws:SourceAccount": outputs["accountId"]},
        },
    }


def test_both_queues_are_encrypted_with_the_consumer_key(run_consumer: RunConsumer) -> None:
    run = run_consumer()
    key = run.named(KEY)
    alias = run.named("whatsapp-events-key-alias")
    for name in (QUEUE, DLQ):
        queue = run.named(name)
        assert queue.inputs["kmsMasterKeyId"] == run.exports["queueKmsKeyArn"]
        assert queue.property_dependencies["kmsMasterKeyId"] == [key.urn]
    assert alias.inputs["name"] == f"alias/{run.named(QUEUE).inputs['name']}"
    assert alias.property_dependencies["targetKeyId"] == [key.urn]


def test_dead_letter_queue_receives_what_the_queue_cannot_deliver(
    run_consumer: RunConsumer,
) -> None:
    run = run_consumer(
        config={"producerStack": PRODUCER_STACK, "queueName": "orders", "maxReceiveCount": 3}
    )
    queue = run.named(QUEUE)
    dlq = run.named(DLQ)

    assert queue.inputs["name"] == "orders"
    assert dlq.inputs["name"] == "orders-dlq"
    redrive = json.loads(queue.inputs["redrivePolicy"])
    assert redrive == {
        "deadLetterTargetArn": _queue_arn(run, DLQ, Location()),
        "maxReceiveCount": 3,
    }
    assert isinstance(redrive["maxReceiveCount"], int)  # SQS refuses "3" as a string
    # SQS refuses a redrive policy that names a queue that does not exist yet.
    assert dlq.urn in queue.dependencies
    # A moved message keeps its enqueue time: the DLQ must keep messages at least as long.
    assert dlq.inputs["messageRetentionSeconds"] >= queue.inputs["messageRetentionSeconds"]
    dlq_policy = run.named(DLQ_POLICY)
    assert dlq_policy.property_dependencies["queueUrl"] == [dlq.urn]
    (statement,) = dlq_policy.document()["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Resource"] == _queue_arn(run, DLQ, Location())


def test_exports_what_a_worker_needs(run_consumer: RunConsumer) -> None:
    outputs = producer_outputs()
    run = run_consumer(outputs=outputs)
    queue_name = run.named(QUEUE).inputs["name"]
    on_topic = [
        d["wabaId"]
        for d in outputs["destinations"]
        if d["type"] == "sns" and d["eventDestinationArn"] == outputs["topicArn"]
    ]

    assert run.exports["queueUrl"].endswith(f"/{queue_name}")
    assert run.exports["queueArn"] == run.named(SUBSCRIPTION).inputs["endpoint"]
    assert run.exports["deadLetterQueueArn"] == _queue_arn(run, DLQ, Location())
    assert run.exports["deadLetterQueueUrl"].endswith(f"/{queue_name}-dlq")
    assert run.exports["queueKmsKeyArn"] == run.named(QUEUE).inputs["kmsMasterKeyId"]
    assert run.exports["topicArn"] == outputs["topicArn"]
    assert run.exports["producerKmsKeyArn"] == outputs["kmsKeyArn"]
    assert run.exports["wabaIds"] == on_topic
    assert len(on_topic) == 1  # the Connect destination's WABA is not on the topic


def test_reads_the_configured_producer_stack(run_consumer: RunConsumer) -> None:
    other = "acme/social-messaging-destinations/prod"
    run = run_consumer(config={"producerStack": other})
    assert run.stack_reference["name"] == other
    assert run.named(QUEUE).inputs["tags"]["consumer-of"] == other


def test_every_policy_is_decided_at_preview(run_consumer: RunConsumer) -> None:
    run = run_consumer(preview=True)
    for name, key in ((QUEUE_POLICY, "policy"), (DLQ_POLICY, "policy"), (KEY, "policy")):
        assert UNKNOWN not in run.named(name).inputs[key]
    assert UNKNOWN not in run.named(QUEUE).inputs["redrivePolicy"]
    assert run.named(SUBSCRIPTION).inputs["endpoint"] != UNKNOWN
    # What AWS computes stays unknown until `up`, and the program does not pretend otherwise.
    assert run.exports["queueUrl"] == UNKNOWN


@pytest.mark.parametrize(
    ("partition", "region"),
    [("aws-cn", "cn-north-1"), ("aws-us-gov", "us-gov-west-1")],
)
def test_every_arn_uses_the_partition(
    run_consumer: RunConsumer, partition: str, region: str
) -> None:
    outputs = producer_outputs(partition=partition, region=region)
    location = Location(partition=partition, region=region)
    run = run_consumer(outputs=outputs, location=location)

    allow = run.named(QUEUE_POLICY).document()["Statement"][0]
    queue_name = run.named(QUEUE).inputs["name"]
    assert allow["Resource"] == f"arn:{partition}:sqs:{region}:111122223333:{queue_name}"
    assert allow["Condition"]["ArnEquals"]["aws:SourceArn"].startswith(f"arn:{partition}:sns:")
    administration = run.named(KEY).document()["Statement"][0]
    assert administration["Principal"]["AWS"] == f"arn:{partition}:iam::111122223333:root"
    assert run.named(SUBSCRIPTION).inputs["endpoint"].startswith(f"arn:{partition}:sqs:{region}:")


def test_producer_without_a_topic_is_refused(run_consumer: RunConsumer) -> None:
    outputs = producer_outputs()
    outputs["topicArn"] = ""
    outputs["destinations"] = [d for d in outputs["destinations"] if d["type"] == "connect"]

    with pytest.raises(ProducerStackError) as raised:
        run_consumer(outputs=outputs)

    message = str(raised.value)
    assert PRODUCER_STACK in message
    assert "'topicArn' is empty" in message
    assert "no SNS event destination" in message
    assert "pulumi config set producerStack" in message


def test_producer_missing_an_output_is_named(run_consumer: RunConsumer) -> None:
    outputs = producer_outputs()
    del outputs["region"]

    with pytest.raises(ProducerStackError, match=r"output 'region': got nothing"):
        run_consumer(outputs=outputs)


def test_consumer_in_another_region_is_refused_at_preview(run_consumer: RunConsumer) -> None:
    with pytest.raises(ProducerStackError) as raised:
        run_consumer(location=Location(region="us-east-1"), preview=True)

    message = str(raised.value)
    assert "Region 'us-east-1'" in message
    assert "pulumi config set aws:region eu-west-1" in message


def test_consumer_in_another_account_is_refused(run_consumer: RunConsumer) -> None:
    with pytest.raises(ProducerStackError, match=r"credentials for account 111122223333"):
        run_consumer(location=Location(account_id="444455556666"))


def test_missing_producer_stack_setting_says_how_to_set_it(run_consumer: RunConsumer) -> None:
    with pytest.raises(ConsumerSettingsError) as raised:
        run_consumer(config={})

    message = str(raised.value)
    assert "social-messaging-consumer:producerStack" in message
    assert "the key is missing" in message
    assert f"pulumi config set producerStack {PRODUCER_STACK}" in message


def test_fifo_queue_name_is_refused_before_anything_is_registered(
    run_consumer: RunConsumer,
) -> None:
    with pytest.raises(ConsumerSettingsError, match=r"queueName: got 'orders\.fifo'"):
        run_consumer(config={"producerStack": PRODUCER_STACK, "queueName": "orders.fifo"})


def test_tags_that_are_not_json_are_refused(run_consumer: RunConsumer) -> None:
    with pytest.raises(ConsumerSettingsError, match=r"tags: got a value that is not JSON"):
        run_consumer(config={"producerStack": PRODUCER_STACK, "tags": "team=orders"})
