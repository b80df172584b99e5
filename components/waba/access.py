"""The WABAs a stack-level resource of this project reads (the claims guard, the topic's
deletion), and how it reaches them: the Region and credentials of the stack's aws
provider. One shape for both, so their inputs are named and filled the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.waba.state import ASSUME_ROLE_ARN, PROFILE, REGION

WABA_IDS = "wabaIds"
ACCESS_INPUTS = (WABA_IDS, REGION, PROFILE, ASSUME_ROLE_ARN)


@dataclass(frozen=True)
class WabaAccess:
    waba_ids: Sequence[pulumi.Input[str]]
    region: pulumi.Input[str]
    profile: pulumi.Input[str] | None = None
    assume_role_arn: pulumi.Input[str] | None = None

    def props(self) -> dict[str, Any]:
        """The resource's inputs: no profile or role is an empty string, as the
        provider's session reads it."""
        return {
            WABA_IDS: list(self.waba_ids),
            REGION: self.region,
            PROFILE: self.profile or "",
            ASSUME_ROLE_ARN: self.assume_role_arn or "",
        }
