"""StackClaimsGuard: one resource per stack that gives back the claims this stack's
WABA destinations left behind without a resource in state.

An interrupted `pulumi up` (Ctrl-C twice, a killed CLI or provider) can leave a WABA
destination whose Create was in flight: the claim and perhaps the destination are on
the WABA, but the resource is not in state, so `pulumi destroy` never calls its
Delete and would delete the topic the WABA still sends to. The guard is created after
the topic and the channel role and before every WABA destination (they depend on it),
so on destroy it is deleted after every WABA destination and before the topic. Its
delete reads each WABA it guards: a claim of this project and stack still there is
one no resource in state answers for, and the guard does what that resource's delete
would have done (put back what the WABA had before, with whose claim it was, or
clear it, and remove the claim). Where it cannot, it fails, which stops the destroy
before the topic is deleted, and says to run `pulumi up` first (it inherits the
claim, and the destroy after it puts the WABA back)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi import dynamic

from components.waba import readings
from components.waba.access import ACCESS_INPUTS, WABA_IDS, WabaAccess
from components.waba.claim import Identity, restored
from components.waba.client import WabaDestinationError
from components.waba.decisions import undo
from components.waba.ownership import Observed, Registry
from components.waba.state import (
    OWNER_PROJECT,
    OWNER_STACK,
    describe,
)
from components.waba.validation import is_unknown

# The engine's type of the resource below (a dynamic resource's module and name).
GUARD_TYPE = "pulumi-python:dynamic/social-messaging:StackClaimsGuard"
GUARD_INPUTS = (*ACCESS_INPUTS, OWNER_PROJECT, OWNER_STACK)


def _owner(props: Mapping[str, Any]) -> str:
    return Identity(
        str(props.get(OWNER_PROJECT) or ""), str(props.get(OWNER_STACK) or ""), ""
    ).owner


def _first_up(waba: str, why: str) -> WabaDestinationError:
    return WabaDestinationError(
        f"WABA {waba}: {why}. The destroy stops here so the topic it may send to is not "
        "deleted. Run `pulumi up` first (it takes this claim back into the stack's "
        "state), then `pulumi destroy` puts the WABA back."
    )


def sweep(registry: Registry, seen: Observed, owner: str) -> str:
    """Give back a claim of this stack that no resource in state answers for; return
    the line that says what was done ('' when there was no such claim)."""
    claim, live, waba = seen.claim, seen.live, registry.waba
    if claim is None or claim.owner != owner:
        return ""
    if not claim.holds(live):
        registry.give_back(claim.token, claim.found_before, seen)
        return f"WABA {waba}: removed a claim of this stack that no longer named its destination."
    assert live is not None
    if not claim.previous_known:
        raise _first_up(
            waba,
            f"it sends its events to {live.describe()} under a claim of this stack that "
            "does not record what it had before",
        )
    action = undo(live, True, claim.found_before, waba)
    if action.kind != "leave":
        registry.put_back(action.restore)
    if action.claim_after is not None and action.restore is not None:
        registry.client.write_claim(waba, restored(action.claim_after, action.restore))
    else:
        registry.client.remove_claim(waba)
    return (
        f"{action.reason} (claimed by {claim.describe()}, which an interrupted update "
        f"left out of the stack's state; it sent to {describe(live)})"
    )


class StackClaimsGuardProvider(dynamic.ResourceProvider):
    """No call but on delete, where every guarded WABA is read (Get, ListTags) and a
    claim of this stack is given back (at most a Put and a tag call each)."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        """Starts the reads of the WABAs new to the stack, for their own checks, which
        come after this one (components.waba.readings); refuses nothing."""
        wabas = news.get(WABA_IDS)
        access = [news.get(key) for key in ACCESS_INPUTS if key != WABA_IDS]
        if isinstance(wabas, list) and not any(map(is_unknown, [*access, *wabas])):
            before = set(olds.get(WABA_IDS) or [])
            readings.start_reads(news, [str(w) for w in wabas if w not in before])
        return dynamic.CheckResult(news, [])

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        return dynamic.CreateResult(_owner(props), {k: props.get(k) for k in GUARD_INPUTS})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        changed = any(olds.get(key) != news.get(key) for key in GUARD_INPUTS)
        return dynamic.DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        return dynamic.UpdateResult({k: news.get(k) for k in GUARD_INPUTS})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        owner = _owner(props)
        for waba in props.get(WABA_IDS) or []:
            registry = Registry.for_props(props, str(waba))
            try:
                seen = registry.find()
                done = sweep(registry, seen, owner) if seen is not None else ""
            except WabaDestinationError as error:
                raise _first_up(
                    str(waba), f"a claim of this stack could not be checked or given back ({error})"
                ) from None
            if done:
                pulumi.log.warn(done)


class StackClaimsGuard(dynamic.Resource, module="social-messaging", name="StackClaimsGuard"):
    """Gives back, on destroy, the claims of this stack that no resource in state holds."""

    def __init__(
        self, resource_name: str, access: WabaAccess, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = {
            **access.props(),
            OWNER_PROJECT: pulumi.get_project(),
            OWNER_STACK: pulumi.get_stack(),
        }
        super().__init__(StackClaimsGuardProvider(), resource_name, props, opts)


def guard_stack_claims(
    component: Any, name: str, region: pulumi.Input[str], aws_provider: Any
) -> StackClaimsGuard:
    """The guard of a component's WABA destinations (they must depend on it), after
    its topic and channel role."""
    parts = [part for part in (component.topic, component.connect_role) if part is not None]
    return StackClaimsGuard(
        f"{name}-claims-guard",
        WabaAccess(
            [d.settings.waba_id for d in component.destinations],
            region,
            aws_provider.profile,
            aws_provider.assume_role_arn,
        ),
        pulumi.ResourceOptions(
            parent=component, depends_on=[r for part in parts for r in part.resources]
        ),
    )
