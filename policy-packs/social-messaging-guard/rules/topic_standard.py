"""Rule `waba-destination-topic-standard`: destination topics are standard, never FIFO.

AWS End User Messaging Social publishes to standard SNS topics only. A FIFO topic
(`fifoTopic` true, and a name that must end in `.fifo`) is refused, and events are lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity, StackValidationPolicy

from .arns import parse_arn, sns_topic_name
from .destinations import destination_topics, view_destination
from .engine import stack_validation
from .index import StackIndex, known_str
from .metadata import TAGS
from .model import FIFO, NAME, NAME_PREFIX, Node
from .values import Outcome, is_unknown

POLICY_NAME = "waba-destination-topic-standard"
FIX = "use a standard topic: `fifoTopic` false or unset and a name without the `.fifo` suffix"


def fifo_problems(topic: Node) -> tuple[list[tuple[str, str]], list[str]]:
    """((property, what it shows), unknown properties) that make or may make a topic FIFO.

    SNS requires `.fifo` at the end of a FIFO topic's name and allows no dot in a standard
    topic's name, so once `fifoTopic` is known an unknown name (from `namePrefix` or
    autonaming) cannot hide a FIFO topic: only an unknown `fifoTopic` can.
    """
    problems: list[tuple[str, str]] = []
    unknown: list[str] = []
    fifo = topic.get(FIFO)
    if is_unknown(fifo):
        unknown.append(topic.prop(FIFO))
        if is_unknown(topic.get(NAME)):
            unknown.append(topic.prop(NAME))
    elif fifo is True or (isinstance(fifo, str) and fifo.lower() == "true"):
        problems.append((topic.prop(FIFO), f"`{topic.prop(FIFO)}` true"))
    for field_name in (NAME, NAME_PREFIX):
        if not topic.has(field_name):
            continue
        prop = topic.prop(field_name)
        value = known_str(topic.get(field_name))
        if value is not None and value.lower().endswith(".fifo"):
            problems.append((prop, f"`{prop}` '{value}', a FIFO topic name"))
    return problems, unknown


def check_topic_standard(index: StackIndex, config: Mapping[str, Any] | None = None) -> Outcome:
    """Judge every destination's ARN, then every destination topic the stack declares."""
    outcome = Outcome()
    for destination in index.destinations():
        with outcome.judging(destination.label, destination.urn):
            view = view_destination(index, destination)
            if view.kind != "sns" or view.arn is None:
                continue
            parsed = parse_arn(view.arn)
            name = sns_topic_name(parsed) if parsed else None
            if name is not None and name.lower().endswith(".fifo"):
                outcome.add(
                    f"`eventDestinationArn` of {destination.label} is '{view.arn}', a FIFO topic; "
                    f"{view.waba} can only deliver events to a standard SNS topic: {FIX}.",
                    destination.urn,
                )
    found = destination_topics(index)
    for note in found.undecided:
        outcome.unknown(note)
    for topic, reason in found.topics.values():
        with outcome.judging(f"topic {topic.label}", topic.urn):
            problems, unknown = fifo_problems(topic)
            for prop in unknown:
                outcome.unknown(f"`{prop}` of topic {topic.label} is unknown at preview")
            for _, text in problems:
                outcome.add(
                    f"Topic {topic.label} has {text}, but it is a WABA event destination "
                    f"({reason}); {FIX}.",
                    topic.urn,
                )
    # A topic that may be a destination is only worth a note when it would be refused.
    for topic, hidden in found.possible.values():
        problems, unknown = fifo_problems(topic)
        shown = [text for _, text in problems] + [f"`{p}` unknown at preview" for p in unknown]
        if shown:
            outcome.unknown(
                f"{hidden}, so it is not known whether topic {topic.label}, which has "
                f"{' and '.join(shown)}, is a WABA event destination"
            )
    return outcome


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=POLICY_NAME,
        display_name="WABA destination topics are standard topics",
        description=(
            "An SNS topic used as a WABA event destination must be a standard topic: AWS End "
            "User Messaging Social does not publish to FIFO topics, so events would be lost."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=TAGS,
        remediation_steps=(
            "Point the destination at a standard topic: set `fifoTopic` to false (or leave it "
            "unset) and give the topic a name (`name` in aws, `topicName` in aws-native) without "
            "the `.fifo` suffix. A topic cannot change between FIFO and standard, so Pulumi "
            "replaces it; move subscribers to the new topic."
        ),
        validate=stack_validation(check_topic_standard),
    )
