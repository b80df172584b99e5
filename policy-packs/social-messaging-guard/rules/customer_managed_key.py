"""Rule `sns-topic-customer-managed-key`: destination topics use a customer managed key.

The AWS managed key `alias/aws/sns` has a key policy nobody can change, so it can never
grant social-messaging.amazonaws.com the use of the key: events to such a topic are
dropped. An unencrypted topic works, but leaves WhatsApp message content unencrypted at
rest under a key the account controls; encryption is required unless configured off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    Severity,
    StackValidationPolicy,
)

from .config import bool_setting
from .destinations import destination_topics
from .engine import stack_validation
from .index import AWS_MANAGED_SNS_ALIAS, KeyReference, StackIndex
from .metadata import TAGS
from .values import Outcome

POLICY_NAME = "sns-topic-customer-managed-key"
REQUIRE_ENCRYPTION = "requireEncryption"

FIX = (
    "set `kmsMasterKeyId` to a customer managed symmetric KMS key (its alias name, e.g. "
    "`alias/<topic>`, or its ARN) whose key policy allows social-messaging.amazonaws.com "
    "`kms:GenerateDataKey*` and `kms:Decrypt`"
)


def check_customer_managed_key(index: StackIndex, config: Mapping[str, Any]) -> Outcome:
    """Every destination topic is encrypted (unless relaxed) and never by alias/aws/sns."""
    require_encryption = bool_setting(config, POLICY_NAME, REQUIRE_ENCRYPTION, True)
    outcome = Outcome()
    found = destination_topics(index)
    for note in found.undecided:
        outcome.unknown(note)
    for topic, reason in found.topics.values():
        with outcome.judging(f"topic {topic.label}", topic.urn):
            reference = index.topic_key(topic)
            if reference.kind == "none":
                if require_encryption:
                    outcome.add(
                        f"Topic {topic.label} has no `kmsMasterKeyId`, so WABA events (message "
                        "content included) are not encrypted under a key the account controls "
                        f"({reason}); {FIX}. To accept unencrypted destination topics, set "
                        f"`{REQUIRE_ENCRYPTION}: false` for this policy.",
                        topic.urn,
                    )
            elif reference.kind == "aws-managed":
                outcome.add(
                    f"Topic {topic.label} {_managed_key_shown(reference)}; its key policy cannot "
                    "grant social-messaging.amazonaws.com, so events are dropped "
                    f"({reason}); {FIX}.",
                    topic.urn,
                )
            elif reference.kind == "unknown":
                outcome.unknown(reference.note)
    # A topic that may be a destination is only worth a note when it would be refused.
    for topic, hidden in found.possible.values():
        reference = index.topic_key(topic)
        if reference.kind == "aws-managed":
            shown = _managed_key_shown(reference)
        elif reference.kind == "none" and require_encryption:
            shown = "has no `kmsMasterKeyId`"
        elif reference.kind == "unknown":
            shown = "has a `kmsMasterKeyId` that is unknown at preview"
        else:
            continue
        outcome.unknown(
            f"{hidden}, so it is not known whether topic {topic.label}, which {shown}, is a "
            "WABA event destination"
        )
    return outcome


def _managed_key_shown(reference: KeyReference) -> str:
    """How the topic names the AWS managed key, for the message."""
    if reference.via:
        return (
            f"has `kmsMasterKeyId` '{reference.value}', which resolves to the AWS managed key "
            f"{AWS_MANAGED_SNS_ALIAS} through {reference.via}"
            if reference.value
            else f"takes `kmsMasterKeyId` from {reference.via}, the AWS managed key"
        )
    return f"has `kmsMasterKeyId` '{reference.value}', the AWS managed key {AWS_MANAGED_SNS_ALIAS}"


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=POLICY_NAME,
        display_name="Destination topics use a customer managed key",
        description=(
            "A WABA destination topic must be encrypted with a customer managed KMS key, never "
            "the AWS managed key alias/aws/sns: its key policy cannot grant "
            "social-messaging.amazonaws.com, so events would be dropped."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=TAGS,
        remediation_steps=(
            "Create a symmetric customer managed key whose key policy allows "
            "social-messaging.amazonaws.com kms:GenerateDataKey* and kms:Decrypt with "
            "aws:SourceAccount and aws:SourceArn conditions, and set the topic's "
            "`kmsMasterKeyId` to its alias name or ARN (not alias/aws/sns in any form)."
        ),
        config_schema=PolicyConfigSchema(
            properties={
                REQUIRE_ENCRYPTION: {
                    "type": "boolean",
                    "default": True,
                    "description": (
                        "Require destination topics to be encrypted. Set to false to accept "
                        "unencrypted topics; the AWS managed key stays refused either way."
                    ),
                },
            },
        ),
        validate=stack_validation(check_customer_managed_key),
    )
