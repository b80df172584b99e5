"""Rule `kms-key-symmetric`: keys that serve SNS topics or the service are symmetric.

SNS server-side encryption and AWS End User Messaging Social only work with symmetric
encryption keys (`SYMMETRIC_DEFAULT`, usage `ENCRYPT_DECRYPT`). An asymmetric or signing
key is accepted when it is created, and every event published through it fails later.
"""

from __future__ import annotations

from .stack import KEY, TOPIC, StackIndex
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
) -> tuple[dict[str, list[str]], list[Resource], dict[str, list[str]]]:
    """Keys that encrypt a topic or whose key policy grants the service, with the reasons.

    Also returns the topics whose key could not be resolved and, per key, the key policy
    properties that were unknown: these decide whether an asymmetric key is in scope.
    """
    reasons: dict[str, list[str]] = {}
    unresolved_topics = []
    for topic in index.of_type(TOPIC):
        reference = index.topic_key(topic)
        if reference.kind == "key" and reference.key is not None:
            reasons.setdefault(reference.key.urn, []).append(f"it encrypts SNS topic {topic.label}")
        elif reference.kind == "unknown":
            unresolved_topics.append(topic)
    unknown_policies: dict[str, list[str]] = {}
    for key in index.of_type(KEY):
        for holder, prop, document in index.key_policy_documents(key):
            if document.unknown:
                unknown_policies.setdefault(key.urn, []).append(f"`{prop}` of {holder.label}")
            elif any(statement.grants_service() for statement in document.statements):
                reasons.setdefault(key.urn, []).append(
                    f"`{prop}` of {holder.label} grants it to social-messaging.amazonaws.com"
                )
    return reasons, unresolved_topics, unknown_policies


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
                    f"{where} is unknown at preview, so it is not known whether KMS key "
                    f"{key.label} ({', '.join(problems) or 'settings unknown'}) is granted to "
                    "the service"
                )
            for topic in unresolved_topics:
                outcome.unknown(
                    f"`kmsMasterKeyId` of topic {topic.label} is unknown at preview, so it is not "
                    f"known whether the topic uses KMS key {key.label}"
                )
    return outcome
