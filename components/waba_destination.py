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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from botocore.exceptions import BotoCoreError, ClientError
from pulumi import dynamic

from components.arns import parse_arn
from components.waba import preflight
from components.waba.claim import (
    Claim,
    Identity,
    claim_for,
    prior_from_state,
    prior_to_state,
    restored,
)
from components.waba.client import (
    WabaClient,
    WabaDestinationError,
    client_config,
)
from components.waba.decisions import (
    DestinationConflict,
    Plan,
    create_plan,
    delete_action,
    refresh_notice,
    stuck_delete_message,
    update_plan,
)
from components.waba.model import PUT_OPERATION
from components.waba.refusals import CheckReading, refusal, rename_notice
from components.waba.state import (
    ADOPTED,
    ASSUME_ROLE_ARN,
    CLAIM_TOKEN,
    EVENT_DESTINATION_ARN,
    INPUTS,
    NOTICE,
    OUTPUTS,
    OWNER_PROJECT,
    OWNER_RESOURCE,
    OWNER_STACK,
    OWNERSHIP,
    PREVIOUS_CLAIM,
    PROFILE,
    REGION,
    REGISTRATION_STATUS,
    ROLE_ARN,
    STATE_VERSION,
    TAKEOVER,
    VERIFY,
    VERSION,
    WABA_ARN,
    WABA_ID,
    WABA_NAME,
    EventDestination,
    applied_from,
    applied_outputs,
    attribute_name,
    describe,
    desired_from,
    destination_from_api,
    has_prior_state,
    inputs_of,
    ownership_from,
    previous_from,
    previous_known,
    previous_outputs,
    with_defaults,
)
from components.waba.validation import (
    Failure,
    check_inputs,
    is_unknown,
    live_failures,
    plan_diff,
    writes_destination,
)


def _identity(props: Mapping[str, Any]) -> Identity:
    return Identity(
        str(props.get(OWNER_PROJECT) or ""),
        str(props.get(OWNER_STACK) or ""),
        str(props.get(OWNER_RESOURCE) or ""),
    )


def _account_outputs(account: Mapping[str, Any]) -> dict[str, Any]:
    return {
        WABA_ARN: str(account["arn"]),
        WABA_NAME: str(account.get("wabaName", "")),
        REGISTRATION_STATUS: str(account.get("registrationStatus", "")),
    }


def _plan_outputs(plan: Plan, desired: EventDestination, token: str) -> dict[str, Any]:
    return {
        **previous_outputs(plan.previous, plan.previous_known),
        PREVIOUS_CLAIM: prior_to_state(plan.previous_claim),
        ADOPTED: plan.ownership == "adopted",
        **applied_outputs(desired if plan.claims else None),
        CLAIM_TOKEN: token if plan.claims else "",
        OWNERSHIP: plan.ownership,
        NOTICE: plan.notice,
        VERSION: STATE_VERSION,
    }


def _verify_or_fail(
    client: WabaClient, ours: EventDestination, waba_arn: str, props: Mapping[str, Any]
) -> None:
    """Run the pre-flight checks unless verify is false; fail with every reason."""
    if not props.get(VERIFY, True):
        return
    try:
        problems = preflight.verify_destination(client.session, client_config(), ours, waba_arn)
    except preflight.VerifyAccessError as error:
        raise WabaDestinationError(str(error)) from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        message = error.response.get("Error", {}).get("Message", "")
        raise WabaDestinationError(
            f"verify for WABA {waba_arn} failed: {code}: {message}. Set "
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


def _put_or_read_back(
    client: WabaClient,
    waba: str,
    ours: EventDestination | None,
    claim_before: Claim | None = None,
    claimed: bool = False,
) -> str:
    """Put, and after a failed or unanswered Put read the WABA back: when it shows
    our value, the write landed and the operation finishes as if it had answered.
    When it shows the write did not land, the claim written before it (`claimed`) is
    put back as it was, so no claim names a destination that is not there. Returns a
    sentence for the notice when the answer was lost, else ''."""
    try:
        client.put(waba, ours)
        return ""
    except WabaDestinationError as error:
        try:
            account = client.get(waba)
        except WabaDestinationError:
            raise error from None  # unknown: our claim stays, the next up inherits it
        if destination_from_api(account.get("eventDestinations")) != ours:
            if claimed:
                try:
                    if claim_before is not None:
                        client.write_claim(waba, claim_before)
                    else:
                        client.remove_claim(waba)
                except WabaDestinationError:
                    pass  # a claim that does not hold the live destination is ignored
            raise error from None
        what = ours.describe() if ours else "no destination"
        return (
            f" The answer to {PUT_OPERATION} was lost ({error}), but the WABA shows "
            f"{what}, so the write landed."
        )


def _confirm(
    client: WabaClient, waba: str, ours: EventDestination, before: str
) -> dict[str, Any] | None:
    """Read the WABA after a Put that answered. A failed read is not a failed write:
    return None and record it. Another destination means someone wrote in between."""
    try:
        account = client.get(waba)
    except WabaDestinationError:
        return None
    live = destination_from_api(account.get("eventDestinations"))
    if live != ours:
        current = live.describe() if live else "no destination"
        raise WabaDestinationError(
            f"WABA {waba}: our {PUT_OPERATION} of {ours.describe()} succeeded, but the WABA "
            f"now sends its events to {current}: someone else changed it in between. The "
            f"WABA is left as it is now (before this change it had {before}) and this "
            "resource was not created. Find out who changed it, then run `pulumi up` again "
            "(with takeover true to replace their destination)."
        )
    return account


def _known(inputs: Mapping[str, Any]) -> bool:
    """Every input the reads and the decision need is known (not at a first preview
    whose destination comes from a resource not created yet)."""
    return all(
        not is_unknown(inputs.get(key))
        for key in (WABA_ID, EVENT_DESTINATION_ARN, ROLE_ARN, REGION, PROFILE, ASSUME_ROLE_ARN)
    ) and bool(inputs.get(WABA_ID) and inputs.get(REGION))


_check_apis: dict[tuple[str, Any], Any] = {}


def _check_client(props: Mapping[str, Any]) -> WabaClient:
    """A client for one check, sharing the botocore client of its session with every
    other check of the process: a preview checks each WABA, and making a client costs
    more than the two reads."""
    client = WabaClient.for_props(props)
    key = (client.region, client.session)  # the key keeps the session alive
    if key not in _check_apis:
        _check_apis[key] = client._api()
    client._client = _check_apis[key]
    return client


def _check_reading(props: Mapping[str, Any]) -> tuple[CheckReading, str]:
    """Get (twice when the first says not linked) and, with a destination, ListTags:
    at most 2 calls. A failed read is `unread`, never a refusal."""
    waba = str(props[WABA_ID])
    try:
        client = _check_client(props)
        account = client.find(waba)
        if account is None:
            return CheckReading(linked=False), ""
        live = destination_from_api(account.get("eventDestinations"))
        claim = client.claim(waba) if live is not None else None
    except WabaDestinationError:
        return CheckReading(unread=True), ""
    return CheckReading(live=live, claim=claim), str(account["arn"])


def _live_refusals(olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> tuple[list[Failure], str]:
    """The failures create or update would raise before writing, and the notice."""
    waba = str(inputs[WABA_ID])
    reading, waba_arn = _check_reading(inputs)
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

    check and diff make no AWS call. create, update, refresh and delete read the
    WABA's destination and its ownership claim (tags on the WABA), decide with the
    pure functions of `components.waba.decisions`, and act. The claim is written
    before the destination, so whenever our value is on the WABA, the claim naming
    us is already there.
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
        """Get, ListTags, then inherit, adopt, refuse, or verify + TagResource + Put
        + a confirming Get (at most 5 socialmessaging calls, one Put)."""
        props = with_defaults(props)
        waba = str(props[WABA_ID])
        desired = desired_from(props)
        client = WabaClient.for_props(props)
        account = client.get(waba)
        waba_arn = str(account["arn"])
        _refuse_out_of_scope(props, waba_arn)
        live = destination_from_api(account.get("eventDestinations"))
        claim = client.claim(waba)
        identity = _identity(props)
        try:
            plan = create_plan(desired, live, claim, identity, bool(props.get(TAKEOVER)), waba)
        except DestinationConflict as conflict:
            raise WabaDestinationError(str(conflict)) from None
        token = secrets.token_hex(16)
        notice = plan.notice
        if plan.claims:
            if plan.write:
                _verify_or_fail(client, desired, waba_arn, props)
            client.write_claim(
                waba,
                claim_for(
                    identity,
                    token,
                    desired,
                    plan.previous,
                    plan.previous_known,
                    plan.previous_claim,
                ),
            )
            if plan.write:
                lost = _put_or_read_back(client, waba, desired, claim, claimed=True)
                notice += lost
                if not lost:
                    confirmed = _confirm(client, waba, desired, describe(live))
                    if confirmed is None:
                        notice += (
                            f" WABA {waba}: the write of {desired.describe()} answered but "
                            "the read after it failed; run `pulumi refresh` to check it."
                        )
                    account = confirmed or account
        outs = {
            **inputs_of(props),
            **_account_outputs(account),
            **_plan_outputs(plan, desired, token),
            NOTICE: notice.strip(),
        }
        return dynamic.CreateResult(waba_arn, outs)

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        """Get and ListTags (2 calls). Reports the live destination in
        eventDestinationArn/roleArn, so drift shows, and carries what this resource
        applied over unchanged. A WABA read as not linked is read again before the
        resource is dropped from state."""
        props = with_defaults(props)
        if not props.get(REGION):
            # A bare `get` by id: the id is the WABA ARN, which carries its Region.
            arn = parse_arn(id_)
            props[REGION] = arn.region if arn else ""
        waba = str(props.get(WABA_ID) or id_)
        client = WabaClient.for_props(props)
        account = client.find(waba)
        if account is None:
            return dynamic.ReadResult("", {})
        live = destination_from_api(account.get("eventDestinations"))
        if has_prior_state(props):
            claim = client.claim(waba)
            applied = applied_from(props)
            token = str(props.get(CLAIM_TOKEN) or "")
            ownership = ownership_from(props)
            history = {
                **previous_outputs(previous_from(props), previous_known(props)),
                PREVIOUS_CLAIM: props.get(PREVIOUS_CLAIM) or {},
                ADOPTED: ownership == "adopted",
                **applied_outputs(applied),
                CLAIM_TOKEN: token,
                OWNERSHIP: ownership,
                NOTICE: refresh_notice(live, claim, applied, token, waba),
                VERSION: props.get(VERSION) or 1,
            }
        else:
            # `get` by id, without state: what is there is adopted, never owned.
            history = {
                **previous_outputs(live),
                PREVIOUS_CLAIM: {},
                ADOPTED: True,
                **applied_outputs(None),
                CLAIM_TOKEN: "",
                OWNERSHIP: "adopted",
                NOTICE: "",
                VERSION: STATE_VERSION,
            }
        inputs = {
            **inputs_of(props),
            WABA_ID: waba,
            EVENT_DESTINATION_ARN: live.arn if live else "",
            ROLE_ARN: live.role_arn if live else "",
        }
        outs = {**inputs, **history, **_account_outputs(account)}
        return dynamic.ReadResult(str(account["arn"]), outs, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        """Get, ListTags, then adopt, refuse, or verify + TagResource + Put (at most 4
        calls, one Put). A change of profile, assumeRoleArn, takeover or verify alone
        makes no call; a state without a claim token (an older version) is claimed."""
        olds = with_defaults(olds)
        news = with_defaults(news)
        applied = applied_from(olds)
        token = str(olds.get(CLAIM_TOKEN) or "")
        ownership = ownership_from(olds)
        kept: dict[str, Any] = {
            WABA_ARN: str(olds.get(WABA_ARN) or ""),
            WABA_NAME: str(olds.get(WABA_NAME) or ""),
            REGISTRATION_STATUS: str(olds.get(REGISTRATION_STATUS) or ""),
        }
        previous = previous_from(olds)
        known = previous_known(olds)
        prior = prior_from_state(olds.get(PREVIOUS_CLAIM))
        needs_claim = (
            ownership != "adopted"
            and applied is not None
            and (not token or _identity(olds) != _identity(news))
        )
        if not writes_destination(olds, news) and not needs_claim:
            return dynamic.UpdateResult(
                {
                    **inputs_of(news),
                    **kept,
                    **previous_outputs(previous, known),
                    PREVIOUS_CLAIM: prior_to_state(prior),
                    ADOPTED: ownership == "adopted",
                    **applied_outputs(applied),
                    CLAIM_TOKEN: token,
                    OWNERSHIP: ownership,
                    NOTICE: "",
                    VERSION: STATE_VERSION,
                }
            )
        waba = str(news[WABA_ID])
        desired = desired_from(news)
        client = WabaClient.for_props({**news, WABA_ARN: kept[WABA_ARN]})
        account = client.get(waba)
        waba_arn = str(account["arn"])
        _refuse_out_of_scope(news, waba_arn)
        live = destination_from_api(account.get("eventDestinations"))
        claim = client.claim(waba)
        if claim is not None and claim.holds(live) and token and claim.token == token:
            if claim.previous_known:  # handed over by a resource that left before us
                previous, known, prior = claim.previous, True, claim.previous_claim
        try:
            plan = update_plan(
                desired,
                live,
                claim,
                applied,
                token,
                ownership,
                previous,
                known,
                prior,
                bool(news.get(TAKEOVER)),
                waba,
            )
        except DestinationConflict as conflict:
            raise WabaDestinationError(str(conflict)) from None
        token = token or secrets.token_hex(16)
        notice = plan.notice
        if plan.claims:
            if plan.write:
                _verify_or_fail(client, desired, waba_arn, news)
            wanted = claim_for(
                _identity(news),
                token,
                desired,
                plan.previous,
                plan.previous_known,
                plan.previous_claim,
            )
            claimed = claim is None or claim.to_tags() != wanted.to_tags()
            if claimed:
                client.write_claim(waba, wanted)
            if plan.write:
                notice += _put_or_read_back(client, waba, desired, claim, claimed)
        return dynamic.UpdateResult(
            {
                **inputs_of(news),
                **_account_outputs(account),
                **_plan_outputs(plan, desired, token),
                # Kept when this resource now adopts: a resource that took the WABA over
                # from it names this token, and is handed what it found on delete.
                CLAIM_TOKEN: token if plan.claims or olds.get(CLAIM_TOKEN) else "",
                NOTICE: notice.strip(),
            }
        )

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Get, ListTags, then at most one Put and one TagResource/UntagResource (at
        most 4 calls): only while the WABA's destination is this resource's, put back
        what it had before (and whose claim it was), or clear it."""
        props = with_defaults(props)
        waba = str(props.get(WABA_ID) or id_)
        client = WabaClient.for_props(props)
        account = client.find(waba)
        if account is None:
            pulumi.log.warn(
                f"WABA {waba} left as it is: it is no longer linked in {props[REGION]}."
            )
            return
        live = destination_from_api(account.get("eventDestinations"))
        claim = client.claim(waba) if live is not None else None
        action = delete_action(
            live,
            claim,
            applied_from(props),
            str(props.get(CLAIM_TOKEN) or ""),
            previous_from(props),
            previous_known(props),
            prior_from_state(props.get(PREVIOUS_CLAIM)),
            waba,
        )
        if action.kind == "leave" or live is None:
            if action.hand_over is not None:
                client.write_claim(waba, action.hand_over)
            pulumi.log.warn(action.reason)
            return
        # Never DisassociateWhatsAppBusinessAccount: unlinking is a console decision.
        try:
            _put_or_read_back(client, waba, action.restore)
        except WabaDestinationError as error:
            raise WabaDestinationError(
                stuck_delete_message(str(error), waba, client.region, live, action.restore)
            ) from None
        if action.owns_claim:
            if action.claim_after is not None and action.restore is not None:
                client.write_claim(waba, restored(action.claim_after, action.restore))
            else:
                client.remove_claim(waba)
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
