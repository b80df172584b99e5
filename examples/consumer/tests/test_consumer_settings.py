"""The consumer's settings and the producer-output checks, as pure functions."""

from __future__ import annotations

from typing import Any

import pytest
from consumer.location import ConsumerLocation, check_same_location
from consumer.producer import ProducerStackError, parse_producer_outputs
from consumer.settings import (
    ConsumerSettings,
    ConsumerSettingsError,
    default_queue_name,
    parse_settings,
)
from consumer_harness import PRODUCER_STACK, producer_outputs


def _settings(**values: Any) -> ConsumerSettings:
    return parse_settings({"producerStack": PRODUCER_STACK, **values}, "consumer", "dev")


def test_defaults_suit_a_worker_reading_events() -> None:
    settings = _settings()
    assert settings.queue_name == default_queue_name("consumer", "dev")
    assert settings.dead_letter_queue_name == f"{settings.queue_name}-dlq"
    assert settings.raw_message_delivery is True
    assert settings.max_receive_count == 5
    assert settings.key_deletion_window_in_days == 30


def test_string_values_from_the_stack_file_are_converted() -> None:
    settings = _settings(
        maxReceiveCount="7", rawMessageDelivery="false", messageRetentionSeconds="86400"
    )
    assert settings.max_receive_count == 7
    assert settings.raw_message_delivery is False
    assert settings.message_retention_seconds == 86_400


@pytest.mark.parametrize(
    "stack",
    ["dev", "social-messaging-destinations/dev", "organization/social-messaging-destinations/dev"],
)
def test_stack_reference_names_in_every_form_are_accepted(stack: str) -> None:
    assert parse_settings({"producerStack": stack}, "consumer", "dev").producer_stack == stack


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("producerStack", "a/b/c/d", "a stack reference name"),
        ("producerStack", "org//dev", "a stack reference name"),
        ("queueName", "events.fifo", "standard topics cannot deliver to FIFO"),
        ("queueName", "has space", "letters, digits, '-' or '_'"),
        ("queueName", "q" * 77, "1-76 characters"),
        ("maxReceiveCount", "0", "greater than or equal to 1"),
        ("messageRetentionSeconds", "1209601", "less than or equal to 1209600"),
        ("keyDeletionWindowInDays", "3", "greater than or equal to 7"),
        ("rawMessageDelivery", "sometimes", "valid boolean"),
    ],
)
def test_each_bad_value_is_named_with_its_fix(key: str, value: str, expected: str) -> None:
    values = {"producerStack": PRODUCER_STACK, key: value}

    with pytest.raises(ConsumerSettingsError) as raised:
        parse_settings(values, "consumer", "dev")

    (problem,) = raised.value.problems
    assert problem.startswith(f"social-messaging-consumer:{key}: got {value!r}; expected")
    assert expected in problem
    assert f"Fix: pulumi config set {key} " in problem


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConsumerSettingsError) as raised:
        parse_settings({"queueName": "x.fifo", "maxReceiveCount": "-1"}, "consumer", "dev")
    keys = sorted(problem.split(":")[1] for problem in raised.value.problems)
    assert keys == ["maxReceiveCount", "producerStack", "queueName"]


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(ConsumerSettingsError, match=r"producerstack: is not a setting"):
        parse_settings(
            {"producerStack": PRODUCER_STACK, "producerstack": "typo"}, "consumer", "dev"
        )


def test_producer_outputs_are_parsed_and_unknown_keys_ignored() -> None:
    outputs = producer_outputs()
    producer = parse_producer_outputs(PRODUCER_STACK, outputs)
    assert producer.topic_arn == outputs["topicArn"]
    assert producer.account_id == outputs["accountId"]
    assert producer.waba_ids_on_topic == ["waba-0123456789abcdef0123456789abcdef"]


def test_partition_defaults_to_the_topic_arn_partition() -> None:
    outputs = producer_outputs(partition="aws-cn", region="cn-northwest-1")
    del outputs["partition"]
    assert parse_producer_outputs(PRODUCER_STACK, outputs).partition == "aws-cn"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"topicArn": None}, "'topicArn' is empty"),
        ({"topicArn": "not-an-arn"}, "expected an SNS topic ARN"),
        ({"accountId": ""}, "output 'accountId': got ''"),
        ({"region": "us-east-1"}, "but the stack reports partition 'aws', region 'us-east-1'"),
        ({"destinations": "sns"}, "output 'destinations': got a str"),
        ({"destinations": [{"type": "sns"}]}, "'destinations[0]': expected an object"),
    ],
)
def test_inconsistent_producer_outputs_are_refused(change: dict[str, Any], message: str) -> None:
    outputs = {**producer_outputs(), **change}
    with pytest.raises(ProducerStackError) as raised:
        parse_producer_outputs(PRODUCER_STACK, outputs)
    assert message in str(raised.value)
    assert PRODUCER_STACK in str(raised.value)


def test_location_must_match_the_topic() -> None:
    producer = parse_producer_outputs(PRODUCER_STACK, producer_outputs())
    check_same_location(producer, ConsumerLocation("aws", "eu-west-1", "111122223333"))
    with pytest.raises(ProducerStackError, match="partition 'aws-cn'"):
        check_same_location(producer, ConsumerLocation("aws-cn", "eu-west-1", "111122223333"))
