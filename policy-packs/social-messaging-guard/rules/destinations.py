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

from .arns import parse_arn
from .stack import TOPIC, StackIndex, known_str
from .values import Resource, is_unknown

CONNECT_INSTANCE = "aws:connect/instance:Instance"


@dataclass
class DestinationView:
    """One destination resource with what its `eventDestinationArn` resolves to."""

    resource: Resource
    kind: str  # "sns", "connect", "other" or "unknown"
    arn: str | None
    topics: list[Resource] = field(default_factory=list)

    @property
    def waba(self) -> str:
        waba_id = known_str(self.resource.get("wabaId"))
        return f"WABA '{waba_id}'" if waba_id else "the WABA"


def view_destination(index: StackIndex, destination: Resource) -> DestinationView:
    """Classify a destination by its ARN's service, or by dependency when the ARN is unknown."""
    value = destination.get("eventDestinationArn")
    arn = known_str(value)
    if arn is not None:
        parsed = parse_arn(arn)
        service = parsed.service if parsed else ""
        if service == "sns":
            topics, _ = index.topics_for(destination, "eventDestinationArn")
            return DestinationView(destination, "sns", arn, topics)
        return DestinationView(destination, "connect" if service == "connect" else "other", arn)
    if is_unknown(value):
        topics = index.linked(destination, "eventDestinationArn", [TOPIC])
        if topics:
            return DestinationView(destination, "sns", None, topics)
        if index.linked(destination, "eventDestinationArn", [CONNECT_INSTANCE]):
            return DestinationView(destination, "connect", None)
    return DestinationView(destination, "unknown", None)


def unknown_destination_note(view: DestinationView) -> str:
    return (
        f"`eventDestinationArn` of {view.resource.label} is unknown at preview and does not "
        "come from a topic or Connect instance in this stack"
    )


def destination_topics(index: StackIndex) -> tuple[dict[str, tuple[Resource, str]], list[str]]:
    """Destination topics by URN, each with the reason it is one; plus undecided notes."""
    topics: dict[str, tuple[Resource, str]] = {}
    undecided: list[str] = []
    for destination in index.destinations():
        view = view_destination(index, destination)
        if view.kind == "unknown" and destination.get("eventDestinationArn") is not None:
            undecided.append(unknown_destination_note(view))
        for topic in view.topics:
            topics.setdefault(
                topic.urn, (topic, f"event destination {destination.label} points at it")
            )
    for topic in index.of_type(TOPIC):
        if topic.urn in topics:
            continue
        for holder, prop, document in index.topic_policy_documents(topic):
            if any(statement.grants_service() for statement in document.statements):
                topics[topic.urn] = (
                    topic,
                    f"`{prop}` of {holder.label} grants it to social-messaging.amazonaws.com",
                )
                break
    return topics, undecided
