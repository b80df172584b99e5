"""Rule `waba-destination-delivery-permissions`: the service can actually deliver events.

A destination is accepted by the API even when the service is not allowed to use it;
events are then dropped without an error anywhere. For an SNS destination the topic
policy must let social-messaging.amazonaws.com `sns:Publish`, and a key of the stack that
encrypts the topic must let it `kms:GenerateDataKey*` and `kms:Decrypt`. For a Connect
destination the role in `roleArn` must trust the service and allow the documented actions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from pulumi_policy import EnforcementLevel, Severity, StackValidationPolicy

from .arns import iam_resource_name, parse_arn, sns_topic_name
from .channel_role import CHANNEL_ROLE_ACTIONS
from .destinations import DestinationView, unknown_destination_note, view_destination
from .documents import Document, allows_action, names_action
from .engine import stack_validation
from .grants import GrantSearch, find_service_grants
from .index import MAX_SAME_NAME, StackIndex, known_str
from .metadata import TAGS
from .model import ARN, EVENT_DESTINATION_ARN, POLICY, ROLE_ARN, TARGETS, TRUST_POLICY, Node
from .service_requests import ServiceRequest, request_for
from .values import Outcome

POLICY_NAME = "waba-destination-delivery-permissions"

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
DENY_FIX = (
    "An explicit Deny wins over every Allow: remove the statement, or keep it from applying "
    'to AWS services, for example by adding "BoolIfExists": {"aws:PrincipalIsAWSService": '
    '"false"} to its Condition'
)
TRUST_STATEMENT = (
    '{"Effect": "Allow", "Principal": {"Service": "social-messaging.amazonaws.com"}, '
    f'"Action": "sts:AssumeRole", {CONDITIONS}}}'
)


def check_delivery_permissions(
    index: StackIndex, config: Mapping[str, Any] | None = None
) -> Outcome:
    """Follow each destination to the topic, key or role it needs, when they are in the stack."""
    outcome = Outcome()
    for destination in index.destinations():
        with outcome.judging(destination.label, destination.urn):
            view = view_destination(index, destination)
            _report_crowded(index, view, outcome)
            if view.kind == "sns":
                for topic in view.topics:
                    topic_arn = known_str(topic.get(ARN)) or view.arn
                    judged = _judged(
                        index,
                        ("topic", topic.urn, topic_arn or ""),
                        partial(_check_topic, topic, topic_arn),
                    )
                    _add_for(view, judged, outcome)
            elif view.kind == "connect":
                _check_connect(index, view, outcome)
            elif view.kind == "other" and view.arn is not None:
                outcome.add(
                    f"`eventDestinationArn` of {destination.label} is '{view.arn}', which is "
                    "neither an SNS topic ARN nor an Amazon Connect instance ARN"
                    f"{_arn_hint(view.arn)}, the only destinations AWS End User Messaging "
                    "Social delivers to; point it at a standard SNS topic "
                    "(arn:<partition>:sns:<region>:<account-id>:<topic-name>) or a Connect "
                    "instance (arn:<partition>:connect:<region>:<account-id>:instance/<id>).",
                    destination.urn,
                )
            elif destination.get(EVENT_DESTINATION_ARN) is not None:
                outcome.unknown(unknown_destination_note(view))
    return outcome


def _report_crowded(index: StackIndex, view: DestinationView, outcome: Outcome) -> None:
    """A destination whose topic or role name the stack declares too often is refused."""
    destination = view.resource
    for prop, value, kind, crowded in (
        (EVENT_DESTINATION_ARN, view.arn, "topic", index.crowded_topics),
        (ROLE_ARN, known_str(destination.get(ROLE_ARN)), "role", index.crowded_roles),
    ):
        parsed = parse_arn(value) if value else None
        if parsed is None:
            continue
        name = sns_topic_name(parsed) if kind == "topic" else iam_resource_name(parsed, "role")
        count = crowded.get(name or "")
        if count:
            outcome.add(
                f"`{prop}` of {destination.label} names {kind} '{name}', which {count:,} "
                f"{kind} resources of this stack declare; AWS keeps one {kind} of a name per "
                "account, so they would overwrite each other's settings (the pack judged the "
                f"first {MAX_SAME_NAME}). Declare the {kind} once and refer to it.",
                destination.urn,
            )


# A topic, key or role serves every destination that points at it, and is judged once for
# them all: messages are written with these two markers, filled in per destination.
_DESTINATION = "\x00destination\x00"
_WABA = "\x00waba\x00"


def _judged(
    index: StackIndex, subject: tuple[str, ...], judge: Callable[[StackIndex, Outcome], None]
) -> Outcome:
    def run() -> Outcome:
        outcome = Outcome()
        judge(index, outcome)
        return outcome

    return index.memo(f"delivery {subject}", run)


def _add_for(view: DestinationView, judged: Outcome, outcome: Outcome) -> None:
    def filled(text: str) -> str:
        return text.replace(_DESTINATION, view.resource.label).replace(_WABA, view.waba)

    for finding in judged.findings:
        outcome.add(filled(finding.message), finding.urn)
    for note in judged.undecided:
        outcome.unknown(filled(note))


def _arn_hint(arn: str) -> str:
    """What a near miss is, so the message says why it is not accepted."""
    parsed = parse_arn(arn)
    if parsed is None:
        return ""
    if parsed.service == "sns":
        return " (an SNS ARN with more than a topic name, such as a subscription)"
    if parsed.service == "connect":
        return " (an Amazon Connect ARN of something inside or beside an instance)"
    return ""


def _own_document(index: StackIndex, holder: Node) -> list[tuple[Node, str, Document]]:
    return [(holder, holder.prop(POLICY), index.document(holder))]


def _report_search(search: GrantSearch, outcome: Outcome) -> None:
    for note in search.unknown:
        outcome.unknown(note)


@dataclass(frozen=True)
class PolicyQuery:
    """What one resource policy must let the service do: actions, and the resource if any."""

    actions: tuple[str, ...]
    request: ServiceRequest
    arn: str | None = None
    name: str | None = None
    check_resource: bool = False

    def search(self, documents: Sequence[tuple[Node, str, Document]]) -> GrantSearch:
        return find_service_grants(
            documents, self.actions, self.arn, self.name, self.check_resource, self.request
        )


def _judge_policy(
    index: StackIndex,
    subject: Node,
    kind: str,
    replacers: list[Node],
    documents: list[tuple[Node, str, Document]],
    untraceable: list[Node],
    query: PolicyQuery,
    context: str,
    outcome: Outcome,
) -> GrantSearch | None:
    """The grant search over a resource's effective policy, or None when it cannot be judged.

    `kind` is "topic" or "key"; `replacers` are the TopicPolicy/KeyPolicy resources attached
    to the subject, each of which replaces its whole policy; `untraceable` are those whose
    target is unknown at preview and may be attached to it.
    """
    if len(replacers) > 1:
        verdicts = []
        for replacer in replacers[:MAX_SAME_NAME]:
            alone = query.search(_own_document(index, replacer))
            allowed = alone.allows(query.actions)
            verdicts.append(
                f"{replacer.label} {'lets' if allowed else 'does not let'} the service "
                f"{', '.join(f'`{a}`' for a in query.actions)}"
            )
        if len(replacers) > MAX_SAME_NAME:
            verdicts.append(f"{len(replacers) - MAX_SAME_NAME:,} more not judged")
        outcome.add(
            f"{context}, and {len(replacers)} {kind} policy resources are attached to it "
            f"({'; '.join(verdicts)}). Each replaces the whole {kind} policy, so the one applied "
            f"last wins and whether events are delivered depends on the order of updates; merge "
            f"them into one {kind} policy resource.",
            subject.urn,
        )
        return None
    search = query.search(documents)
    _report_search(search, outcome)
    decided = search.allows(query.actions)
    undecided = False
    if len(untraceable) > MAX_SAME_NAME:
        # Each may replace the policy: judging them all for every subject would cost their
        # number times the subjects', so past the cap the subject is not judged at preview.
        outcome.unknown(
            f"`{untraceable[0].prop(TARGETS)}` of {len(untraceable):,} {kind} policies (such "
            f"as {untraceable[0].label}) is unknown at preview and does not come from a {kind} "
            f"in this stack, so it is not known which of them replaces the {kind} policy of "
            f"{subject.label}"
        )
        return None
    for other in untraceable:
        alone = query.search(_own_document(index, other))
        if alone.allows(query.actions) != decided:
            outcome.unknown(
                f"`{other.prop(TARGETS)}` of {kind} policy {other.label} is unknown at preview "
                f"and does not come from a {kind} in this stack, so it is not known whether it "
                "replaces the "
                f"{kind} policy of {subject.label}"
            )
            undecided = True
    return None if undecided or search.unknown else search


def _report_denied(
    search: GrantSearch, actions: Sequence[str], context: str, subject: Node, outcome: Outcome
) -> None:
    """A Deny that reaches the service takes a granted action away; an unclear one is noted."""
    blocked = search.blocked(actions)
    if blocked:
        by_statement: dict[tuple[str, str], list[str]] = {}
        for action in blocked:
            for denial in search.denied[action]:
                by_statement.setdefault(denial, []).append(f"`{action}`")
        details = "; ".join(
            f"{who} denies social-messaging.amazonaws.com {', '.join(names)} ({why})"
            for (who, why), names in by_statement.items()
        )
        outcome.add(
            f"{context}, but {details}, so events are dropped. {DENY_FIX}.",
            subject.urn,
        )
        return
    for action in actions:
        if action in search.granted:
            for note in search.deny_unknown.get(action, []):
                outcome.unknown(note)


def _check_topic(topic: Node, topic_arn: str | None, index: StackIndex, outcome: Outcome) -> None:
    query = PolicyQuery(
        (PUBLISH,), request_for(topic_arn), topic_arn, index.topic_name(topic), True
    )
    context = f"Topic {topic.label} is the event destination of {_DESTINATION} for {_WABA}"
    documents = index.topic_policy_documents(topic)
    search = _judge_policy(
        index,
        topic,
        "topic",
        index.topic_policy_replacers(topic),
        documents,
        index.untraceable_topic_policies,
        query,
        context,
        outcome,
    )
    if search is not None and search.missing([PUBLISH]):
        detail = "; ".join(search.unconditioned.get(PUBLISH, []) + search.problems)
        found = f" ({detail})" if detail else (" (it has no topic policy)" if not documents else "")
        outcome.add(
            f"{context}, but no topic policy lets social-messaging.amazonaws.com `{PUBLISH}` "
            f"to it with confused-deputy conditions{found}, so events are dropped. Add this "
            f"statement to the topic policy: {TOPIC_STATEMENT}.",
            topic.urn,
        )
    elif search is not None:
        _report_denied(search, [PUBLISH], context, topic, outcome)
    reference = index.topic_key(topic)
    if reference.kind == "unknown":
        outcome.unknown(reference.note)
    if reference.kind != "key" or reference.key is None:
        return
    _check_key(index, topic, reference.key, query.request, outcome)


def _check_key(
    index: StackIndex,
    topic: Node,
    key: Node,
    request: ServiceRequest,
    outcome: Outcome,
) -> None:
    context = (
        f"KMS key {key.label} encrypts topic {topic.label}, the event destination of {_DESTINATION}"
    )
    key_documents = index.key_policy_documents(key)
    untraceable = index.untraceable_key_policies
    if not key_documents and not untraceable:
        outcome.add(
            f"{context}, but has no key policy in the stack, so the default key policy applies "
            "and social-messaging.amazonaws.com cannot use the key; events are dropped. Set the "
            f"key's `{key.prop(POLICY)}` with this statement: {KEY_STATEMENT}.",
            key.urn,
        )
        return
    search = _judge_policy(
        index,
        key,
        "key",
        index.key_policy_replacers(key),
        key_documents,
        untraceable,
        PolicyQuery(KEY_ACTIONS, request),
        context,
        outcome,
    )
    if search is None:
        return
    missing = search.missing(KEY_ACTIONS)
    if missing:
        details = [d for action in missing for d in search.unconditioned.get(action, [])]
        detail = (
            f" ({'; '.join(dict.fromkeys(details + search.problems))})"
            if details or search.problems
            else ""
        )
        outcome.add(
            f"{context}, but its key policy does not let social-messaging.amazonaws.com "
            f"{', '.join(f'`{a}`' for a in missing)} with confused-deputy conditions{detail}, so "
            f"events are dropped. Add this statement to the key policy: {KEY_STATEMENT}.",
            key.urn,
        )
    else:
        _report_denied(search, KEY_ACTIONS, context, key, outcome)


def _check_connect(index: StackIndex, view: DestinationView, outcome: Outcome) -> None:
    destination = view.resource
    value = destination.get(ROLE_ARN)
    if value is None or value == "":
        outcome.add(
            f"{destination.label} sends the events of {view.waba} to Amazon Connect instance "
            f"'{view.arn or 'unknown'}' without `roleArn`; a Connect destination needs the two-way "
            "channel role. Set `roleArn` to a role that trusts social-messaging.amazonaws.com and "
            f"allows {', '.join(CHANNEL_ROLE_ACTIONS)}.",
            destination.urn,
        )
        return
    roles, was_unknown = index.roles_for(destination, ROLE_ARN)
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
        judged = _judged(
            index, ("role", role.urn, view.arn or ""), partial(_check_role, role, view.arn)
        )
        _add_for(view, judged, outcome)


def _check_role(role: Node, arn: str | None, index: StackIndex, outcome: Outcome) -> None:
    trust = find_service_grants(
        [(role, role.prop(TRUST_POLICY), index.document(role, TRUST_POLICY))],
        [ASSUME_ROLE],
        request=request_for(arn),
    )
    _report_search(trust, outcome)
    context = f"Role {role.label} is the `roleArn` of {_DESTINATION}"
    if not trust.unknown and trust.missing([ASSUME_ROLE]):
        detail = "; ".join(trust.unconditioned.get(ASSUME_ROLE, []) + trust.problems)
        outcome.add(
            f"{context}, but its trust policy does not let social-messaging.amazonaws.com "
            f"`{ASSUME_ROLE}` with confused-deputy conditions{f' ({detail})' if detail else ''}; "
            "the service cannot deliver events to Amazon Connect. Use this trust statement: "
            f"{TRUST_STATEMENT}.",
            role.urn,
        )
    elif not trust.unknown:
        _report_denied(trust, [ASSUME_ROLE], context, role, outcome)
    permissions = index.role_permissions(role)
    for note in permissions.unknown:
        outcome.unknown(note)
    granted: set[str] = set()
    denied: set[str] = set()
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
            # An unconditioned Deny in the role's own policies always applies to the role.
            if (
                not statement.is_allow
                and not statement.conditions
                and statement.unknown_path is None
            ):
                denied.update(a for a in CHANNEL_ROLE_ACTIONS if names_action(statement, a))
    missing = [a for a in CHANNEL_ROLE_ACTIONS if a not in granted or a in denied]
    # Policies attached from outside the stack cannot be read: then missing actions are not judged.
    if missing and not permissions.outside_arns and not undecided:
        outcome.add(
            f"{context}, but no policy of the role in this stack allows "
            f"{', '.join(f'`{a}`' for a in missing)}"
            f"{' (an unconditioned Deny takes them away)' if denied & set(missing) else ''}; "
            "Amazon Connect cannot receive events or import the WABA's phone numbers. Add a role "
            f'policy that allows {", ".join(CHANNEL_ROLE_ACTIONS)} on Resource "*".',
            role.urn,
        )


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=POLICY_NAME,
        display_name="The service may deliver to each destination",
        description=(
            "Each WABA event destination must be a topic or Connect instance ARN and let "
            "social-messaging.amazonaws.com deliver: the topic policy grants sns:Publish, the "
            "topic's key grants kms:GenerateDataKey* and kms:Decrypt, or the Connect role trusts "
            "the service and allows the documented actions, with no Deny that reaches the "
            "service. Otherwise the API accepts the destination and events are silently dropped."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=TAGS,
        remediation_steps=(
            "SNS: add to the topic policy an Allow of sns:Publish on the topic ARN to "
            "social-messaging.amazonaws.com, and to the key policy an Allow of "
            "kms:GenerateDataKey* and kms:Decrypt, both with aws:SourceAccount and "
            "aws:SourceArn conditions. Connect: set roleArn to a role whose trust policy allows "
            "social-messaging.amazonaws.com sts:AssumeRole (with the same conditions) and whose "
            f"policy allows {', '.join(CHANNEL_ROLE_ACTIONS)}. Keep a Deny from reaching AWS "
            'services (for example with "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}), '
            "and attach at most one KeyPolicy, TopicPolicy or TopicInlinePolicy per key or topic: "
            "each replaces the whole policy."
        ),
        validate=stack_validation(check_delivery_permissions),
    )
