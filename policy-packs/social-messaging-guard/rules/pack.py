"""The six policies of `social-messaging-guard`: each module under `rules/` holds one
policy's check next to its metadata (name, description, enforcement level, config
schema, remediation); this module only lists them."""

from __future__ import annotations

from pulumi_policy import Policy

from . import (
    channel_role,
    confused_deputy,
    customer_managed_key,
    delivery_permissions,
    key_symmetric,
    topic_standard,
)
from .metadata import PACK_DESCRIPTION, PACK_NAME

__all__ = ["PACK_DESCRIPTION", "PACK_NAME", "policies"]


def policies() -> list[Policy]:
    """The pack's policies, all mandatory: each one stops a stack that would lose events."""
    return [
        topic_standard.policy(),
        key_symmetric.policy(),
        customer_managed_key.policy(),
        confused_deputy.policy(),
        delivery_permissions.policy(),
        channel_role.policy(),
    ]
