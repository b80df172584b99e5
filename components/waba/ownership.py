"""Ownership of a WABA's destination behind one interface, as external-dns keeps its
owner records behind one Registry: `read` (the live destination and the claim),
then the pure decisions of `components.waba.decisions`, then `apply` (tag, write,
read back) or `release` (give back this resource's claim).

The API has no conditional write, so `apply` narrows the window two writers can
share and cleans up after itself when it loses: it writes the claim, reads the WABA
again just before the Put and refuses if the destination or the claim changed since
the read it decided from, and after the Put reads once more to check that the WABA
sends to this resource's destination under this resource's claim. Whatever it
refuses, it first takes back its own claim, so no claim is left naming a destination
that is not there."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.waba.claim import Claim, Previous, restored
from components.waba.client import WabaClient, WabaDestinationError
from components.waba.decisions import handed_over
from components.waba.model import PUT_OPERATION
from components.waba.state import EventDestination, describe, destination_from_api


@dataclass(frozen=True)
class Observed:
    """One read of the WABA: the API's account, its live destination, its claim."""

    account: dict[str, Any]
    live: EventDestination | None
    claim: Claim | None

    @property
    def arn(self) -> str:
        return str(self.account["arn"])


# How long a create or update that finds another writer's claim over its own write
# waits for that writer to finish or give up before it reads again.
SETTLE_SECONDS = 1.0


class LostRace(WabaDestinationError):
    """Another writer changed the WABA while this operation was writing."""


class WabaLeft(WabaDestinationError):
    """A Put failed and the WABA, read back, shows it did not land."""

    def __init__(self, message: str, account: dict[str, Any]) -> None:
        super().__init__(message)
        self.account = account


def _is_ours(claim: Claim | None, ours: Claim) -> bool:
    return ours.names(claim)


@dataclass
class Registry:
    """The claim and destination of one WABA, read and written by one operation."""

    client: WabaClient
    waba: str

    @classmethod
    def for_props(cls, props: Mapping[str, Any], waba: str) -> Registry:
        return cls(WabaClient.for_props(props), waba)

    def _observed(self, account: dict[str, Any]) -> Observed:
        live = destination_from_api(account.get("eventDestinations"))
        return Observed(account, live, self.client.claim(self.waba))

    def read(self) -> Observed:
        """Get and ListTagsForResource: what is there and whose it is."""
        return self._observed(self.client.get(self.waba))

    def find(self) -> Observed | None:
        """As `read`, or None when the WABA is (twice) not linked."""
        account = self.client.find(self.waba)
        return None if account is None else self._observed(account)

    def apply(
        self, decided: Observed, ours: Claim, desired: EventDestination | None
    ) -> tuple[Observed, str]:
        """Write `ours` (when it differs), then, for a `desired` destination, check
        nothing moved, Put, and read back. Returns the last read and a sentence for
        the notice ('' when all answered)."""
        if decided.claim is None or decided.claim.to_tags() != ours.to_tags():
            self.client.write_claim(self.waba, ours)
        if desired is None:
            return decided, ""
        now = self.read()
        if now.live != decided.live or not _is_ours(now.claim, ours):
            self.release(ours, decided.claim, now)
            raise LostRace(self._moved(decided, now, desired))
        lost = self._put(desired, ours, decided.claim)
        if lost:
            return now, lost
        return self._confirm(decided, ours, desired)

    def release(self, ours: Claim, before: Claim | None, now: Observed) -> None:
        """Take this resource's claim back after a write it gave up: put back the claim
        that was there when it still names what the WABA sends to, else remove ours.
        A claim that is no longer ours is left to its owner."""
        if now.claim is None or now.claim.token != ours.token:
            return
        try:
            if before is not None and before.token != ours.token and before.holds(now.live):
                self.client.write_claim(self.waba, before)
            else:
                self.client.remove_claim(self.waba)
        except WabaDestinationError:
            pass  # a claim that does not hold the live destination counts for nothing

    def give_back(self, ours_token: str, previous: Previous, now: Observed) -> None:
        """On delete: whatever the destination is now, the WABA keeps no claim of this
        resource. The claim a takeover replaced comes back when its destination did."""
        if now.claim is None or not ours_token or now.claim.token != ours_token:
            return
        prior = previous.claim
        if (
            prior is not None
            and previous.destination is not None
            and now.live == previous.destination
        ):
            self.client.write_claim(self.waba, restored(prior, previous.destination))
        else:
            self.client.remove_claim(self.waba)

    def _moved(self, decided: Observed, now: Observed, desired: EventDestination) -> str:
        whose = now.claim.describe() if now.claim else "no claim"
        return (
            f"WABA {self.waba} changed while this operation was about to set "
            f"{desired.describe()}: it read {describe(decided.live)}, and just before the "
            f"write it read {describe(now.live)} with {whose} (another stack, pipeline or "
            "person is writing to it at the same time). Nothing was written to its "
            "destination and this resource's claim was taken back. Wait for the other "
            "writer, then run `pulumi up` again."
        )

    def put_back(self, destination: EventDestination | None) -> str:
        """Put (`None` clears); after a failed or unanswered Put, read the WABA back:
        when it shows the value, the write landed and this returns the sentence for the
        notice; otherwise the failure stands."""
        try:
            self.client.put(self.waba, destination)
            return ""
        except WabaDestinationError as error:
            try:
                account = self.client.get(self.waba)
            except WabaDestinationError:
                raise error from None
            if destination_from_api(account.get("eventDestinations")) != destination:
                raise WabaLeft(str(error), account) from None
            return (
                f" The answer to {PUT_OPERATION} was lost ({error}), but the WABA shows "
                f"{describe(destination)}, so the write landed."
            )

    def _put(self, desired: EventDestination, ours: Claim, before: Claim | None) -> str:
        """`put_back` of this resource's destination; when the WABA shows the write did
        not land, this resource's claim is taken back. When it cannot tell (the read
        failed too) the claim stays: the next `up` inherits it."""
        try:
            return self.put_back(desired)
        except WabaLeft as left:
            now = Observed(
                left.account, destination_from_api(left.account.get("eventDestinations")), ours
            )
            self.release(ours, before, now)
            raise WabaDestinationError(str(left)) from None

    def _settled(self, ours: Claim, desired: EventDestination) -> Observed:
        """The WABA shows our destination under another writer's claim, written after
        our last read. That writer either passed its own check before our Put (its Put
        follows, and the WABA is its) or reads our destination at its check and gives
        up, taking its claim back. Wait a moment and read again: when the destination
        is still ours, the claim comes back to us (ours is the last write)."""
        time.sleep(SETTLE_SECONDS)
        now = self.read()
        if now.live == desired and not ours.names(now.claim):
            self.client.write_claim(self.waba, ours)
        return now

    def _confirm(
        self, decided: Observed, ours: Claim, desired: EventDestination
    ) -> tuple[Observed, str]:
        """The read after a Put that answered: this resource's destination under its
        claim. A failed read is not a failed write (a notice). Another claim that took
        the WABA over from this resource is handed what this resource found, and the
        create fails (it is not in state, so nobody may put its destination back)."""
        try:
            now = self.read()
        except WabaDestinationError:
            return decided, (
                f" WABA {self.waba}: the write of {desired.describe()} answered but the read "
                "after it failed; run `pulumi refresh` to check it."
            )
        if now.live == desired and _is_ours(now.claim, ours):
            return now, ""
        taker = now.claim
        if taker is not None and taker.previous_claim and taker.previous_claim.token == ours.token:
            self.client.write_claim(self.waba, handed_over(taker, ours.found_before))
            raise LostRace(
                f"WABA {self.waba}: {taker.describe()} took it over while this resource was "
                f"setting {desired.describe()}; it was handed what the WABA had before "
                f"({describe(ours.previous)}) and this change was not recorded. Run "
                "`pulumi up` again (with takeover true to take it back)."
            )
        if now.live == desired:
            now = self._settled(ours, desired)
            if now.live == desired:
                return now, ""
        self.release(ours, decided.claim, now)
        raise LostRace(
            f"WABA {self.waba}: our {PUT_OPERATION} of {desired.describe()} succeeded, but "
            f"the WABA now sends its events to {describe(now.live)}: someone else changed "
            f"it in between. The WABA is left as it is now (before this change it had "
            f"{describe(decided.live)}) and this change was not recorded. Find out who "
            "changed it, then run `pulumi up` again (with takeover true to replace their "
            "destination)."
        )
