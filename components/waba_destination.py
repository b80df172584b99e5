"""WabaEventDestination: a WhatsApp Business Account's event destination, as a Pulumi
dynamic resource over the `socialmessaging` API.

Pulumi's AWS provider has no resource for it. The provider below is pickled by
reference: this module must stay importable as `components.waba_destination` from the
project root, where the engine starts `python -m pulumi.dynamic`. It holds no state and
nothing from the deployer's environment (keys, tokens, sessions) is ever serialised.
Its parts live in `components.waba`; this module wires them: read, decide, act.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from botocore.exceptions import BotoCoreError, ClientError
from pulumi import dynamic

from components.arns import parse_arn
from components.aws_errors import error_code, error_message
from components.waba import preflight, readings
from components.waba.claim import Claim, Identity, claim_for, restored
from components.waba.client import WabaClient, WabaDestinationError, client_config
from components.waba.decisions import (
    DestinationConflict,
    Plan,
    create_plan,
    delete_action,
    refresh_notice,
    stuck_delete_message,
    update_plan,
)
from components.waba.ownership import Observed, Registry
from components.waba.record import Held, Previous, held_from, outputs
from components.waba.refusals import refusal, rename_notice
from components.waba.state import (
    ASSUME_ROLE_ARN,
    EVENT_DESTINATION_ARN,
    INPUTS,
    NOTICE,
    OUTPUTS,
    OWNER_PROJECT,
    OWNER_RESOURCE,
    OWNER_STACK,
    PROFILE,
    REGION,
    ROLE_ARN,
    TAKEOVER,
    VERIFY,
    VERSION,
    WABA_ARN,
    WABA_ID,
    attribute_name,
    desired_from,
    has_prior_state,
    with_defaults,
)
from components.waba.validation import (
    Failure,
    check_inputs,
    is_unknown,
    live_failures,
    plan_diff,
    same_waba,
    writes_destination,
)


def _identity(props: Mapping[str, Any]) -> Identity:
    return Identity(
        str(props.get(OWNER_PROJECT) or ""),
        str(props.get(OWNER_STACK) or ""),
        str(props.get(OWNER_RESOURCE) or ""),
    )


def _held(plan: Plan, desired: Any, token: str, after: Observed) -> Held:
    """What a resource holds after create or update applied `plan`; what the WABA had
    before comes from the claim read last when it is ours (a resource leaving first
    may have handed over what it had found)."""
    if not plan.claims:
        return Held(None, "", plan.ownership, plan.previous)
    claim = after.claim
    ours = (
        claim is not None
        and claim.token == token
        and claim.holds(desired)
        and claim.previous_known  # else state keeps what the tag could not hold
    )
    previous = claim.found_before if ours and claim is not None else plan.previous
    return Held(desired, token, plan.ownership, previous)


def _verify_or_fail(client: WabaClient, ours: Any, waba_arn: str, props: Mapping[str, Any]) -> None:
    """Run the pre-flight checks; fail with every reason."""
    try:
        problems = preflight.verify_destination(client.session, client_config(), ours, waba_arn)
    except preflight.VerifyAccessError as error:
        raise WabaDestinationError(str(error)) from None
    except ClientError as error:
        raise WabaDestinationError(
            f"verify for WABA {waba_arn} failed: {error_code(error)}: {error_message(error)}. Set "
            "verify to false to skip the pre-flight checks."
        ) from None
    except BotoCoreError as error:
        raise WabaDestinationError(f"verify for WABA {waba_arn} failed: {error}") from None
    if problems:
        raise WabaDestinationError(
            f"eventDestinationArn {ours.arn} would not receive the events of WABA "
            f"{waba_arn}: " + " | ".join(problems) + " (set verify to false to skip "
            "these pre-flight checks)."
        )


def _refuse_out_of_scope(props: Mapping[str, Any], waba_arn: str) -> None:
    failures = live_failures(props, waba_arn)
    if failures:
        raise WabaDestinationError(
            "; ".join(f"{failure.property}: {failure.reason}" for failure in failures)
        )


def _decided(
    registry: Registry, props: Mapping[str, Any], decide: Callable[[Observed], Plan]
) -> tuple[Observed, Plan]:
    """Read, decide; when the plan writes, run the pre-flight and decide again from a
    read taken after it (the pre-flight takes time another writer can use)."""
    seen = registry.read()
    _refuse_out_of_scope(props, seen.arn)
    plan = _conflict_to_error(decide, seen)
    if plan.write and props.get(VERIFY, True):
        _verify_or_fail(registry.client, desired_from(props), seen.arn, props)
        seen = registry.read()
        plan = _conflict_to_error(decide, seen)
    return seen, plan


def _conflict_to_error(decide: Callable[[Observed], Plan], seen: Observed) -> Plan:
    try:
        return decide(seen)
    except DestinationConflict as conflict:
        raise WabaDestinationError(str(conflict)) from None


def _applied(
    registry: Registry, seen: Observed, plan: Plan, ours: Claim, desired: Any
) -> tuple[Observed, str]:
    """Tag and write what `plan` decided (nothing when it adopts)."""
    if not plan.claims:
        return seen, plan.notice
    after, notice = registry.apply(seen, ours, desired if plan.write else None)
    return after, plan.notice + notice


def _known(inputs: Mapping[str, Any]) -> bool:
    """Every input the reads and the decision need is known (not at a first preview
    whose destination comes from a resource not created yet)."""
    return all(
        not is_unknown(inputs.get(key))
        for key in (WABA_ID, EVENT_DESTINATION_ARN, ROLE_ARN, REGION, PROFILE, ASSUME_ROLE_ARN)
    ) and bool(inputs.get(WABA_ID) and inputs.get(REGION))


def _writes_nothing(olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> bool:
    """The resource is in state for this WABA and Region and declares the destination
    and role it declared: `up` writes nothing to the WABA, so there is nothing for a
    read to refuse (the destination passed the same checks when it was written)."""
    return (
        bool(olds.get(WABA_ID))
        and same_waba(olds, inputs[WABA_ID])
        and olds.get(REGION) == inputs[REGION]
        and not writes_destination(olds, inputs)
    )


def _live_refusals(olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> tuple[list[Failure], str]:
    """The failures create or update would raise before writing, and the notice."""
    if _writes_nothing(olds, inputs):
        return [], ""
    waba = str(inputs[WABA_ID])
    reading, waba_arn = readings.reading(inputs, waba)
    in_state = bool(olds.get(WABA_ID))
    if not reading.linked and not in_state:
        return [
            Failure(
                WABA_ID,
                f"no WABA {waba} is linked to this account in {inputs[REGION]}; link it in "
                "the AWS End User Messaging Social console, or fix wabaId and region.",
            )
        ], ""
    failures = live_failures(inputs, waba_arn) if waba_arn else []
    identity = _identity(inputs)
    before = desired_from(olds) if in_state and olds.get(EVENT_DESTINATION_ARN) else None
    reason = refusal(
        waba, desired_from(inputs), reading, identity, bool(inputs.get(TAKEOVER)), before
    )
    if reason and (not in_state or writes_destination(olds, inputs)):
        failures.append(Failure(WABA_ID, reason))
    return failures, "" if in_state else rename_notice(waba, reading, identity)


class WabaEventDestinationProvider(dynamic.ResourceProvider):
    """Create, read, update and delete a WABA's event destination safely.

    diff makes no AWS call, and check reads the WABA only when `up` would write to it
    (components.waba.readings). create, update, refresh and delete read the
    WABA's destination and its ownership claim (tags on the WABA) through one
    `Registry`, decide with the pure functions of `components.waba.decisions`, and
    apply. The claim is written before the destination, so whenever our value is on
    the WABA, the claim naming us is already there.
    """

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        """The inputs against the model, then (when they are valid and known) what
        create or update would refuse, from a read of the WABA: Get and ListTags, no
        write. So `pulumi preview` fails on what `pulumi up` would, in one line per
        resource. A new resource whose own stack's claim names another resource gets a
        notice that it looks like a rename."""
        inputs, failures = check_inputs(news)
        if not failures and _known(inputs):
            failures, notice = _live_refusals(olds, inputs)
            if notice:  # shown at preview by the program, from the planned outputs
                inputs[NOTICE] = notice
        return dynamic.CheckResult(
            inputs, [dynamic.CheckFailure(f.property, f.reason) for f in failures]
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        plan = plan_diff(olds, news)
        return dynamic.DiffResult(
            changes=plan.changes,
            replaces=list(plan.replaces),
            delete_before_replace=plan.delete_before_replace,
        )

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        """Get, ListTags, then inherit, adopt, refuse, or (pre-flight, Get, ListTags)
        TagResource, Get, ListTags, Put, Get, ListTags (at most 8 socialmessaging
        calls without the pre-flight, one Put)."""
        props = with_defaults(props)
        waba = str(props[WABA_ID])
        desired, identity = desired_from(props), _identity(props)
        registry = Registry.for_props(props, waba)
        takeover = bool(props.get(TAKEOVER))
        seen, plan = _decided(
            registry,
            props,
            lambda at: create_plan(desired, at.live, at.claim, identity, takeover, waba),
        )
        token = secrets.token_hex(16)
        after, notice = _applied(
            registry, seen, plan, claim_for(identity, token, desired, plan.previous), desired
        )
        return dynamic.CreateResult(
            seen.arn, outputs(props, after.account, _held(plan, desired, token, after), notice)
        )

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        """Get and ListTags (2 calls). Reports the live destination in
        eventDestinationArn/roleArn, so drift shows, and carries what this resource
        applied over unchanged; a claim that is no longer this resource's is named in
        the notice. A WABA read as not linked is read again before the resource is
        dropped from state."""
        props = with_defaults(props)
        if not props.get(REGION):
            # A bare `get` by id: the id is the WABA ARN, which carries its Region.
            arn = parse_arn(id_)
            props[REGION] = arn.region if arn else ""
        waba = str(props.get(WABA_ID) or id_)
        seen = Registry.for_props(props, waba).find()
        if seen is None:
            return dynamic.ReadResult("", {})
        live = seen.live
        inputs = {
            **props,
            WABA_ID: waba,
            EVENT_DESTINATION_ARN: live.arn if live else "",
            ROLE_ARN: live.role_arn if live else "",
        }
        if has_prior_state(props):
            held = held_from(props)
            notice = refresh_notice(live, seen.claim, held.applied, held.token, waba)
            outs = outputs(inputs, seen.account, held, notice, props.get(VERSION) or 1)
        else:
            # `get` by id, without state: what is there is adopted, never owned.
            outs = outputs(inputs, seen.account, Held(None, "", "adopted", Previous(live)))
        return dynamic.ReadResult(seen.arn, outs, {key: outs[key] for key in INPUTS})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        """Get, ListTags, then adopt, refuse, or write as create does (at most 8
        calls without the pre-flight, one Put). A change of profile, assumeRoleArn,
        takeover or verify alone makes no call; a state without a claim token (an
        older version) is claimed."""
        olds, news = with_defaults(olds), with_defaults(news)
        held = held_from(olds)
        needs_claim = (
            held.ownership != "adopted"
            and held.applied is not None
            and (not held.token or _identity(olds) != _identity(news))
        )
        if not writes_destination(olds, news) and not needs_claim:
            return dynamic.UpdateResult(outputs(news, olds, held))
        waba, desired, takeover = str(news[WABA_ID]), desired_from(news), bool(news.get(TAKEOVER))
        registry = Registry.for_props({**news, WABA_ARN: olds.get(WABA_ARN) or ""}, waba)
        seen, plan = _decided(
            registry,
            news,
            lambda at: update_plan(desired, at.live, at.claim, held, takeover, waba),
        )
        token = held.token or secrets.token_hex(16)
        ours = claim_for(_identity(news), token, desired, plan.previous)
        after, notice = _applied(registry, seen, plan, ours, desired)
        kept = _held(plan, desired, token, after)
        # Kept when this resource now adopts: a resource that took the WABA over from
        # it names this token, and is handed what it found on delete.
        if not plan.claims and held.token:
            kept = Held(kept.applied, held.token, kept.ownership, kept.previous)
        return dynamic.UpdateResult(outputs(news, after.account, kept, notice))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Get, ListTags, then at most one Put and one TagResource/UntagResource (at
        most 4 calls): only while the WABA's destination is this resource's, put back
        what it had before (and whose claim it was), or clear it. Whatever the
        destination is now, the WABA keeps no claim of this resource."""
        props = with_defaults(props)
        waba = str(props.get(WABA_ID) or id_)
        registry = Registry.for_props(props, waba)
        seen = registry.find()
        if seen is None:
            pulumi.log.warn(
                f"WABA {waba} left as it is: it is no longer linked in {props[REGION]}."
            )
            return
        held = held_from(props)
        action = delete_action(seen.live, seen.claim, held, waba)
        if action.kind == "leave" or seen.live is None:
            if action.hand_over is not None:
                registry.client.write_claim(waba, action.hand_over)
            else:
                registry.give_back(held.token, held.previous, seen)
            pulumi.log.warn(action.reason)
            return
        # Never DisassociateWhatsAppBusinessAccount: unlinking is a console decision.
        try:
            registry.put_back(action.restore)
        except WabaDestinationError as error:
            raise WabaDestinationError(
                stuck_delete_message(
                    str(error), waba, registry.client.region, seen.live, action.restore
                )
            ) from None
        if action.owns_claim or (seen.claim is not None and seen.claim.token == held.token):
            if action.claim_after is not None and action.restore is not None:
                registry.client.write_claim(waba, restored(action.claim_after, action.restore))
            else:
                registry.client.remove_claim(waba)
        pulumi.log.info(action.reason)


@dataclass(frozen=True)
class WabaEventDestinationArgs:
    """Inputs of WabaEventDestination.

    waba_id: `waba-...` or the WABA ARN. event_destination_arn: a standard SNS topic or
    an Amazon Connect instance ARN. role_arn: the Connect channel role (refused for
    SNS). region: the WABA's Region. profile / assume_role_arn: act as the stack's aws
    provider does (never static keys). takeover: replace a destination someone else
    set. verify: run the pre-flight checks before writing. The owner identity
    (project, stack, resource name) is filled in by the resource.
    """

    waba_id: pulumi.Input[str]
    event_destination_arn: pulumi.Input[str]
    region: pulumi.Input[str]
    role_arn: pulumi.Input[str] | None = None
    profile: pulumi.Input[str] | None = None
    assume_role_arn: pulumi.Input[str] | None = None
    takeover: pulumi.Input[bool] = False
    verify: pulumi.Input[bool] = True


_STATE_KEYS = {attribute_name(key): key for key in OUTPUTS}
_ATTRIBUTES = {state: attribute for attribute, state in _STATE_KEYS.items()}


class WabaEventDestination(
    dynamic.Resource, module="social-messaging", name="WabaEventDestination"
):
    """The one event destination of a WhatsApp Business Account."""

    waba_id: pulumi.Output[str]
    event_destination_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    region: pulumi.Output[str]
    profile: pulumi.Output[str]
    assume_role_arn: pulumi.Output[str]
    takeover: pulumi.Output[bool]
    verify: pulumi.Output[bool]
    owner_project: pulumi.Output[str]
    owner_stack: pulumi.Output[str]
    owner_resource: pulumi.Output[str]
    waba_arn: pulumi.Output[str]
    waba_name: pulumi.Output[str]
    registration_status: pulumi.Output[str]
    previous_event_destination_arn: pulumi.Output[str]
    previous_role_arn: pulumi.Output[str]
    previous_known: pulumi.Output[bool]
    previous_claim: pulumi.Output[dict[str, str]]
    adopted: pulumi.Output[bool]
    applied_event_destination_arn: pulumi.Output[str]
    applied_role_arn: pulumi.Output[str]
    claim_token: pulumi.Output[str]
    ownership: pulumi.Output[str]
    notice: pulumi.Output[str]
    state_version: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        args: WabaEventDestinationArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {attribute: None for attribute in _STATE_KEYS}
        props.update(
            waba_id=args.waba_id,
            event_destination_arn=args.event_destination_arn,
            role_arn=args.role_arn,
            region=args.region,
            profile=args.profile,
            assume_role_arn=args.assume_role_arn,
            takeover=args.takeover,
            verify=args.verify,
            # Who this resource is, for the claim on the WABA: the provider process
            # cannot know its stack or URN.
            owner_project=pulumi.get_project(),
            owner_stack=pulumi.get_stack(),
            owner_resource=resource_name,
        )
        super().__init__(WabaEventDestinationProvider(), resource_name, props, opts)

    def translate_input_property(self, prop: str) -> str:
        return _STATE_KEYS.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        return _ATTRIBUTES.get(prop, prop)


__all__ = [
    "INPUTS",
    "WabaDestinationError",
    "WabaEventDestination",
    "WabaEventDestinationArgs",
    "WabaEventDestinationProvider",
]
