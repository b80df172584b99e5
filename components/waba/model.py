"""botocore's data, loaded once per provider process: one botocore session (which
holds no credentials until asked), its loader, the service model of
`socialmessaging` and IAM's limits. Every API client of the provider reuses this
loader, so a client costs no model parsing after the first."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import Shape

from components.arns import SOCIAL_MESSAGING_PRINCIPAL

SERVICE_NAME = "socialmessaging"
SERVICE_PRINCIPAL = SOCIAL_MESSAGING_PRINCIPAL
PUT_OPERATION = "PutWhatsAppBusinessAccountEventDestinations"
GET_OPERATION = "GetLinkedWhatsAppBusinessAccount"
TAG_OPERATION = "TagResource"
UNTAG_OPERATION = "UntagResource"
LIST_TAGS_OPERATION = "ListTagsForResource"


@lru_cache(maxsize=1)
def shared_session() -> botocore.session.Session:
    """The process's one botocore session for model and partition data."""
    return botocore.session.get_session()


def shared_loader() -> Any:
    """The session's data loader; it caches every model file it has read."""
    return shared_session().get_component("data_loader")


@lru_cache(maxsize=1)
def put_members() -> dict[str, Shape]:
    """The members of the Put request and of one event destination."""
    model = shared_session().get_service_model(SERVICE_NAME)
    request = model.operation_model(PUT_OPERATION).input_shape
    destination = request.members["eventDestinations"].member
    return {
        "wabaId": request.members["id"],
        "eventDestinationArn": destination.members["eventDestinationArn"],
        "roleArn": destination.members["roleArn"],
    }


@lru_cache(maxsize=1)
def role_arn_limits() -> tuple[int, int]:
    """IAM's limits on a role ARN (STS AssumeRole's RoleArn: 20 to 2048 characters):
    the socialmessaging model gives roleArn a pattern but no length."""
    shape = shared_session().get_service_model("sts").operation_model("AssumeRole")
    meta = shape.input_shape.members["RoleArn"].metadata
    return int(meta.get("min", 20)), int(meta.get("max", 2048))


@lru_cache(maxsize=1)
def iam_shapes() -> dict[str, Any]:
    """IAM's shapes from botocore's model, read once: role name, path and tag limits."""
    return dict(shared_loader().load_service_model("iam", "service-2")["shapes"])


def role_name_limits() -> tuple[int, int]:
    """IAM's limits on a role's name and path (CreateRole: 64 and 512 characters)."""
    shapes = iam_shapes()
    return int(shapes["roleNameType"]["max"]), int(shapes["pathType"]["max"])
