"""The state schema of WabaEventDestination: the single place that names every state
key, with the readers that turn state back into values. State keeps the API's
camelCase keys; the Python attributes are their snake_case forms.

State versions: 1 had the inputs and previous/adopted; 2 added applied*; 3 (this one)
adds the owner identity inputs, the claim token, ownership, notice and the record of
the previous claim. Older states stay readable: every reader has a fallback."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

# UNKNOWN is re-exported: the state module names every value on the wire.
from components.pulumi_compat import PROVIDER_PROPERTY
from components.pulumi_compat import UNKNOWN as UNKNOWN

STATE_VERSION = 3

# Inputs.
WABA_ID = "wabaId"
EVENT_DESTINATION_ARN = "eventDestinationArn"
ROLE_ARN = "roleArn"
REGION = "region"
PROFILE = "profile"
ASSUME_ROLE_ARN = "assumeRoleArn"
TAKEOVER = "takeover"
VERIFY = "verify"
# Who this resource is: the provider process cannot know its stack or URN.
OWNER_PROJECT = "ownerProject"
OWNER_STACK = "ownerStack"
OWNER_RESOURCE = "ownerResource"

# Outputs.
WABA_ARN = "wabaArn"
WABA_NAME = "wabaName"
REGISTRATION_STATUS = "registrationStatus"
# What the WABA had before this resource first wrote; put back on delete.
PREVIOUS_EVENT_DESTINATION_ARN = "previousEventDestinationArn"
PREVIOUS_ROLE_ARN = "previousRoleArn"
# False when the previous destination is not known (inherited from a claim whose
# previous destination was too long for a tag): delete then leaves the WABA alone.
PREVIOUS_KNOWN = "previousKnown"
# The claim of the resource whose destination a takeover replaced: put back with it.
PREVIOUS_CLAIM = "previousClaim"
ADOPTED = "adopted"
# What this resource last wrote: the only destination delete may undo. Refresh never
# moves it; adoption never sets it.
APPLIED_EVENT_DESTINATION_ARN = "appliedEventDestinationArn"
APPLIED_ROLE_ARN = "appliedRoleArn"
# The per-create token of this resource's claim on the WABA.
CLAIM_TOKEN = "claimToken"
OWNERSHIP = "ownership"
NOTICE = "notice"
VERSION = "stateVersion"

STRING_INPUTS = (
    WABA_ID,
    EVENT_DESTINATION_ARN,
    ROLE_ARN,
    REGION,
    PROFILE,
    ASSUME_ROLE_ARN,
    OWNER_PROJECT,
    OWNER_STACK,
    OWNER_RESOURCE,
)
BOOLEAN_INPUTS = (TAKEOVER, VERIFY)
INPUTS = STRING_INPUTS + BOOLEAN_INPUTS
OUTPUTS = INPUTS + (
    WABA_ARN,
    WABA_NAME,
    REGISTRATION_STATUS,
    PREVIOUS_EVENT_DESTINATION_ARN,
    PREVIOUS_ROLE_ARN,
    PREVIOUS_KNOWN,
    PREVIOUS_CLAIM,
    ADOPTED,
    APPLIED_EVENT_DESTINATION_ARN,
    APPLIED_ROLE_ARN,
    CLAIM_TOKEN,
    OWNERSHIP,
    NOTICE,
    VERSION,
)
REQUIRED_INPUTS = (WABA_ID, EVENT_DESTINATION_ARN, REGION)
DEFAULTS: Mapping[str, Any] = {
    ROLE_ARN: "",
    PROFILE: "",
    ASSUME_ROLE_ARN: "",
    TAKEOVER: False,
    VERIFY: True,
    OWNER_PROJECT: "",
    OWNER_STACK: "",
    OWNER_RESOURCE: "",
}
# The engine's own bookkeeping key; never validated or reported as unknown.
PROVIDER_KEY = PROVIDER_PROPERTY

Ownership = Literal["created", "adopted", "taken-over", "inherited"]
OWNING: tuple[Ownership, ...] = ("created", "taken-over", "inherited")


def attribute_name(key: str) -> str:
    """The Python attribute of a state key: `wabaArn` -> `waba_arn`."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


@dataclass(frozen=True)
class EventDestination:
    """A WABA's event destination as the API holds it; no role is the empty string."""

    arn: str
    role_arn: str = ""

    def to_api(self) -> dict[str, str]:
        """The request shape: roleArn only when there is one."""
        item = {"eventDestinationArn": self.arn}
        if self.role_arn:
            item["roleArn"] = self.role_arn
        return item

    def describe(self) -> str:
        """The destination as an engineer reads it in an error or log line."""
        return f"{self.arn} (role {self.role_arn})" if self.role_arn else self.arn


def describe(destination: EventDestination | None) -> str:
    return destination.describe() if destination else "no destination"


def destination_from_api(items: list[dict[str, Any]] | None) -> EventDestination | None:
    """The live destination from the API's 0-or-1 item list."""
    if not items:
        return None
    item = items[0]
    return EventDestination(str(item["eventDestinationArn"]), str(item.get("roleArn") or ""))


def with_defaults(news: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs with every optional one filled, so state always has every key."""
    filled = dict(news)
    for key, value in DEFAULTS.items():
        if filled.get(key) is None:
            filled[key] = value
    return filled


def inputs_of(props: Mapping[str, Any]) -> dict[str, Any]:
    filled = with_defaults(props)
    return {key: filled.get(key) for key in INPUTS}


def desired_from(props: Mapping[str, Any]) -> EventDestination:
    """The destination the resource declares."""
    return EventDestination(str(props[EVENT_DESTINATION_ARN]), str(props.get(ROLE_ARN) or ""))


def previous_from(props: Mapping[str, Any]) -> EventDestination | None:
    """What the WABA had before this resource first wrote."""
    arn = props.get(PREVIOUS_EVENT_DESTINATION_ARN) or ""
    if not arn:
        return None
    return EventDestination(str(arn), str(props.get(PREVIOUS_ROLE_ARN) or ""))


def previous_known(props: Mapping[str, Any]) -> bool:
    return bool(props.get(PREVIOUS_KNOWN, True))


def applied_from(props: Mapping[str, Any]) -> EventDestination | None:
    """What this resource last wrote. Version 1 held it in eventDestinationArn/roleArn
    (the best record there is); an adopted version 1/2 state counts as applied there,
    as it did then, and delete's `previous == live` rule leaves it in place."""
    arn = props.get(APPLIED_EVENT_DESTINATION_ARN)
    role = props.get(APPLIED_ROLE_ARN)
    if arn is None:
        arn, role = props.get(EVENT_DESTINATION_ARN), props.get(ROLE_ARN)
    if not arn:
        return None
    return EventDestination(str(arn), str(role or ""))


def applied_outputs(applied: EventDestination | None) -> dict[str, str]:
    return {
        APPLIED_EVENT_DESTINATION_ARN: applied.arn if applied else "",
        APPLIED_ROLE_ARN: applied.role_arn if applied else "",
    }


def previous_outputs(previous: EventDestination | None, known: bool = True) -> dict[str, Any]:
    return {
        PREVIOUS_EVENT_DESTINATION_ARN: previous.arn if previous else "",
        PREVIOUS_ROLE_ARN: previous.role_arn if previous else "",
        PREVIOUS_KNOWN: known,
    }


def ownership_from(props: Mapping[str, Any]) -> Ownership:
    """What this resource decided when it took the WABA on; derived for older state."""
    recorded = props.get(OWNERSHIP)
    if recorded in ("created", "adopted", "taken-over", "inherited"):
        return recorded
    if props.get(ADOPTED):
        return "adopted"
    return "taken-over" if previous_from(props) else "created"


def has_prior_state(props: Mapping[str, Any]) -> bool:
    """Whether read got the state of a resource this provider created, rather than the
    bare id of a `get`: create always records the WABA ARN."""
    return bool(props.get(WABA_ARN)) or props.get(APPLIED_EVENT_DESTINATION_ARN) is not None
