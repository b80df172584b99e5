"""The program's own stacks for the pack's tests: the real `__main__.py`, rendered at preview.

Rendering the program (rather than describing its resources by hand) means the pack is
always judged against what the components really produce.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from destination_review.policy_analyzer import AnalyzedResource
from destination_review.render import WABA_DESTINATION_TYPE, Target, render
from destination_review.review import analyzed

NS = "social-messaging-destinations"
SNS_WABA = "waba-0123456789abcdef0123456789abcdef"
CONNECT_WABA = "waba-fedcba9876543210fedcba9876543210"


def program_stack(
    kind: str = "sns",
    partition: str = "aws",
    region: str = "us-east-1",
    account: str = "111122223333",
    topic: str = "whatsapp-events",
) -> list[AnalyzedResource]:
    """Every resource the program registers for an `sns`, `connect` or `both` stack.

    A `.fifo` topic name is refused by the settings before anything renders, so it is
    applied to the rendered topic and destination afterwards: the pack must refuse it on
    its own, for stacks that do not come from this program.
    """
    destinations: list[dict[str, Any]] = []
    if kind in ("sns", "both"):
        destinations.append({"wabaId": SNS_WABA, "type": "sns"})
    if kind in ("connect", "both"):
        instance_id = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
        instance = f"arn:{partition}:connect:{region}:{account}:instance/{instance_id}"
        destinations.append(
            {"wabaId": CONNECT_WABA, "type": "connect", "connectInstanceArn": instance}
        )
    name = topic.removesuffix(".fifo")
    config = {f"{NS}:destinations": destinations, f"{NS}:topic": {"name": name}}
    rendering = render(config, stack="dev", target=Target(partition, region, account), preview=True)
    resources = analyzed(rendering.resources)
    if topic == name:
        return resources
    return [_rename_topic(r, name, topic) for r in resources]


def _rename_topic(resource: AnalyzedResource, old: str, new: str) -> AnalyzedResource:
    if resource.type == "aws:sns/topic:Topic":
        return with_properties(resource, name=new)
    arn = resource.properties.get("eventDestinationArn", "")
    if resource.type == WABA_DESTINATION_TYPE and arn.endswith(f":{old}"):
        return with_properties(resource, eventDestinationArn=f"{arn[: -len(old)]}{new}")
    return resource


def with_properties(resource: AnalyzedResource, **changes: Any) -> AnalyzedResource:
    """A copy of a resource with some properties replaced (None removes one)."""
    properties = dict(resource.properties)
    for key, value in changes.items():
        if value is None:
            properties.pop(key, None)
        else:
            properties[key] = value
    return replace(resource, properties=properties)
