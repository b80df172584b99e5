"""What a WabaEventDestination holds, as values: what the WABA had before it
(`Previous`: the destination, whether it is known, and whose claim it was) and what
it holds now (`Held`: what it applied, its claim token, how it came to own the WABA,
and its `Previous`). State is read into these once and written from them in one
place (`outputs`), so create, read, update and delete agree on every key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.waba.claim import Previous, prior_from_state, prior_to_state
from components.waba.state import (
    ADOPTED,
    APPLIED_EVENT_DESTINATION_ARN,
    APPLIED_ROLE_ARN,
    CLAIM_TOKEN,
    NOTICE,
    OWNERSHIP,
    PREVIOUS_CLAIM,
    PREVIOUS_EVENT_DESTINATION_ARN,
    PREVIOUS_KNOWN,
    PREVIOUS_ROLE_ARN,
    REGISTRATION_STATUS,
    STATE_VERSION,
    VERSION,
    WABA_ARN,
    WABA_NAME,
    EventDestination,
    Ownership,
    applied_from,
    inputs_of,
    ownership_from,
    previous_from,
    previous_known,
)


@dataclass(frozen=True)
class Held:
    """What this resource holds, from its state: the destination it applied (None:
    it wrote nothing), its claim token, how it came to own the WABA, and `previous`."""

    applied: EventDestination | None = None
    token: str = ""
    ownership: Ownership = "created"
    previous: Previous = field(default_factory=Previous)


def held_from(props: Mapping[str, Any]) -> Held:
    """This resource's state as one value (every state version)."""
    return Held(
        applied_from(props),
        str(props.get(CLAIM_TOKEN) or ""),
        ownership_from(props),
        Previous(
            previous_from(props),
            previous_known(props),
            prior_from_state(props.get(PREVIOUS_CLAIM)),
        ),
    )


def account_outputs(account: Mapping[str, Any]) -> dict[str, str]:
    """The WABA's own attributes, from an API answer or from earlier state."""
    return {
        WABA_ARN: str(account.get("arn") or account.get(WABA_ARN) or ""),
        WABA_NAME: str(account.get("wabaName") or account.get(WABA_NAME) or ""),
        REGISTRATION_STATUS: str(
            account.get("registrationStatus") or account.get(REGISTRATION_STATUS) or ""
        ),
    }


def outputs(
    inputs: Mapping[str, Any],
    account: Mapping[str, Any],
    held: Held,
    notice: str = "",
    version: Any = STATE_VERSION,
) -> dict[str, Any]:
    """The resource's outputs: its inputs, the WABA's attributes, what it holds."""
    previous = held.previous
    return {
        **inputs_of(inputs),
        **account_outputs(account),
        PREVIOUS_EVENT_DESTINATION_ARN: previous.destination.arn if previous.destination else "",
        PREVIOUS_ROLE_ARN: previous.destination.role_arn if previous.destination else "",
        PREVIOUS_KNOWN: previous.known,
        PREVIOUS_CLAIM: prior_to_state(previous.claim),
        ADOPTED: held.ownership == "adopted",
        APPLIED_EVENT_DESTINATION_ARN: held.applied.arn if held.applied else "",
        APPLIED_ROLE_ARN: held.applied.role_arn if held.applied else "",
        CLAIM_TOKEN: held.token,
        OWNERSHIP: held.ownership,
        NOTICE: notice.strip(),
        VERSION: version,
    }
