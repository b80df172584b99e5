"""botocore's data, loaded once per process: one loader (the one a botocore session
would make), the service models of `socialmessaging` and STS, and IAM's limits. Every
API client of the provider reuses this loader, so a client costs no model parsing after
the first. Only the loader and the model classes are imported: a program or a `check`
that makes no API call never loads botocore's session and client machinery."""

from __future__ import annotations

import os
from functools import cache, lru_cache
from typing import Any

from botocore.loaders import Loader, create_loader
from botocore.model import ServiceModel, Shape

from components.arns import SOCIAL_MESSAGING_PRINCIPAL
from components.process import keep_until_exit

SERVICE_NAME = "socialmessaging"
SERVICE_PRINCIPAL = SOCIAL_MESSAGING_PRINCIPAL
PUT_OPERATION = "PutWhatsAppBusinessAccountEventDestinations"
GET_OPERATION = "GetLinkedWhatsAppBusinessAccount"
TAG_OPERATION = "TagResource"
UNTAG_OPERATION = "UntagResource"
LIST_TAGS_OPERATION = "ListTagsForResource"


@lru_cache(maxsize=1)
def shared_loader() -> Loader:
    """The process's one data loader, searching where a botocore session would
    (`AWS_DATA_PATH`, then botocore's own data); it caches every file it has read."""
    return create_loader(os.environ.get("AWS_DATA_PATH"))


@cache
def service_model(service: str) -> ServiceModel:
    """A service's model, as a botocore session's `get_service_model` builds it. It is
    kept until the process exits, with the modules loaded before it: out of the
    collector's reach from now on (components.process)."""
    model = ServiceModel(
        shared_loader().load_service_model(service, "service-2"), service_name=service
    )
    keep_until_exit()
    return model


@lru_cache(maxsize=1)
def put_members() -> dict[str, Shape]:
    """The members of the Put request and of one event destination."""
    model = service_model(SERVICE_NAME)
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
    shape = service_model("sts").operation_model("AssumeRole")
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
