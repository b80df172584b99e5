"""Rule `waba-destination-delivery-permissions`: the service can actually deliver events.

A destination is accepted by the API even when the service is not allowed to use it;
events are then dropped without an error anywhere. For an SNS destination the topic
policy must let social-messaging.amazonaws.com `sns:Publish`, and a key of the stack that
encrypts the topic must let it `kms:GenerateDataKey*` and `kms:Decrypt`. For a Connect
destination the role in `roleArn` must trust the service and allow the documented actions.
"""

from __future__ import annotations

from .arns import parse_arn
from .channel_role import CHANNEL_ROLE_ACTIONS
from .destinations import DestinationView, unknown_destination_note, view_destination
from .documents import allows_action, parse_document
from .grants import GrantSearch, find_service_grants
from .stack import StackIndex, known_str
from .values import Outcome, Resource

PUBLISH = "sns:Publish"
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
ASSUME_ROLE = "sts:AssumeRole"

CONDITIONS = (
    '"Condition": {"StringEquals": {"aws:SourceAccount": "<account-id>"}, '
    '"ArnLike": {"aws:SourceArn": "arn:<partition>:social-messaging:<region>:<account-id>:*"}}'
)
TOPIC_STATEMENT = (
    '{"Effect": "Allow", "Principal": {"Service": "social-messaging.amazonaws.com"}, '
    f'"Action": "sns:Publish", "Resource": "<topic-arn>", {CONDITIONS}}}'
)
KEY_STATEMENT = (
    '{"Effect": "Allow", "Principal": {"Service": "social-messaging.amazonaws.com"}, '
    f'"Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*", {CONDITIONS}}}'
)
TRUST_STATEMENT = (
    '{"Effect": "Allow", "Principal": {"Service": "social-messaging.amazonaws.com"}, '
    f'"Action": "sts:AssumeRole", {CONDITIONS}}}'
)


def check_delivery_permissions(index: StackIndex) -> Outcome:
    """Follow each destination to the topic, key or role it needs, when they are in the stack."""
    outcome = Outcome()
    for destination in index.destinations():
        view = view_destination(index, destination)
        if view.kind == "sns":
            for topic in view.topics:
                _check_topic(index, view, topic, outcome)
        elif view.kind == "connect":
            _check_connect(index, view, outcome)
        elif view.kind == "other" and view.arn is not None:
            outcome.add(
                f"`eventDestinationArn` of {destination.label} is '{view.arn}', which is neither "
                "an SNS topic ARN nor an Amazon Connect instance ARN, the only destinations AWS "
                "End User Messaging Social delivers to; point it at a standard SNS topic or a "
                "Connect instance.",
                destination.urn,
            )
        elif destination.get("eventDestinationArn") is not None:
            outcome.unknown(unknown_destination_note(view))
    return outcome


def _report_search(search: GrantSearch, outcome: Outcome) -> None:
    for note in search.unknown:
        outcome.unknown(note)


def _check_topic(
    index: StackIndex, view: DestinationView, topic: Resource, outcome: Outcome
) -> None:
    documents = index.topic_policy_documents(topic)
    search = find_service_grants(
        documents,
        [PUBLISH],
        known_str(topic.get("arn")) or view.arn,
        index.topic_name(topic),
        check_resource=True,
    )
    _report_search(search, outcome)
    if not search.unknown and search.missing([PUBLISH]):
        detail = "; ".join(search.unconditioned.get(PUBLISH, []) + search.problems)
        found = f" ({detail})" if detail else (" (it has no topic policy)" if not documents else "")
        outcome.add(
            f"Topic {topic.label} is the event destination of {view.resource.label} for "
            f"{view.waba}, but no topic policy lets social-messaging.amazonaws.com `{PUBLISH}` "
            f"to it with confused-deputy conditions{found}, so events are dropped. Add this "
            f"statement to the topic policy: {TOPIC_STATEMENT}.",
            topic.urn,
        )
    reference = index.topic_key(topic)
    if reference.kind == "unknown":
        outcome.unknown(
            f"`kmsMasterKeyId` of topic {topic.label} is unknown at preview and does not come "
            "from a key or alias in this stack"
        )
    if reference.kind != "key" or reference.key is None:
        return
    key = reference.key
    key_documents = index.key_policy_documents(key)
    if not key_documents:
        outcome.add(
            f"KMS key {key.label} encrypts topic {topic.label}, the event destination of "
            f"{view.resource.label}, but has no key policy in the stack, so the default key "
            "policy applies and social-messaging.amazonaws.com cannot use the key; events are "
            f"dropped. Set the key's `policy` with this statement: {KEY_STATEMENT}.",
            key.urn,
        )
        return
    search = find_service_grants(key_documents, KEY_ACTIONS)
    _report_search(search, outcome)
    missing = search.missing(KEY_ACTIONS)
    if not search.unknown and missing:
        details = [d for action in missing for d in search.unconditioned.get(action, [])]
        detail = (
            f" ({'; '.join(dict.fromkeys(details + search.problems))})"
            if details or search.problems
            else ""
        )
        outcome.add(
            f"KMS key {key.label} encrypts topic {topic.label}, the event destination of "
            f"{view.resource.label}, but its key policy does not let "
            f"social-messaging.amazonaws.com {', '.join(f'`{a}`' for a in missing)} with "
            f"confused-deputy conditions{detail}, so events are dropped. Add this statement to "
            f"the key policy: {KEY_STATEMENT}.",
            key.urn,
        )


def _check_connect(index: StackIndex, view: DestinationView, outcome: Outcome) -> None:
    destination = view.resource
    value = destination.get("roleArn")
    if value is None or value == "":
        outcome.add(
            f"{destination.label} sends the events of {view.waba} to Amazon Connect instance "
            f"'{view.arn or 'unknown'}' without `roleArn`; a Connect destination needs the two-way "
            "channel role. Set `roleArn` to a role that trusts social-messaging.amazonaws.com and "
            f"allows {', '.join(CHANNEL_ROLE_ACTIONS)}.",
            destination.urn,
        )
        return
    roles, was_unknown = index.roles_for(destination, "roleArn")
    if was_unknown and not roles:
        outcome.unknown(
            f"`roleArn` of {destination.label} is unknown at preview and does not come from a "
            "role in this stack"
        )
        return
    if not was_unknown and isinstance(value, str):
        parsed = parse_arn(value)
        if parsed is None or parsed.service != "iam" or not parsed.resource.startswith("role/"):
            outcome.add(
                f"`roleArn` of {destination.label} is '{value}', which is not an IAM role ARN; "
                "set it to the ARN of the two-way channel role "
                "(arn:<partition>:iam::<account-id>:role/<name>).",
                destination.urn,
            )
            return
    for role in roles:
        _check_role(index, view, role, outcome)


def _check_role(index: StackIndex, view: DestinationView, role: Resource, outcome: Outcome) -> None:
    trust = find_service_grants(
        [(role, "assumeRolePolicy", parse_document(role.get("assumeRolePolicy")))], [ASSUME_ROLE]
    )
    _report_search(trust, outcome)
    if not trust.unknown and trust.missing([ASSUME_ROLE]):
        detail = "; ".join(trust.unconditioned.get(ASSUME_ROLE, []) + trust.problems)
        outcome.add(
            f"Role {role.label} is the `roleArn` of {view.resource.label}, but its trust policy "
            f"does not let social-messaging.amazonaws.com `{ASSUME_ROLE}` with confused-deputy "
            f"conditions{f' ({detail})' if detail else ''}; the service cannot deliver events to "
            f"Amazon Connect. Use this trust statement: {TRUST_STATEMENT}.",
            role.urn,
        )
    permissions = index.role_permissions(role)
    for note in permissions.unknown:
        outcome.unknown(f"{note} is unknown at preview")
    granted: set[str] = set()
    undecided = bool(permissions.unknown)
    for source in permissions.sources:
        if source.document.unknown:
            outcome.unknown(f"{source.label} of role {role.label} is unknown at preview")
            undecided = True
            continue
        for statement in source.document.statements:
            if statement.may_grant_unknown:
                outcome.unknown(
                    f"{source.label} of role {role.label}: {statement.label} has an unknown "
                    f"value at {statement.unknown_path}"
                )
                undecided = True
                continue
            granted.update(a for a in CHANNEL_ROLE_ACTIONS if allows_action(statement, a))
    missing = [a for a in CHANNEL_ROLE_ACTIONS if a not in granted]
    # Policies attached from outside the stack cannot be read: then missing actions are not judged.
    if missing and not permissions.outside_arns and not undecided:
        outcome.add(
            f"Role {role.label} is the `roleArn` of {view.resource.label}, but no policy of the "
            f"role in this stack allows {', '.join(f'`{a}`' for a in missing)}; Amazon Connect "
            "cannot receive events or import the WABA's phone numbers. Add a role policy that "
            f'allows {", ".join(CHANNEL_ROLE_ACTIONS)} on Resource "*".',
            role.urn,
        )
