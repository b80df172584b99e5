"""The rules of the `social-messaging-guard` policy pack.

Pure checks (`check_*`) take plain resources and return findings, so they are testable
without a server; `pack.policies()` wraps them for pulumi-policy.
"""

from .pack import PACK_DESCRIPTION, PACK_NAME, POLICY_NAMES, policies

__all__ = ["PACK_DESCRIPTION", "PACK_NAME", "POLICY_NAMES", "policies"]
