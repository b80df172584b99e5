"""Rule `waba-destination-topic-standard`: destination topics are standard, never FIFO.

AWS End User Messaging Social publishes to standard SNS topics only. A FIFO topic
(`fifoTopic` true, and a name that must end in `.fifo`) is refused, and events are lost.
"""

from __future__ import annotations

from .arns import parse_arn, sns_topic_name
from .destinations import destination_topics, view_destination
from .stack import StackIndex, known_str
from .values import Outcome, is_unknown

FIX = "use a standard topic: `fifoTopic` false or unset and a name without the `.fifo` suffix"


def check_topic_standard(index: StackIndex) -> Outcome:
    """Judge every destination's ARN, then every destination topic the stack declares."""
    outcome = Outcome()
    for destination in index.destinations():
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
    topics, undecided = destination_topics(index)
    for note in undecided:
        outcome.unknown(note)
    for topic, reason in topics.values():
        fifo = topic.get("fifoTopic")
        if is_unknown(fifo):
            outcome.unknown(f"`fifoTopic` of topic {topic.label} is unknown at preview")
        elif fifo is True or (isinstance(fifo, str) and fifo.lower() == "true"):
            outcome.add(
                f"Topic {topic.label} has `fifoTopic` true, but it is a WABA event destination "
                f"({reason}); {FIX}.",
                topic.urn,
            )
        name = topic.get("name")
        if is_unknown(name):
            outcome.unknown(f"`name` of topic {topic.label} is unknown at preview")
        for prop in ("name", "namePrefix"):
            value = known_str(topic.get(prop))
            if value is not None and value.lower().endswith(".fifo"):
                outcome.add(
                    f"Topic {topic.label} has `{prop}` '{value}', a FIFO topic name, but it is a "
                    f"WABA event destination ({reason}); {FIX}.",
                    topic.urn,
                )
    return outcome
