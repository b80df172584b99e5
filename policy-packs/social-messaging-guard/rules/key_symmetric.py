"""Rule `kms-key-symmetric`: keys that serve SNS topics or the service are symmetric.

SNS server-side encryption and AWS End User Messaging Social only work with symmetric
encryption keys (`SYMMETRIC_DEFAULT`, usage `ENCRYPT_DECRYPT`). An asymmetric or signing
key is accepted when it is created, and every event published through it fails later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity, StackValidationPolicy

from .documents import Document
from .engine import stack_validation
from .index import KeyReference, StackIndex
from .metadata import TAGS
from .model import KEY, POLICY, SPEC, TARGETS, TOPIC, USAGE, Node
from .service_requests import grants_social_messaging
from .values import Outcome, is_unknown

POLICY_NAME = "kms-key-symmetric"
SYMMETRIC_SPEC = "SYMMETRIC_DEFAULT"
ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"


def key_settings_problems(key: Node) -> tuple[list[str], list[str]]:
    """(wrong settings, unknown settings) of a key; unset means the symmetric default."""
    problems, unknown = [], []
    for field_name, expected in ((SPEC, SYMMETRIC_SPEC), (USAGE, ENCRYPT_DECRYPT)):
        prop = key.prop(field_name)
        value = key.get(field_name)
        if value is None or value == "":
            continue
        if is_unknown(value):
            unknown.append(prop)
        elif str(value).upper() != expected:
            problems.append(f"`{prop}` '{value}' (expected '{expected}' or unset)")
    return problems, unknown


def keys_in_scope(
    index: StackIndex,
) -> tuple[dict[str, list[str]], list[tuple[Node, KeyReference]], list[str]]:
    """Keys that encrypt a topic or whose key policy grants the service, with the reasons.

    Also returns the topics whose key could not be resolved and the key policies whose
    key is unknown at preview and that may grant the service: these decide whether a key
    with wrong settings is in scope.
    """
    reasons: dict[str, list[str]] = {}
    unresolved_topics = []
    for topic in index.of_kind(TOPIC):
        reference = index.topic_key(topic)
        if reference.kind == "key" and reference.key is not None:
            reasons.setdefault(reference.key.urn, []).append(f"it encrypts SNS topic {topic.label}")
        elif reference.kind == "unknown":
            unresolved_topics.append((topic, reference))
    untraceable = [
        f"`{policy.prop(TARGETS)}` of key policy {policy.label}, which may grant the key to "
        "social-messaging.amazonaws.com, is unknown at preview and does not come from a key in "
        "this stack"
        for policy in index.untraceable_key_policies
        if _may_grant(index.document(policy, POLICY))
    ]
    for key in index.of_kind(KEY):
        for holder, prop, document in index.key_policy_documents(key):
            if not document.unknown and any(
                grants_social_messaging(statement) for statement in document.statements
            ):
                reasons.setdefault(key.urn, []).append(
                    f"`{prop}` of {holder.label} grants it to social-messaging.amazonaws.com"
                )
    return reasons, unresolved_topics, untraceable


def _unknown_policies(index: StackIndex, key: Node) -> list[str]:
    return [
        f"`{prop}` of {holder.label} is unknown at preview"
        for holder, prop, document in index.key_policy_documents(key)
        if document.unknown
    ]


def _more(count: int, what: str) -> str:
    return f" (and so for {count:,} more {what})" if count > 0 else ""


def _may_grant(document: Document) -> bool:
    if document.unknown or any(s.may_grant_unknown for s in document.statements):
        return True
    return any(grants_social_messaging(statement) for statement in document.statements)


def check_key_symmetric(index: StackIndex, config: Mapping[str, Any] | None = None) -> Outcome:
    """Report asymmetric keys in scope; say which link was unknown for keys that may be."""
    outcome = Outcome()
    reasons, unresolved_topics, untraceable = keys_in_scope(index)
    for key in index.of_kind(KEY):
        with outcome.judging(f"KMS key {key.label}", key.urn):
            problems, unknown = key_settings_problems(key)
            if key.urn in reasons:
                why = "; ".join(reasons[key.urn])
                if problems:
                    outcome.add(
                        f"KMS key {key.label} has {' and '.join(problems)}, but {why}. SNS "
                        "and AWS End User Messaging Social only use symmetric encryption keys: set "
                        f"`{key.prop(SPEC)}` to '{SYMMETRIC_SPEC}' and `{key.prop(USAGE)}` to "
                        f"'{ENCRYPT_DECRYPT}' (or leave both unset); the key is replaced, as a "
                        "key's spec cannot change.",
                        key.urn,
                    )
                for prop in unknown:
                    outcome.unknown(f"`{prop}` of KMS key {key.label} is unknown at preview")
            elif problems or unknown:
                # Not known to serve a topic or the service: only an unknown link can
                # bring it in scope.
                # One note per kind of unknown link (the first, with how many more), so a
                # stack of many keys and many untraceable policies stays linear.
                wheres = _unknown_policies(index, key) + untraceable
                if wheres:
                    outcome.unknown(
                        f"{wheres[0]}{_more(len(wheres) - 1, 'key policies')}, so it is not known "
                        f"whether KMS key {key.label} "
                        f"({', '.join(problems) or 'settings unknown'}) is granted to the service"
                    )
                if unresolved_topics:
                    topic, reference = unresolved_topics[0]
                    outcome.unknown(
                        f"{reference.note}{_more(len(unresolved_topics) - 1, 'topics')}, so it is "
                        f"not known whether topic {topic.label} uses KMS key {key.label}"
                    )
    return outcome


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=POLICY_NAME,
        display_name="Keys for topics and the service are symmetric",
        description=(
            "A KMS key that encrypts an SNS topic or is granted to "
            "social-messaging.amazonaws.com must be SYMMETRIC_DEFAULT with usage "
            "ENCRYPT_DECRYPT: SNS and AWS End User Messaging Social cannot use asymmetric or "
            "signing keys, so every event would fail to publish."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=TAGS,
        remediation_steps=(
            "Set the key spec (`customerMasterKeySpec` in aws, `keySpec` in aws-native) to "
            "SYMMETRIC_DEFAULT and `keyUsage` to ENCRYPT_DECRYPT, or leave both unset (those are "
            "the defaults). A key's spec cannot change, so Pulumi replaces the key; keep the old "
            "key until no message encrypted with it is needed."
        ),
        validate=stack_validation(check_key_symmetric),
    )
