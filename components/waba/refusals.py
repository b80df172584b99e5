"""What `check` refuses, or notes, once it has read the WABA: the decisions of create
and update, taken before anything is written, so that `pulumi preview` shows them as
one line per resource instead of `pulumi up` failing with a traceback.

Pure: the provider reads (at most 2 calls per WABA, no write) and passes what it read.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.waba.claim import Claim, Identity, fitted
from components.waba.decisions import DestinationConflict, create_plan
from components.waba.state import EventDestination, describe


@dataclass(frozen=True)
class CheckReading:
    """What check read: the WABA's destination and claim; `linked` False when two
    reads said the WABA is not linked; `unread` when a read failed (a transient
    failure does not fail a preview: create and update read again and decide)."""

    linked: bool = True
    live: EventDestination | None = None
    claim: Claim | None = None
    unread: bool = False


def refusal(
    waba: str,
    desired: EventDestination,
    reading: CheckReading,
    identity: Identity,
    takeover: bool,
    declared_before: EventDestination | None,
) -> str | None:
    """The reason create or update would refuse, or None.

    A new resource is judged as create judges it. A resource in state
    (`declared_before`: what its previous inputs declared) keeps a destination no
    claim holds when it is what it declared before (update checks its own record).
    """
    if reading.unread or not reading.linked:
        return None
    live, claim = reading.live, reading.claim
    holds = claim is not None and claim.holds(live)
    if not holds and declared_before is not None and live == declared_before:
        return None
    try:
        create_plan(desired, live, claim, identity, takeover, waba)
    except DestinationConflict as conflict:
        return str(conflict)
    return None


def _old_and_new_prefix(old: str, new: str) -> tuple[str, str]:
    """The renamed part of two resource names: without their longest common suffix
    (`whatsapp-waba-1`, `orders-waba-1` -> `whatsapp`, `orders`)."""
    common = 0
    while common < min(len(old), len(new)) and old[-1 - common] == new[-1 - common]:
        common += 1
    while common and old[len(old) - common] not in "-_":
        common -= 1  # cut at a separator, so the prefix is a whole name
    return old[: len(old) - common], new[: len(new) - common]


def rename_notice(waba: str, reading: CheckReading, identity: Identity) -> str:
    """A new resource whose own stack's claim names another resource of the stack: a
    rename (or a move to another parent). Names the `aliases` option."""
    claim, live = reading.claim, reading.live
    if (
        claim is None
        or not claim.holds(live)
        or not identity.known
        or claim.owner != identity.owner
        or claim.resource == fitted(identity.resource)
    ):
        return ""
    old, new = _old_and_new_prefix(claim.resource, identity.resource)
    return (
        f"WABA {waba} sends its events to {describe(live)} under the claim of resource "
        f"{claim.resource!r} of this stack, and this resource is {identity.resource!r}: "
        "this looks like a rename. To keep every resource as it is, give the renamed "
        f"resource or component the `aliases` resource option with its old name, e.g. "
        f'`opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="{old}")])` on what is '
        f'now named "{new}" (children follow their parent\'s alias), and `pulumi up` shows '
        "no changes. Without it, `pulumi up` creates the resources under the new names "
        "before deleting the old ones: this WABA is handed over without a gap, and a "
        "renamed topic stops at its KMS alias (AlreadyExists) before anything is deleted."
    )


__all__ = ["CheckReading", "refusal", "rename_notice"]
