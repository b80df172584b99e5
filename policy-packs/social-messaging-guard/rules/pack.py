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

__all__ = ["PACK_DESCRIPTION", "PACK_NAME", "POLICY_NAMES", "policies"]

# One module per policy, in the order the pack lists them.
MODULES = (
    topic_standard,
    key_symmetric,
    customer_managed_key,
    confused_deputy,
    delivery_permissions,
    channel_role,
)
# The policies' names: part of every user's --policy-pack-config, so they never change.
POLICY_NAMES: tuple[str, ...] = tuple(module.POLICY_NAME for module in MODULES)


def policies() -> list[Policy]:
    """The pack's policies, all mandatory: each one stops a stack that would lose events."""
    return [module.policy() for module in MODULES]
