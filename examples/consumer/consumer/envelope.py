"""Parse the WhatsApp event envelope that AWS End User Messaging Social publishes to SNS.

An event reaches the queue in one of two shapes, depending on the subscription's
`rawMessageDelivery`:

- raw (the default here): the SQS body *is* the envelope;
- SNS-wrapped: the SQS body is an SNS notification whose `Message` is the envelope as a
  JSON string.

The envelope is JSON with `context` (the WABA and phone number ids), `aws_account_id`,
`message_timestamp`, usually `messageId`, and `whatsAppWebhookEntry`: Meta's webhook entry
as a JSON *string*, which must be decoded a second time.

Errors name the field and what was expected but never echo the content: events carry
customers' phone numbers and messages, which do not belong in logs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class EnvelopeError(ValueError):
    """A message body that is not a WhatsApp event envelope; the message says which part."""


@dataclass(frozen=True)
class WabaReference:
    """A WABA as Meta (`waba_id`) and AWS (`arn`) know it."""

    waba_id: str
    arn: str


@dataclass(frozen=True)
class PhoneNumberReference:
    """A phone number as Meta (`meta_phone_number_id`) and AWS (`arn`) know it."""

    meta_phone_number_id: str
    arn: str


@dataclass(frozen=True)
class SnsNotification:
    """The SNS wrapper's identity, present only when raw message delivery is off."""

    message_id: str
    topic_arn: str
    timestamp: str


@dataclass(frozen=True)
class WhatsAppEvent:
    """One event: which WABA and phone number it concerns, and Meta's webhook entry."""

    waba_ids: tuple[WabaReference, ...]
    phone_numbers: tuple[PhoneNumberReference, ...]
    webhook_entry: dict[str, Any]
    aws_account_id: str
    message_timestamp: str
    message_id: str | None = None
    sns: SnsNotification | None = None

    @property
    def change_values(self) -> list[dict[str, Any]]:
        """The `value` of each change in the entry, where messages and statuses live."""
        changes = self.webhook_entry.get("changes")
        if not isinstance(changes, list):
            return []
        return [
            change["value"]
            for change in changes
            if isinstance(change, dict) and isinstance(change.get("value"), dict)
        ]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Inbound messages from customers (Meta's `messages` array)."""
        return [m for value in self.change_values for m in value.get("messages") or []]

    @property
    def statuses(self) -> list[dict[str, Any]]:
        """Delivery statuses of outbound messages (sent, delivered, read, failed)."""
        return [s for value in self.change_values for s in value.get("statuses") or []]


def _kind(value: Any) -> str:
    """A value's JSON kind, for errors that must not print the value itself."""
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _require(container: Mapping[str, Any], key: str, kind: type, path: str) -> Any:
    """Return `container[key]` when it has the expected JSON kind, or say what is wrong."""
    if key not in container:
        raise EnvelopeError(f"{path}{key}: missing; expected {_kind(kind())}.")
    value = container[key]
    if not isinstance(value, kind):
        raise EnvelopeError(f"{path}{key}: got {_kind(value)}; expected {_kind(kind())}.")
    return value


def _decode_object(text: str | bytes, what: str, hint: str) -> dict[str, Any]:
    """Decode a JSON document that must be an object, with the position of any error."""
    try:
        value = json.loads(text)
    except UnicodeDecodeError:
        raise EnvelopeError(f"{what}: not UTF-8 text; expected a JSON object. {hint}") from None
    except json.JSONDecodeError as error:
        raise EnvelopeError(
            f"{what}: not valid JSON ({error.msg} at line {error.lineno} column "
            f"{error.colno}); expected a JSON object. {hint}"
        ) from None
    if not isinstance(value, dict):
        raise EnvelopeError(f"{what}: got {_kind(value)}; expected a JSON object. {hint}")
    return value


def _references(context: Mapping[str, Any], key: str, id_key: str) -> list[tuple[str, str]]:
    """The `(id, arn)` pairs of `context[key]`; an absent list is an empty one."""
    items = context.get(key, [])
    if not isinstance(items, list):
        raise EnvelopeError(f"context.{key}: got {_kind(items)}; expected an array.")
    pairs = []
    for index, item in enumerate(items):
        path = f"context.{key}[{index}]."
        if not isinstance(item, dict):
            raise EnvelopeError(f"context.{key}[{index}]: got {_kind(item)}; expected an object.")
        pairs.append((_require(item, id_key, str, path), _require(item, "arn", str, path)))
    return pairs


def parse_envelope(
    envelope: Mapping[str, Any], sns: SnsNotification | None = None
) -> WhatsAppEvent:
    """Type the envelope and decode its nested `whatsAppWebhookEntry` JSON string."""
    context = _require(envelope, "context", dict, "")
    entry_text = _require(envelope, "whatsAppWebhookEntry", str, "")
    webhook_entry = _decode_object(
        entry_text,
        "whatsAppWebhookEntry",
        "The service sends Meta's webhook entry as a JSON string inside the envelope.",
    )
    message_id = envelope.get("messageId")
    if message_id is not None and not isinstance(message_id, str):
        raise EnvelopeError(f"messageId: got {_kind(message_id)}; expected a string.")
    return WhatsAppEvent(
        waba_ids=tuple(
            WabaReference(waba_id=i, arn=a)
            for i, a in _references(context, "MetaWabaIds", "wabaId")
        ),
        phone_numbers=tuple(
            PhoneNumberReference(meta_phone_number_id=i, arn=a)
            for i, a in _references(context, "MetaPhoneNumberIds", "metaPhoneNumberId")
        ),
        webhook_entry=webhook_entry,
        aws_account_id=_require(envelope, "aws_account_id", str, ""),
        message_timestamp=_require(envelope, "message_timestamp", str, ""),
        message_id=message_id,
        sns=sns,
    )


def _unwrap_sns(notification: Mapping[str, Any]) -> tuple[dict[str, Any], SnsNotification]:
    """Take the envelope out of an SNS notification (raw message delivery off)."""
    kind = notification.get("Type")
    if kind != "Notification":
        shown = kind if isinstance(kind, str) and len(kind) <= 40 else _kind(kind)
        raise EnvelopeError(
            f"Type: got {shown!r}; expected 'Notification'. Only notifications carry "
            "events; an SQS subscription in the topic's account is confirmed by SNS itself."
        )
    message = _require(notification, "Message", str, "")
    sns = SnsNotification(
        message_id=_require(notification, "MessageId", str, ""),
        topic_arn=_require(notification, "TopicArn", str, ""),
        timestamp=_require(notification, "Timestamp", str, ""),
    )
    envelope = _decode_object(
        message, "Message", "With raw message delivery off, SNS puts the envelope here."
    )
    return envelope, sns


def parse_message_body(body: str | bytes) -> WhatsAppEvent:
    """Parse an SQS message body (or an SNS `Message`) into a WhatsAppEvent.

    Accepts both delivery shapes, so a consumer keeps working when `rawMessageDelivery`
    is switched in either direction.
    """
    document = _decode_object(
        body,
        "message body",
        "Expected the envelope (raw delivery) or an SNS notification that wraps it.",
    )
    if "whatsAppWebhookEntry" in document:
        return parse_envelope(document)
    if "Type" in document and "Message" in document:
        envelope, sns = _unwrap_sns(document)
        return parse_envelope(envelope, sns)
    raise EnvelopeError(
        "message body: an object with neither 'whatsAppWebhookEntry' (a raw envelope) nor "
        "'Type' and 'Message' (an SNS notification). Check that the queue is subscribed "
        "to the producer's event topic and nothing else sends to it."
    )
