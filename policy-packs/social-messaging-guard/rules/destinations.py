"""Which resources of a stack are WABA event destinations, and where they point.

A topic is a destination topic when a WabaEventDestination points at it, or when a topic
policy grants social-messaging.amazonaws.com on it (a WABA can be pointed at a topic from
the console, so a stack that only prepares the topic is judged the same way). A
destination that points at a topic or role outside the stack is out of scope for the
stack rules: the pack cannot see that resource, so it says nothing about it rather than
guessing; only what the destination's own ARN shows is judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .arns import connect_instance_id, parse_arn, sns_topic_name
from .documents import Document, may_name_the_service
from .index import StackIndex, known_str
from .model import CONNECT_INSTANCE, EVENT_DESTINATION_ARN, POLICY, TARGETS, TOPIC, WABA_ID, Node
from .service_requests import grants_social_messaging
from .values import is_unknown


@dataclass
class DestinationView:
    """One destination resource with what its `eventDestinationArn` resolves to."""

    resource: Node
    kind: str  # "sns", "connect", "other" or "unknown"
    arn: str | None
    topics: list[Node] = field(default_factory=list)

    @property
    def waba(self) -> str:
        waba_id = known_str(self.resource.get(WABA_ID))
        return f"WABA '{waba_id}'" if waba_id else "the WABA"


def view_destination(index: StackIndex, destination: Node) -> DestinationView:
    """Classify a destination by its ARN, or by dependency when the ARN is unknown.

    Only a topic ARN (`...:sns:<region>:<account>:<name>`) is an SNS destination and only an
    instance ARN (`...:connect:<region>:<account>:instance/<id>`) a Connect one: a
    subscription, queue or phone-number ARN is "other", which the service cannot deliver to.
    """
    return index.memo(f"destination {destination.urn}", lambda: _view(index, destination))


def _view(index: StackIndex, destination: Node) -> DestinationView:
    value = destination.get(EVENT_DESTINATION_ARN)
    arn = known_str(value)
    if arn is not None:
        parsed = parse_arn(arn)
        if parsed is not None and sns_topic_name(parsed) is not None:
            topics, _ = index.topics_for(destination, EVENT_DESTINATION_ARN)
            return DestinationView(destination, "sns", arn, topics)
        if parsed is not None and connect_instance_id(parsed) is not None:
            return DestinationView(destination, "connect", arn)
        return DestinationView(destination, "other", arn)
    if is_unknown(value):
        topics = index.linked(destination, EVENT_DESTINATION_ARN, [TOPIC])
        if topics:
            return DestinationView(destination, "sns", None, topics)
        if index.linked(destination, EVENT_DESTINATION_ARN, [CONNECT_INSTANCE]):
            return DestinationView(destination, "connect", None)
    return DestinationView(destination, "unknown", None)


def unknown_destination_note(view: DestinationView) -> str:
    return (
        f"`eventDestinationArn` of {view.resource.label} is unknown at preview and does not "
        "come from a topic or Connect instance in this stack"
    )


@dataclass
class DestinationTopics:
    """The stack's destination topics, and the topics that may be ones.

    `topics` and `possible` map a topic's URN to the topic and the reason; a possible topic's
    reason says which unknown value hides whether a WABA can use it. `undecided` holds the
    destinations whose target is unknown altogether.
    """

    topics: dict[str, tuple[Node, str]] = field(default_factory=dict)
    possible: dict[str, tuple[Node, str]] = field(default_factory=dict)
    undecided: list[str] = field(default_factory=list)


def destination_topics(index: StackIndex) -> DestinationTopics:
    """Destination topics by URN, each with the reason it is one; plus what preview hides."""
    return index.memo("destination topics", lambda: _destination_topics(index))


def _destination_topics(index: StackIndex) -> DestinationTopics:
    found = DestinationTopics()
    for destination in index.destinations():
        view = view_destination(index, destination)
        if view.kind == "unknown" and destination.get(EVENT_DESTINATION_ARN) is not None:
            found.undecided.append(unknown_destination_note(view))
        for topic in view.topics:
            found.topics.setdefault(
                topic.urn, (topic, f"event destination {destination.label} points at it")
            )
    for topic in index.of_kind(TOPIC):
        if topic.urn in found.topics or not _may_name_the_service(index, topic):
            continue
        documents = index.topic_policy_documents(topic)
        for holder, prop, document in documents:
            if any(grants_social_messaging(statement) for statement in document.statements):
                found.topics[topic.urn] = (
                    topic,
                    f"`{prop}` of {holder.label} grants it to social-messaging.amazonaws.com",
                )
                break
        else:
            for holder, prop, document in documents:
                hidden = _hidden_grant(document)
                if hidden is not None:
                    found.possible[topic.urn] = (topic, f"`{prop}` of {holder.label} {hidden}")
                    break
    untraceable = [
        topic_policy
        for topic_policy in index.untraceable_topic_policies
        if _may_grant(index.document(topic_policy, POLICY))
    ]
    if untraceable:
        for topic in index.of_kind(TOPIC):
            if topic.urn in found.topics or topic.urn in found.possible:
                continue
            found.possible[topic.urn] = (
                topic,
                f"`{untraceable[0].prop(TARGETS)}` of topic policy {untraceable[0].label}, which "
                "grants social-messaging.amazonaws.com, is unknown at preview and does not come "
                "from a topic in this stack",
            )
    return found


def _may_name_the_service(index: StackIndex, topic: Node) -> bool:
    """Whether the topic's effective policy may grant the service at all (cheap, unparsed)."""
    holders = index.topic_policy_replacers(topic) or ([topic] if topic.has(POLICY) else [])
    return any(
        may_name_the_service(holder.get(POLICY), holder.may_hold_unknowns(POLICY))
        for holder in holders
    )


def _hidden_grant(document: Document) -> str | None:
    """Why a document that grants nothing at preview may still grant the service."""
    if document.unknown:
        return "is unknown at preview"
    for statement in document.statements:
        if statement.may_grant_unknown:
            return f"has an unknown value at {statement.unknown_path} ({statement.label})"
    return None


def _may_grant(document: Document) -> bool:
    if _hidden_grant(document) is not None:
        return True
    return any(grants_social_messaging(statement) for statement in document.statements)
