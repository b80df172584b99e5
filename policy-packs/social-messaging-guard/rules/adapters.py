"""Which adapter reads a resource: by its type token, one table per provider family.

The project's own `WabaEventDestination` (a dynamic resource; another program's copy keeps
the type's last part) is read the same way whatever provider wrote the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

from .adapter_aws import ADAPTER as AWS
from .adapter_aws_native import ADAPTER as AWS_NATIVE
from .model import (
    DESTINATION,
    EVENT_DESTINATION_ARN,
    ROLE_ARN,
    WABA_ID,
    Node,
    Shape,
    shape,
)
from .values import Resource

FAMILIES = (AWS, AWS_NATIVE)
SHAPES: Mapping[str, Shape] = {
    token: s for family in FAMILIES for token, s in family.shapes.items()
}

DESTINATION_TYPE = "pulumi-python:dynamic/social-messaging:WabaEventDestination"
DESTINATION_SHAPE = shape(
    "social-messaging",
    DESTINATION,
    {WABA_ID: "wabaId", EVENT_DESTINATION_ARN: "eventDestinationArn", ROLE_ARN: "roleArn"},
)


def shape_of(resource_type: str) -> Shape | None:
    """The shape of a type the pack reads; None for every other type (skipped, no error)."""
    found = SHAPES.get(resource_type)
    if found is not None:
        return found
    if resource_type == DESTINATION_TYPE or resource_type.endswith(":WabaEventDestination"):
        return DESTINATION_SHAPE
    return None


def adapt(resource: Resource) -> Node | None:
    found = shape_of(resource.type)
    return Node(resource, found) if found is not None else None
