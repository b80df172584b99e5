"""The decisions of create, update, refresh and delete, as pure functions over the
desired destination, the live one, the claim on the WABA and this resource's state.
No AWS call happens here; the provider reads, asks, then acts.

The one rule behind them all: a destination is this resource's to change or undo
only while the WABA's claim names this resource (its token) and the live destination
is the claimed one, or, with no claim that holds (state of an older version, a claim
removed by hand), while the live destination is exactly what this resource's state
says it wrote. Everything else belongs to someone else: it is adopted when it is what
we declare, replaced only with takeover, and never cleared."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from components.waba.claim import Claim, Identity, Previous, PriorClaim
from components.waba.record import Held
from components.waba.state import OWNING, EventDestination, Ownership, describe


class DestinationConflict(Exception):
    """The WABA sends its events somewhere else and takeover is off."""


def _whose(claim: Claim | None, live: EventDestination | None) -> str:
    if claim is not None and claim.holds(live):
        return f"{claim.describe()} set it"
    return "no stack claims it (set in the console, by the CLI, or by an older version)"


@dataclass(frozen=True)
class Plan:
    """What create or update does: whether to Put the desired destination, what this
    resource owns afterwards, and the sentence a user needs."""

    ownership: Ownership
    write: bool
    previous: Previous
    notice: str = ""

    @property
    def claims(self) -> bool:
        """Whether this resource claims the WABA afterwards (adoption never does)."""
        return self.ownership in OWNING


def create_plan(
    desired: EventDestination,
    live: EventDestination | None,
    claim: Claim | None,
    identity: Identity,
    takeover: bool,
    waba: str,
) -> Plan:
    """Inherit what this stack's claim holds (a replacement or a rename: the old
    resource's delete will find the claim is no longer its own); write over nothing;
    adopt exactly what we declare; take over with takeover; refuse otherwise."""
    holds = claim is not None and claim.holds(live)
    if holds and claim is not None and identity.known and claim.owner == identity.owner:
        changed = live != desired
        return Plan(
            "inherited",
            changed,
            claim.found_before,
            f"WABA {waba}: inherited the destination {describe(live)} from "
            f"{claim.describe()} (a replacement, a rename, or a create whose answer was "
            "lost); its delete leaves the WABA to this resource"
            + (f", and it is changed to {desired.describe()}" if changed else "")
            + ".",
        )
    found = Previous(live, True, claim.prior() if holds and claim is not None else None)
    if live is None:
        return Plan("created", True, Previous())
    if live == desired:
        return Plan(
            "adopted",
            False,
            found,
            f"WABA {waba} already sends its events to {desired.describe()} and "
            f"{_whose(claim, live)}: adopted without writing. Destroying this resource "
            "leaves it in place; changing it later needs takeover.",
        )
    if takeover:
        return Plan(
            "taken-over",
            True,
            found,
            f"WABA {waba}: takeover replaced {live.describe()} ({_whose(claim, live)}) with "
            f"{desired.describe()}; destroying this resource puts it back.",
        )
    raise DestinationConflict(
        f"WABA {waba} already sends its events to {live.describe()} "
        f"({_whose(claim, live)}), not to {desired.describe()}. A WABA has exactly one "
        "event destination, and replacing it would cut off whoever consumes it now. To "
        "replace it on purpose set takeover to true (on delete the previous destination "
        "is put back); to use it, declare it (eventDestinationArn and roleArn) and "
        "`pulumi up` adopts it."
    )


def is_ours(
    live: EventDestination | None,
    claim: Claim | None,
    applied: EventDestination | None,
    token: str,
) -> bool:
    """The live destination is this resource's: its claim holds it, or no claim
    holds and it is exactly what this resource wrote."""
    if live is None:
        return False
    if claim is not None and claim.holds(live):
        return bool(token) and claim.token == token
    return applied is not None and live == applied


def known_previous(claim: Claim | None, live: EventDestination | None, held: Held) -> Previous:
    """What the WABA had before this resource: the claim may know better than state,
    since a resource this one took the WABA over from hands over what it had found
    when it is deleted first."""
    if claim is not None and claim.holds(live) and held.token and claim.token == held.token:
        if claim.previous_known:
            return claim.found_before
    return held.previous


def update_plan(
    desired: EventDestination,
    live: EventDestination | None,
    claim: Claim | None,
    held: Held,
    takeover: bool,
    waba: str,
) -> Plan:
    """Write only over what this resource applied, over nothing, or with takeover;
    adopt what is already the new desired destination but not ours (no write, never
    recorded as applied); refuse otherwise."""
    keep = known_previous(claim, live, held)
    owned = held.ownership if held.ownership in OWNING else "created"
    if is_ours(live, claim, held.applied, held.token):
        notice = ""
        if claim is None or not claim.holds(live):
            notice = (
                f"WABA {waba} carries no claim that names {describe(live)}; this "
                "resource's state says it wrote it, so it acts as its owner and claims it."
            )
        return Plan(owned, live != desired, keep, notice)
    if live is None:
        return Plan(owned, True, keep)
    if live == desired:
        return Plan(
            "adopted",
            False,
            keep,
            f"WABA {waba} already sends its events to {desired.describe()}, which this "
            f"resource did not set ({_whose(claim, live)}): adopted without writing. "
            "Destroying this resource leaves it in place; changing it later needs takeover.",
        )
    if takeover:
        return _take_over(desired, live, claim, held, keep, waba)
    was = held.applied.describe() if held.applied else "nothing (it adopted what was there)"
    raise DestinationConflict(
        f"WABA {waba} now sends its events to {live.describe()} ({_whose(claim, live)}), "
        f"but this resource set {was}; replacing it with {desired.describe()} would cut "
        "off whoever consumes it now. Nothing was written. To replace it on purpose set "
        "takeover to true; to keep it, declare it (eventDestinationArn and roleArn) and "
        "`pulumi up` adopts it."
    )


def _take_over(
    desired: EventDestination,
    live: EventDestination,
    claim: Claim | None,
    held: Held,
    keep: Previous,
    waba: str,
) -> Plan:
    """An update's takeover: a resource that never wrote records what it replaces as
    previous; one that wrote keeps what the WABA had before its first write."""
    never_wrote = held.ownership == "adopted" or held.applied is None
    holds = claim is not None and claim.holds(live)
    taken = (
        Previous(live, True, claim.prior() if holds and claim else None) if never_wrote else keep
    )
    return Plan(
        "taken-over",
        True,
        taken,
        f"WABA {waba}: takeover replaced {live.describe()} ({_whose(claim, live)}) with "
        f"{desired.describe()}"
        + (
            "; destroying this resource puts it back."
            if never_wrote
            else "; it is not put back on delete (that restores what the WABA had "
            f"before this resource first wrote: {describe(keep.destination)})."
        ),
    )


DeleteKind = Literal["leave", "restore", "clear"]


@dataclass(frozen=True)
class DeleteAction:
    """What delete does to the WABA and its claim, and the one line that says why."""

    kind: DeleteKind
    reason: str
    restore: EventDestination | None = None
    # The claim to put back with `restore` (the one a takeover replaced), or None.
    claim_after: PriorClaim | None = None
    # Whether the WABA carries this resource's claim, to remove or replace.
    owns_claim: bool = False
    # The claim of the resource that took the WABA over from this one, rewritten to
    # put back what the WABA had before this resource (this one is leaving first).
    hand_over: Claim | None = None


def claimed_by_another(
    live: EventDestination, claim: Claim | None, held: Held, waba: str
) -> DeleteAction | None:
    """Leave a WABA whose claim holds and names another resource; hand over what this
    resource found when that resource took it over from this one."""
    if claim is None or not claim.holds(live) or claim.token == held.token:
        return None
    reason = (
        f"WABA {waba} left as it is: its destination {live.describe()} is now claimed "
        f"by {claim.describe()}"
    )
    prior = claim.previous_claim
    if not held.token or prior is None or prior.token != held.token:
        return DeleteAction("leave", reason + ".")
    previous = held.previous
    return DeleteAction(
        "leave",
        f"{reason}, which took it over from this resource; its delete will put back "
        f"{describe(previous.destination)}, what the WABA had before this resource.",
        hand_over=handed_over(claim, previous),
    )


def handed_over(claim: Claim, previous: Previous) -> Claim:
    """`claim` (of a resource that took the WABA over from one now leaving) with what
    the WABA had before the leaving one."""
    return replace(
        claim,
        previous=previous.destination,
        previous_known=previous.known,
        previous_claim=previous.claim,
    )


def delete_action(
    live: EventDestination | None, claim: Claim | None, held: Held, waba: str
) -> DeleteAction:
    """Put the WABA back the way this resource found it, only while its destination is
    this resource's; a WABA claimed by another resource (its replacement, the renamed
    resource, another stack after a takeover) is left alone."""
    if live is None:
        return DeleteAction("leave", f"WABA {waba} left as it is: it has no event destination now.")
    elsewhere = claimed_by_another(live, claim, held, waba)
    if elsewhere is not None:
        return elsewhere
    if not is_ours(live, claim, held.applied, held.token):
        return DeleteAction(
            "leave",
            f"WABA {waba} left as it is: it sends its events to {live.describe()}, which "
            "this resource did not set (it adopted it, or someone changed it since).",
        )
    return undo(
        live, claim is not None and claim.holds(live), known_previous(claim, live, held), waba
    )


def undo(live: EventDestination, owns_claim: bool, previous: Previous, waba: str) -> DeleteAction:
    """How to put back `previous` over `live`, which is this resource's."""
    if not previous.known:
        return DeleteAction(
            "leave",
            f"WABA {waba} left sending its events to {live.describe()}: what it had before "
            "was too long to record on the WABA when this resource inherited it; set it "
            "by hand if it should change.",
            owns_claim=owns_claim,
        )
    if previous.destination == live:
        return DeleteAction(
            "leave",
            f"WABA {waba} left as it is: it already sent its events to {live.describe()} "
            "before this resource.",
            owns_claim=owns_claim,
        )
    unclaimed = (
        ""
        if owns_claim
        else " (no claim on the WABA names it: decided from this resource's state, which "
        "says it set it)"
    )
    if previous.destination is not None:
        return DeleteAction(
            "restore",
            f"WABA {waba}: put back the destination it had before, "
            f"{previous.destination.describe()}{unclaimed}.",
            previous.destination,
            previous.claim,
            owns_claim,
        )
    return DeleteAction(
        "clear",
        f"WABA {waba}: cleared the event destination {live.describe()} this resource set"
        f"{unclaimed}.",
        None,
        None,
        owns_claim,
    )


def stuck_delete_message(
    failure: str,
    waba_id: str,
    region: str,
    live: EventDestination,
    restore: EventDestination | None,
) -> str:
    """How to get out when delete cannot put the WABA back. Delete never falls back
    to clearing: that would silently cut off a destination that was there before."""
    if restore is not None:
        items = f"eventDestinationArn={restore.arn}"
        if restore.role_arn:
            items += f",roleArn={restore.role_arn}"
        goal = f"put back its previous destination {restore.describe()}"
        by_hand = "set the destination you want by hand"
    else:
        items = "'[]'"
        goal = "clear the destination this resource set"
        by_hand = "clear it (or set another destination) by hand"
    return (
        f"{failure.rstrip('.')}. Delete could not {goal}; WABA {waba_id} still sends its events to "
        f"{live.describe()}, and nothing else was changed. To get out, either {by_hand}, "
        f"for example `aws socialmessaging put-whatsapp-business-account-event-destinations "
        f"--region {region} --id {waba_id} --event-destinations {items}`, then run the "
        "destroy again (it leaves a destination this resource did not set); or, after "
        "checking the WABA's destination in the AWS End User Messaging Social console, "
        "drop this resource from the stack with `pulumi state delete <urn>` (`pulumi "
        "stack --show-urns` lists the URNs)."
    )


def refresh_notice(
    live: EventDestination | None,
    claim: Claim | None,
    applied: EventDestination | None,
    token: str,
    waba: str,
) -> str:
    """What a refresh found that changes what destroy will do, or ''."""
    if applied is None or live == applied and is_ours(live, claim, applied, token):
        return ""
    if live is None:
        return f"WABA {waba} has no event destination now; destroying this resource leaves it so."
    if claim is not None and claim.holds(live) and claim.token != token:
        return (
            f"WABA {waba} sends its events to {live.describe()}, claimed by "
            f"{claim.describe()}; destroying this resource leaves it alone."
        )
    if live != applied:
        return (
            f"WABA {waba} sends its events to {live.describe()}, not to {applied.describe()} "
            "that this resource set; destroying this resource leaves it alone, and "
            "changing it needs takeover."
        )
    return ""
