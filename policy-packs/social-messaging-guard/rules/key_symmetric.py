"""Rule `kms-key-symmetric`: keys that serve SNS topics or the service are symmetric.

SNS server-side encryption and AWS End User Messaging Social only work with symmetric
encryption keys (`SYMMETRIC_DEFAULT`, usage `ENCRYPT_DECRYPT`). An asymmetric or signing
key is accepted when it is created, and every event published through it fails later.
"""

from __future__ import annotations

from .documents import Document, parse_document
from .grants import grants_social_messaging
from .stack import KEY, TOPIC, KeyReference, StackIndex
from .values import Outcome, Resource, is_unknown

SPEC_PROPERTY = "customerMasterKeySpec"
USAGE_PROPERTY = "keyUsage"
SYMMETRIC_SPEC = "SYMMETRIC_DEFAULT"
ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"


def key_settings_problems(key: Resource) -> tuple[list[str], list[str]]:
    """(wrong settings, unknown settings) of a key; unset means the symmetric default."""
    problems, unknown = [], []
    for prop, expected in ((SPEC_PROPERTY, SYMMETRIC_SPEC), (USAGE_PROPERTY, ENCRYPT_DECRYPT)):
        value = key.get(prop)
        if value is None or value == "":
            continue
        if is_unknown(value):
            unknown.append(prop)
        elif str(value).upper() != expected:
            problems.append(f"`{prop}` '{value}' (expected '{expected}' or unset)")
    return problems, unknown


def keys_in_scope(
    index: StackIndex,
) -> tuple[dict[str, list[str]], list[tuple[Resource, KeyReference]], dict[str, list[str]]]:
    """Keys that encrypt a topic or whose key policy grants the service, with the reasons.

    Also returns the topics whose key could not be resolved and, per key, the key policies
    that were unknown or may replace its policy: these decide whether an asymmetric key
    is in scope.
    """
    reasons: dict[str, list[str]] = {}
    unresolved_topics = []
    for topic in index.of_type(TOPIC):
        reference = index.topic_key(topic)
        if reference.kind == "key" and reference.key is not None:
            reasons.setdefault(reference.key.urn, []).append(f"it encrypts SNS topic {topic.label}")
        elif reference.kind == "unknown":
            unresolved_topics.append((topic, reference))
    untraceable = [
        policy
        for policy in index.untraceable_key_policies()
        if _may_grant(parse_document(policy.get("policy")))
    ]
    unknown_policies: dict[str, list[str]] = {}
    for key in index.of_type(KEY):
        for holder, prop, document in index.key_policy_documents(key):
            if document.unknown:
                unknown_policies.setdefault(key.urn, []).append(
                    f"`{prop}` of {holder.label} is unknown at preview"
                )
            elif any(grants_social_messaging(statement) for statement in document.statements):
                reasons.setdefault(key.urn, []).append(
                    f"`{prop}` of {holder.label} grants it to social-messaging.amazonaws.com"
                )
        for policy in untraceable:
            unknown_policies.setdefault(key.urn, []).append(
                f"`keyId` of key policy {policy.label}, which may grant the key to "
                "social-messaging.amazonaws.com, is unknown at preview and does not come from a "
                "key in this stack"
            )
    return reasons, unresolved_topics, unknown_policies


def _may_grant(document: Document) -> bool:
    if document.unknown or any(s.may_grant_unknown for s in document.statements):
        return True
    return any(grants_social_messaging(statement) for statement in document.statements)


def check_key_symmetric(index: StackIndex) -> Outcome:
    """Report asymmetric keys in scope; say which link was unknown for keys that may be."""
    outcome = Outcome()
    reasons, unresolved_topics, unknown_policies = keys_in_scope(index)
    for key in index.of_type(KEY):
        problems, unknown = key_settings_problems(key)
        if key.urn in reasons:
            why = "; ".join(reasons[key.urn])
            if problems:
                outcome.add(
                    f"KMS key {key.label} has {' and '.join(problems)}, but {why}. SNS and AWS End "
                    "User Messaging Social only use symmetric encryption keys: set "
                    f"`{SPEC_PROPERTY}` to '{SYMMETRIC_SPEC}' and `{USAGE_PROPERTY}` to "
                    f"'{ENCRYPT_DECRYPT}' (or leave both unset); the key is replaced, as a key's "
                    "spec cannot change.",
                    key.urn,
                )
            for prop in unknown:
                outcome.unknown(f"`{prop}` of KMS key {key.label} is unknown at preview")
        elif problems or unknown:
            # Not known to serve a topic or the service: only an unknown link can bring it in scope.
            for where in unknown_policies.get(key.urn, []):
                outcome.unknown(
                    f"{where}, so it is not known whether KMS key {key.label} "
                    f"({', '.join(problems) or 'settings unknown'}) is granted to the service"
                )
            for topic, reference in unresolved_topics:
                outcome.unknown(
                    f"{reference.note}, so it is not known whether topic {topic.label} uses KMS "
                    f"key {key.label}"
                )
    return outcome
