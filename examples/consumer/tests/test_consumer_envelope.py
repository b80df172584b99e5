"""Parsing the event envelope from an SQS body, raw or wrapped by SNS."""

from __future__ import annotations

import json
from typing import Any

import pytest
from consumer.envelope import (
    EnvelopeError,
    PhoneNumberReference,
    WabaReference,
    parse_message_body,
)
from hypothesis import given
from hypothesis import strategies as st

TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:whatsapp-events-dev"
WABA_ARN = "arn:aws:social-messaging:eu-west-1:111122223333:waba/fb2594b8a7974770b128a409e2example"
PHONE_NUMBER_ARN = (
    "arn:aws:social-messaging:eu-west-1:111122223333:phone-number-id/"
    "976c72a700aac43eaf573ae050example"
)
CUSTOMER_TEXT = "my order 4711 has not arrived"  # must never appear in an error
CUSTOMER_NUMBER = "447700900123"


def webhook_entry() -> dict[str, Any]:
    """Meta's webhook entry for one inbound text message and one delivery status."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001234", "phone_number_id": "abcde1234567890"},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": CUSTOMER_NUMBER}],
        "messages": [
            {
                "from": CUSTOMER_NUMBER,
                "id": "wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUM0E",
                "timestamp": "1736379043",
                "text": {"body": CUSTOMER_TEXT},
                "type": "text",
            }
        ],
    }
    status = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001234", "phone_number_id": "abcde1234567890"},
        "statuses": [{"id": "wamid.OUT", "status": "delivered", "recipient_id": CUSTOMER_NUMBER}],
    }
    return {
        "id": "1234567890abcde",
        "changes": [{"value": value, "field": "messages"}, {"value": status, "field": "messages"}],
    }


def envelope(entry: Any = None, **overrides: Any) -> dict[str, Any]:
    """The envelope AWS End User Messaging Social publishes (see DOMAIN.md)."""
    document: dict[str, Any] = {
        "context": {
            "MetaWabaIds": [
                {
                    "wabaId": "1234567890abcde",
                    "arn": WABA_ARN,
                }
            ],
            "MetaPhoneNumberIds": [
                {
                    "metaPhoneNumberId": "abcde1234567890",
                    "arn": PHONE_NUMBER_ARN,
                }
            ],
        },
        "whatsAppWebhookEntry": json.dumps(webhook_entry() if entry is None else entry),
        "aws_account_id": "111122223333",
        "message_timestamp": "2025-01-08T23:30:43.271279391Z",
        "messageId": "6d69f07a-c317-4278-9d5c-6a84078419ec",
    }
    document.update(overrides)
    return document


def sns_wrapped(message: str, **overrides: Any) -> str:
    """An SQS body from a subscription with raw message delivery off."""
    notification = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": TOPIC_ARN,
        "Message": message,
        "Timestamp": "2025-01-08T23:30:43.400Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService.pem",
        "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
    }
    notification.update(overrides)
    return json.dumps(notification)


def test_raw_body_is_parsed_with_the_nested_entry_decoded() -> None:
    event = parse_message_body(json.dumps(envelope()))

    assert event.waba_ids == (WabaReference("1234567890abcde", WABA_ARN),)
    assert event.phone_numbers == (PhoneNumberReference("abcde1234567890", PHONE_NUMBER_ARN),)
    assert event.webhook_entry == webhook_entry()
    assert event.aws_account_id == "111122223333"
    assert event.message_timestamp == "2025-01-08T23:30:43.271279391Z"
    assert event.message_id == "6d69f07a-c317-4278-9d5c-6a84078419ec"
    assert event.sns is None


def test_messages_and_statuses_are_reachable_without_walking_the_entry() -> None:
    event = parse_message_body(json.dumps(envelope()).encode())
    assert [m["text"]["body"] for m in event.messages] == [CUSTOMER_TEXT]
    assert [s["status"] for s in event.statuses] == ["delivered"]


def test_sns_wrapped_body_gives_the_same_event_and_the_notification() -> None:
    raw = parse_message_body(json.dumps(envelope()))
    wrapped = parse_message_body(sns_wrapped(json.dumps(envelope())))

    assert wrapped.sns is not None
    assert wrapped.sns.topic_arn == TOPIC_ARN
    assert wrapped.sns.message_id == "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"
    assert wrapped.webhook_entry == raw.webhook_entry
    assert wrapped.waba_ids == raw.waba_ids


def test_message_id_may_be_absent() -> None:
    document = envelope()
    del document["messageId"]
    assert parse_message_body(json.dumps(document)).message_id is None


def test_an_entry_without_changes_has_no_messages() -> None:
    event = parse_message_body(json.dumps(envelope(entry={"id": "1234567890abcde"})))
    assert event.messages == []
    assert event.statuses == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=12), json_values, max_size=6), st.booleans())
def test_any_webhook_entry_survives_both_delivery_shapes(
    entry: dict[str, Any], raw_delivery: bool
) -> None:
    body = json.dumps(envelope(entry=entry))
    if not raw_delivery:
        body = sns_wrapped(body)
    assert parse_message_body(body).webhook_entry == entry


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "message body: not valid JSON (Expecting value at line 1 column 1)"),
        (b"\xff\xfe{", "message body: not UTF-8 text"),
        ("[1, 2]", "message body: got an array; expected a JSON object"),
        ('{"hello": "world"}', "neither 'whatsAppWebhookEntry'"),
        (json.dumps(envelope(context="x")), "context: got a string; expected an object"),
        (
            json.dumps({k: v for k, v in envelope().items() if k != "context"}),
            "context: missing; expected an object",
        ),
        (
            json.dumps(envelope(whatsAppWebhookEntry=webhook_entry())),
            "whatsAppWebhookEntry: got an object; expected a string",
        ),
        (
            json.dumps(envelope(whatsAppWebhookEntry='{"id": "1", ')),
            "whatsAppWebhookEntry: not valid JSON",
        ),
        (
            json.dumps(envelope(whatsAppWebhookEntry="[]")),
            "whatsAppWebhookEntry: got an array; expected a JSON object",
        ),
        (
            json.dumps(envelope(context={"MetaWabaIds": {"wabaId": "1"}})),
            "context.MetaWabaIds: got an object; expected an array",
        ),
        (
            json.dumps(envelope(context={"MetaWabaIds": [{"wabaId": 1, "arn": "a"}]})),
            "context.MetaWabaIds[0].wabaId: got a number; expected a string",
        ),
        (
            json.dumps(envelope(aws_account_id=111122223333)),
            "aws_account_id: got a number; expected a string",
        ),
        (json.dumps(envelope(messageId=7)), "messageId: got a number; expected a string"),
        (
            sns_wrapped("{}", Type="SubscriptionConfirmation"),
            "Type: got 'SubscriptionConfirmation'; expected 'Notification'",
        ),
        (sns_wrapped("not json"), "Message: not valid JSON"),
        (sns_wrapped(json.dumps(envelope()), TopicArn=None), "TopicArn: got null"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else None,
)
def test_malformed_bodies_name_the_part_that_is_wrong(body: str | bytes, message: str) -> None:
    with pytest.raises(EnvelopeError) as raised:
        parse_message_body(body)
    assert message in str(raised.value)


def test_errors_never_echo_customer_content() -> None:
    broken_entry = json.dumps(webhook_entry())[:-5]
    bodies = [
        json.dumps(envelope(whatsAppWebhookEntry=broken_entry)),
        json.dumps(envelope(aws_account_id={"from": CUSTOMER_NUMBER, "text": CUSTOMER_TEXT})),
        sns_wrapped(json.dumps(envelope())[:-3]),
    ]
    for body in bodies:
        with pytest.raises(EnvelopeError) as raised:
            parse_message_body(body)
        assert CUSTOMER_TEXT not in str(raised.value)
        assert CUSTOMER_NUMBER not in str(raised.value)
