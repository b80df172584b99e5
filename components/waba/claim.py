"""Ownership recorded on the WABA itself, as tags (TagResource/ListTagsForResource/
UntagResource on the WABA's ARN), the way external-dns writes an ownership record
next to each name and the AWS Load Balancer Controller tags what it owns.

A claim says which project/stack and resource set the WABA's destination, with a
per-create token (a replacement has the same URN and id as the resource it replaces,
so names alone cannot tell them apart), the destination it set, what the WABA had
before, and whose claim that was. A claim only counts while the live destination is
the one it names: a destination someone changed since makes it stale.

Tag values hold at most 256 characters (botocore's model, TagValueString). An owner,
resource name or claimed destination longer than that is recorded as a SHA-256
digest, which is enough to compare. A previous destination longer than that cannot
be put back from a digest: it is recorded as `unrecorded`, the resource that wrote
the claim keeps it in its own state, and a resource that inherits such a claim
leaves the WABA as it is on delete (and says so) rather than clear it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.waba.state import EventDestination

PREFIX = "pulumi:waba-destination:"
OWNER = PREFIX + "owner"
RESOURCE = PREFIX + "resource"
TOKEN = PREFIX + "token"
DESTINATION = PREFIX + "destination"
DESTINATION_ROLE = PREFIX + "destination-role"
PREVIOUS = PREFIX + "previous"
PREVIOUS_ROLE = PREFIX + "previous-role"
PREVIOUS_OWNER = PREFIX + "previous-owner"
PREVIOUS_RESOURCE = PREFIX + "previous-resource"
PREVIOUS_TOKEN = PREFIX + "previous-token"
# What that previous owner had found before it: put back with its claim.
PREVIOUS_PREVIOUS = PREFIX + "previous-previous"
PREVIOUS_PREVIOUS_ROLE = PREFIX + "previous-previous-role"
KEYS = (
    OWNER,
    RESOURCE,
    TOKEN,
    DESTINATION,
    DESTINATION_ROLE,
    PREVIOUS,
    PREVIOUS_ROLE,
    PREVIOUS_OWNER,
    PREVIOUS_RESOURCE,
    PREVIOUS_TOKEN,
    PREVIOUS_PREVIOUS,
    PREVIOUS_PREVIOUS_ROLE,
)
MAX_TAG_VALUE = 256
UNRECORDED = "unrecorded"
_DIGEST = "sha256:"


def fitted(value: str) -> str:
    """The value if it fits a tag, else its digest (comparable, not reversible)."""
    if len(value) <= MAX_TAG_VALUE:
        return value
    return _DIGEST + hashlib.sha256(value.encode()).hexdigest()


def fits(value: str) -> bool:
    return len(value) <= MAX_TAG_VALUE


@dataclass(frozen=True)
class Identity:
    """Who a resource is: its project, stack and resource name."""

    project: str
    stack: str
    resource: str

    @property
    def owner(self) -> str:
        return fitted(f"{self.project}/{self.stack}")

    @property
    def known(self) -> bool:
        return bool(self.project and self.stack)


@dataclass(frozen=True)
class PriorClaim:
    """Whose claim a takeover replaced, and what that claim had found before it: put
    back when the previous destination is."""

    owner: str
    resource: str
    token: str
    previous: EventDestination | None = None
    previous_known: bool = False


@dataclass(frozen=True)
class Previous:
    """What the WABA had before a resource first wrote: put back on delete. `known`
    is False when it could not be recorded (too long for a tag when inherited); the
    claim is the one a takeover replaced, put back with the destination."""

    destination: EventDestination | None = None
    known: bool = True
    claim: PriorClaim | None = None


@dataclass(frozen=True)
class Claim:
    owner: str
    resource: str
    token: str
    destination: str
    destination_role: str
    previous: EventDestination | None = None
    previous_known: bool = True
    previous_claim: PriorClaim | None = None

    def holds(self, live: EventDestination | None) -> bool:
        """The claim names the live destination (else someone changed it since)."""
        return (
            live is not None
            and self.destination == fitted(live.arn)
            and self.destination_role == fitted(live.role_arn)
        )

    def describe(self) -> str:
        return f"resource {self.resource!r} of stack {self.owner!r}"

    def to_tags(self) -> dict[str, str]:
        if self.previous is None:
            previous, previous_role = ("" if self.previous_known else UNRECORDED), ""
        elif fits(self.previous.arn) and fits(self.previous.role_arn):
            previous, previous_role = self.previous.arn, self.previous.role_arn
        else:
            previous, previous_role = UNRECORDED, ""
        prior = self.previous_claim
        prior_previous = _recorded(prior.previous, prior.previous_known) if prior else ("", "")
        return {
            OWNER: self.owner,
            RESOURCE: self.resource,
            TOKEN: self.token,
            DESTINATION: self.destination,
            DESTINATION_ROLE: self.destination_role,
            PREVIOUS: previous,
            PREVIOUS_ROLE: previous_role,
            PREVIOUS_OWNER: prior.owner if prior else "",
            PREVIOUS_RESOURCE: prior.resource if prior else "",
            PREVIOUS_TOKEN: prior.token if prior else "",
            PREVIOUS_PREVIOUS: prior_previous[0],
            PREVIOUS_PREVIOUS_ROLE: prior_previous[1],
        }

    def prior(self) -> PriorClaim:
        return PriorClaim(self.owner, self.resource, self.token, self.previous, self.previous_known)

    @property
    def found_before(self) -> Previous:
        """What the WABA had before the claiming resource, as the claim records it."""
        return Previous(self.previous, self.previous_known, self.previous_claim)

    def names(self, other: Claim | None) -> bool:
        """`other` is this claim as far as a race can tell: same token and destination
        (a hand-over rewrites only what the claim found before)."""
        return (
            other is not None
            and other.token == self.token
            and other.destination == self.destination
            and other.destination_role == self.destination_role
        )


def _recorded(previous: EventDestination | None, known: bool) -> tuple[str, str]:
    """A previous destination as two tag values: '' for none, `unrecorded` when it is
    not known or does not fit."""
    if previous is None:
        return ("" if known else UNRECORDED), ""
    if fits(previous.arn) and fits(previous.role_arn):
        return previous.arn, previous.role_arn
    return UNRECORDED, ""


def _read_previous(arn: str, role: str) -> tuple[EventDestination | None, bool]:
    if arn == UNRECORDED:
        return None, False
    return (EventDestination(arn, role) if arn else None), True


def claim_for(
    identity: Identity, token: str, destination: EventDestination, previous: Previous
) -> Claim:
    """The claim a resource writes before it sets `destination`."""
    return Claim(
        owner=identity.owner,
        resource=fitted(identity.resource),
        token=token,
        destination=fitted(destination.arn),
        destination_role=fitted(destination.role_arn),
        previous=previous.destination,
        previous_known=previous.known,
        previous_claim=previous.claim,
    )


def restored(prior: PriorClaim, destination: EventDestination) -> Claim:
    """The claim put back with the destination a takeover replaced, with what that
    claim had found before it (handed over to it, perhaps, since its state was
    written)."""
    return Claim(
        prior.owner,
        prior.resource,
        prior.token,
        fitted(destination.arn),
        fitted(destination.role_arn),
        previous=prior.previous,
        previous_known=prior.previous_known,
    )


def claim_from_tags(tags: Mapping[str, str]) -> Claim | None:
    """The claim among a WABA's tags, or None (no token: no claim)."""
    token = tags.get(TOKEN, "")
    if not token:
        return None
    previous_arn = tags.get(PREVIOUS, "")
    known = previous_arn != UNRECORDED
    previous = (
        EventDestination(previous_arn, tags.get(PREVIOUS_ROLE, ""))
        if previous_arn and known
        else None
    )
    prior = (
        PriorClaim(
            tags.get(PREVIOUS_OWNER, ""),
            tags.get(PREVIOUS_RESOURCE, ""),
            tags[PREVIOUS_TOKEN],
            *_read_previous(tags.get(PREVIOUS_PREVIOUS, ""), tags.get(PREVIOUS_PREVIOUS_ROLE, "")),
        )
        if tags.get(PREVIOUS_TOKEN)
        else None
    )
    return Claim(
        owner=tags.get(OWNER, ""),
        resource=tags.get(RESOURCE, ""),
        token=token,
        destination=tags.get(DESTINATION, ""),
        destination_role=tags.get(DESTINATION_ROLE, ""),
        previous=previous,
        previous_known=known,
        previous_claim=prior,
    )


def tags_from_api(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {str(item["key"]): str(item.get("value") or "") for item in items or []}


def prior_to_state(prior: PriorClaim | None) -> dict[str, str]:
    if prior is None:
        return {}
    previous, role = _recorded(prior.previous, prior.previous_known)
    return {
        "owner": prior.owner,
        "resource": prior.resource,
        "token": prior.token,
        "previous": previous,
        "previousRole": role,
    }


def prior_from_state(value: Any) -> PriorClaim | None:
    if not isinstance(value, Mapping) or not value.get("token"):
        return None
    if "previous" in value:
        return PriorClaim(
            str(value.get("owner", "")),
            str(value.get("resource", "")),
            str(value["token"]),
            *_read_previous(str(value["previous"]), str(value.get("previousRole", ""))),
        )
    return PriorClaim(
        str(value.get("owner", "")), str(value.get("resource", "")), str(value["token"])
    )


__all__ = ["Claim", "Identity", "Previous", "PriorClaim", "claim_for", "claim_from_tags"]
