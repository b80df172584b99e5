"""WabaEventDestination: a WhatsApp Business Account's event destination, as a Pulumi
dynamic resource over the `socialmessaging` API.

Pulumi's AWS provider has no resource for it. The provider below is pickled by
reference (this module must stay importable as `components.waba_destination` from the
project root, where the engine starts `python -m pulumi.dynamic`), holds no state, and
builds its boto3 client inside each method, so nothing from the deployer's environment
(keys, tokens, sessions) is ever serialised into the stack's state.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
import pulumi
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    ParamValidationError,
    ProfileNotFound,
)
from pulumi import dynamic

from components import preflight
from components.waba_destination_rules import (
    ADOPTED,
    APPLIED_EVENT_DESTINATION_ARN,
    APPLIED_ROLE_ARN,
    ASSUME_ROLE_ARN,
    EVENT_DESTINATION_ARN,
    INPUTS,
    PREVIOUS_EVENT_DESTINATION_ARN,
    PREVIOUS_ROLE_ARN,
    PROFILE,
    PUT_OPERATION,
    REGION,
    REGISTRATION_STATUS,
    ROLE_ARN,
    SERVICE_PRINCIPAL,
    TAKEOVER,
    VERIFY,
    WABA_ARN,
    WABA_ID,
    WABA_NAME,
    DestinationConflict,
    EventDestination,
    adoption_warning,
    applied_from_props,
    applied_outputs,
    check_inputs,
    create_action,
    delete_action,
    destination_from_api,
    destination_from_props,
    has_prior_state,
    live_failures,
    parse_arn,
    plan_diff,
    previous_from_props,
    stuck_delete_message,
    update_action,
    waba_resource_arn,
    with_defaults,
    writes_destination,
)

# botocore's standard retry mode retries ThrottledRequestException (429, modelled
# retryable), DependencyException (502) and InternalServiceException (500) with
# exponential backoff and jitter. Five attempts in all (the first and four retries)
# ride out a short burst of throttling.
DEFAULT_MAX_ATTEMPTS = 5
CONNECT_TIMEOUT_SECONDS: float = 10
READ_TIMEOUT_SECONDS: float = 60
ROLE_SESSION_NAME = "pulumi-waba-event-destination"
_NOT_FOUND = "ResourceNotFoundException"
_ACCESS_DENIED = {"AccessDeniedException", "AccessDenied"}


class WabaDestinationError(Exception):
    """A failure of a WABA event destination operation, in one message that says
    what failed and how to fix it; it never carries credentials."""


def max_attempts() -> int:
    """Total attempts per call: AWS_MAX_ATTEMPTS when set, as for the AWS CLI."""
    raw = os.environ.get("AWS_MAX_ATTEMPTS") or str(DEFAULT_MAX_ATTEMPTS)
    if not raw.isdigit() or int(raw) < 1:
        raise WabaDestinationError(
            f"AWS_MAX_ATTEMPTS: received {raw!r}; expected a whole number of attempts "
            "such as 5. Fix or unset it."
        )
    return int(raw)


def client_config() -> Config:
    """Standard retries and explicit timeouts for every client."""
    attempts = max_attempts()
    return Config(
        retries={"mode": "standard", "total_max_attempts": attempts},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
    )


def aws_session(props: Mapping[str, Any]) -> boto3.session.Session:
    """A session with the same identity as the stack's aws provider: the standard
    credential chain or `profile`, then `assumeRoleArn` if set. Built per call and
    never stored."""
    region = str(props[REGION])
    profile = props.get(PROFILE) or None
    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
    except ProfileNotFound:
        raise WabaDestinationError(
            f"profile: received {profile!r}, which is not in the AWS config or credentials "
            "file of the machine that runs pulumi; set profile to an existing profile or "
            "remove it to use the standard credential chain."
        ) from None
    assume_role_arn = props.get(ASSUME_ROLE_ARN) or ""
    if not assume_role_arn:
        return session
    sts = session.client("sts", region_name=region, config=client_config())
    try:
        credentials = sts.assume_role(RoleArn=assume_role_arn, RoleSessionName=ROLE_SESSION_NAME)[
            "Credentials"
        ]
    except ClientError as error:
        raise WabaDestinationError(
            f"assumeRoleArn: could not assume {assume_role_arn}: {_code(error)}: "
            f"{_message(error)}. Let the deploying identity sts:AssumeRole it and the role "
            "trust that identity, or fix assumeRoleArn."
        ) from None
    except NoCredentialsError:
        raise _no_credentials() from None
    except BotoCoreError as error:
        raise WabaDestinationError(
            f"assumeRoleArn: could not assume {assume_role_arn}: {error}"
        ) from None
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


def _no_credentials() -> WabaDestinationError:
    return WabaDestinationError(
        "no AWS credentials found: set profile (or AWS_PROFILE) on the machine that runs "
        "pulumi, or use the standard credential chain (SSO, instance or container role)."
    )


def required_permissions(operation: str, resource: str, passed_role: str = "") -> list[str]:
    """The IAM permissions an operation needs, for an AccessDenied message: the
    social-messaging action on the WABA, and iam:PassRole when a role is passed."""
    needed = [f"social-messaging:{operation} on {resource}"]
    if passed_role:
        needed.append(
            f"iam:PassRole on {passed_role} with condition iam:PassedToService = "
            f"{SERVICE_PRINCIPAL}"
        )
    return needed


def describe_failure(
    error: ClientError,
    operation: str,
    region: str,
    waba: str,
    resource: str,
    passed_role: str = "",
) -> WabaDestinationError:
    """One clear message for a call that failed for good (retries are over); `resource`
    is the WABA as the IAM resource the missing permission is on (its ARN form)."""
    code, message = _code(error), _message(error)
    text = f"{operation} for WABA {waba} in {region} failed: {code}: {message}"
    if code in _ACCESS_DENIED:
        text += (
            ". The deploying identity needs "
            + "; ".join(required_permissions(operation, resource, passed_role))
            + "."
        )
    elif code == _NOT_FOUND:
        text += (
            f". No WABA {waba} is linked to this account in {region}; link it in "
            "the AWS End User Messaging Social console, or fix wabaId and region."
        )
    return WabaDestinationError(text)


@dataclass
class WabaClient:
    """The two socialmessaging calls this resource makes, with errors turned into one
    message. Built from the properties of each operation, never kept."""

    region: str
    session: boto3.session.Session
    # The WABA's ARN once read, so permission messages can name the exact resource.
    waba_arn: str = ""
    _client: Any = None

    @classmethod
    def for_props(cls, props: Mapping[str, Any]) -> WabaClient:
        """A client for the WABA of these properties; the WABA ARN already in state (if
        any) names the resource in permission messages before the first read."""
        known = props.get(WABA_ARN)
        return cls(str(props[REGION]), aws_session(props), str(known) if known else "")

    def _call(
        self,
        operation: str,
        waba: str,
        missing_ok: bool = False,
        passed_role: str = "",
        **params: Any,
    ) -> dict[str, Any] | None:
        if self._client is None:
            self._client = self.session.client(
                "socialmessaging", region_name=self.region, config=client_config()
            )
        method = getattr(self._client, xform_name(operation))
        try:
            return dict(method(**params))
        except ClientError as error:
            if missing_ok and _code(error) == _NOT_FOUND:
                return None
            resource = waba_resource_arn(waba, self.region, self.waba_arn)
            raise describe_failure(
                error, operation, self.region, waba, resource, passed_role
            ) from None
        except NoCredentialsError:
            raise _no_credentials() from None
        except ParamValidationError as error:
            raise WabaDestinationError(f"{operation} for WABA {waba}: {error}") from None
        except BotoCoreError as error:
            raise WabaDestinationError(
                f"{operation} for WABA {waba} in {self.region} failed: {error}"
            ) from None

    def get(self, waba: str) -> dict[str, Any]:
        """The linked WABA (GetLinkedWhatsAppBusinessAccount); fails when not linked."""
        answer = self._call("GetLinkedWhatsAppBusinessAccount", waba, id=waba)
        assert answer is not None
        self.waba_arn = str(answer["account"]["arn"])
        return dict(answer["account"])

    def find(self, waba: str) -> dict[str, Any] | None:
        """The linked WABA, or None when it is not linked (any more)."""
        answer = self._call("GetLinkedWhatsAppBusinessAccount", waba, missing_ok=True, id=waba)
        if answer is None:
            return None
        self.waba_arn = str(answer["account"]["arn"])
        return dict(answer["account"])

    def put(self, waba: str, destination: EventDestination | None) -> None:
        """Replace the WABA's destination list: one item, or none to clear it."""
        items = [destination.to_api()] if destination else []
        self._call(
            PUT_OPERATION,
            waba,
            passed_role=destination.role_arn if destination else "",
            id=waba,
            eventDestinations=items,
        )


def _account_outputs(account: Mapping[str, Any]) -> dict[str, Any]:
    return {
        WABA_ARN: str(account["arn"]),
        WABA_NAME: str(account.get("wabaName", "")),
        REGISTRATION_STATUS: str(account.get("registrationStatus", "")),
    }


def _history_of(props: Mapping[str, Any]) -> dict[str, Any]:
    """What the WABA had before this resource first wrote: kept for delete."""
    return {
        PREVIOUS_EVENT_DESTINATION_ARN: str(props.get(PREVIOUS_EVENT_DESTINATION_ARN) or ""),
        PREVIOUS_ROLE_ARN: str(props.get(PREVIOUS_ROLE_ARN) or ""),
        ADOPTED: bool(props.get(ADOPTED, False)),
    }


def _inputs_of(props: Mapping[str, Any]) -> dict[str, Any]:
    filled = with_defaults(props)
    return {key: filled.get(key) for key in INPUTS}


def _confirm(
    client: WabaClient,
    waba: str,
    ours: EventDestination,
    previous: EventDestination | None,
) -> dict[str, Any] | None:
    """Read the WABA after a Put that succeeded. When the read itself fails, the write
    most likely landed: warn and return None, so the caller records it (state then
    matches the likely truth and delete can undo it). When the read shows another
    destination, someone wrote in between: fail, and leave the WABA as it is now."""
    try:
        account = client.get(waba)
    except WabaDestinationError as error:
        pulumi.log.warn(
            f"WABA {waba}: {PUT_OPERATION} of {ours.describe()} succeeded but could not be "
            f"confirmed, because the read after it failed: {error}. Recording "
            f"{ours.describe()} as set by this resource; run `pulumi refresh` to check the "
            "WABA's live destination."
        )
        return None
    live = destination_from_api(account.get("eventDestinations"))
    if live != ours:
        current = live.describe() if live else "no destination"
        before = previous.describe() if previous else "no destination"
        raise WabaDestinationError(
            f"WABA {waba}: our {PUT_OPERATION} of {ours.describe()} succeeded, but the WABA "
            f"now sends its events to {current}: someone else changed it in between. The "
            f"WABA is left as it is now (before this change it had {before}) and this "
            "resource was not created. Find out who changed it, then run `pulumi up` again "
            "(with takeover true to replace their destination)."
        )
    return account


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
        raise WabaDestinationError(
            f"verify for WABA {waba_arn} failed: {_code(error)}: {_message(error)}. Set "
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
    """The live WABA's account may differ from what the inputs implied."""
    failures = live_failures(props, waba_arn)
    if failures:
        raise WabaDestinationError(
            "; ".join(f"{failure.property}: {failure.reason}" for failure in failures)
        )


class WabaEventDestinationProvider(dynamic.ResourceProvider):
    """Create, read, update and delete a WABA's event destination safely.

    No method calls AWS in check or diff; create and update read the WABA and refuse to
    overwrite someone else's destination before they write; state records what this
    resource last wrote or adopted (`appliedEventDestinationArn`/`appliedRoleArn`),
    which only create and update move; delete only undoes that.
    """

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        inputs, failures = check_inputs(news)
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
        """Get, then adopt, refuse, or verify + Put + a confirming Get (at most 3
        socialmessaging calls)."""
        props = with_defaults(props)
        waba = str(props[WABA_ID])
        ours = destination_from_props(props)
        client = WabaClient.for_props(props)
        account = client.get(waba)
        waba_arn = str(account["arn"])
        _refuse_out_of_scope(props, waba_arn)
        live = destination_from_api(account.get("eventDestinations"))
        try:
            action = create_action(live, ours, bool(props.get(TAKEOVER)), waba)
        except DestinationConflict as conflict:
            raise WabaDestinationError(str(conflict)) from None
        if action == "adopt":
            pulumi.log.warn(adoption_warning(waba, ours))
        else:
            _verify_or_fail(client, ours, waba_arn, props)
            if live is not None:
                pulumi.log.warn(
                    f"WABA {waba}: takeover is true, replacing event destination "
                    f"{live.describe()} with {ours.describe()}; delete puts it back."
                )
            client.put(waba, ours)
            account = _confirm(client, waba, ours, live) or account
        outs = {
            **_inputs_of(props),
            **_account_outputs(account),
            PREVIOUS_EVENT_DESTINATION_ARN: live.arn if live else "",
            PREVIOUS_ROLE_ARN: live.role_arn if live else "",
            ADOPTED: action == "adopt",
            **applied_outputs(ours),
        }
        return dynamic.CreateResult(waba_arn, outs)

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        """One Get. Reports the live destination in eventDestinationArn/roleArn, so
        drift shows, and carries what this resource applied over unchanged: a refresh
        must never make delete take someone else's destination for ours. Without prior
        state (`pulumi import`, `get`) the live destination is recorded as adopted, so
        destroy leaves it where it was."""
        props = with_defaults(props)
        if not props.get(REGION):
            # A bare `get` by id: the id is the WABA ARN, which carries its Region.
            arn = parse_arn(id_)
            props[REGION] = arn.region if arn else ""
        waba = str(props.get(WABA_ID) or id_)
        account = WabaClient.for_props(props).find(waba)
        if account is None:
            return dynamic.ReadResult("", {})
        live = destination_from_api(account.get("eventDestinations"))
        if has_prior_state(props):
            history = {**_history_of(props), **applied_outputs(applied_from_props(props))}
        else:
            history = {
                PREVIOUS_EVENT_DESTINATION_ARN: live.arn if live else "",
                PREVIOUS_ROLE_ARN: live.role_arn if live else "",
                ADOPTED: True,
                **applied_outputs(live),
            }
        inputs = {
            **_inputs_of(props),
            WABA_ID: waba,
            EVENT_DESTINATION_ARN: live.arn if live else "",
            ROLE_ARN: live.role_arn if live else "",
        }
        outs = {**inputs, **history, **_account_outputs(account)}
        return dynamic.ReadResult(str(account["arn"]), outs, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        """Get, then verify + Put (at most 2 socialmessaging calls). The Get before
        writing replaces a read-back: it is what keeps update from overwriting a
        destination someone else set since (which needs takeover, as in create), and
        within two calls that is worth more than confirming the write afterwards. The
        previous destination stays what the WABA had before this resource first wrote."""
        olds = with_defaults(olds)
        news = with_defaults(news)
        applied = applied_from_props(olds)
        kept = {
            **_history_of(olds),
            WABA_ARN: str(olds.get(WABA_ARN) or ""),
            WABA_NAME: str(olds.get(WABA_NAME) or ""),
            REGISTRATION_STATUS: str(olds.get(REGISTRATION_STATUS) or ""),
        }
        if not writes_destination(olds, news):
            return dynamic.UpdateResult({**_inputs_of(news), **kept, **applied_outputs(applied)})
        waba = str(news[WABA_ID])
        ours = destination_from_props(news)
        client = WabaClient.for_props({**news, WABA_ARN: kept[WABA_ARN]})
        account = client.get(waba)
        waba_arn = str(account["arn"])
        _refuse_out_of_scope(news, waba_arn)
        live = destination_from_api(account.get("eventDestinations"))
        try:
            action = update_action(live, applied, ours, bool(news.get(TAKEOVER)), waba)
        except DestinationConflict as conflict:
            raise WabaDestinationError(str(conflict)) from None
        _verify_or_fail(client, ours, waba_arn, news)
        if action == "takeover" and live is not None:
            pulumi.log.warn(
                f"WABA {waba}: takeover is true, replacing event destination "
                f"{live.describe()}, which someone else set, with {ours.describe()}; it is "
                "not put back on delete."
            )
        client.put(waba, ours)
        return dynamic.UpdateResult(
            {**_inputs_of(news), **kept, **_account_outputs(account), **applied_outputs(ours)}
        )

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Get, then at most one Put: only while the live destination is still the one
        this resource last wrote or adopted, put back what the WABA had before (or
        clear it). A restore that fails is never followed by a clear: the error says how
        to get out instead."""
        props = with_defaults(props)
        waba = str(props.get(WABA_ID) or id_)
        client = WabaClient.for_props(props)
        account = client.find(waba)
        if account is None:
            pulumi.log.warn(
                f"WABA {waba} is no longer linked in {props[REGION]}; nothing to remove."
            )
            return
        live = destination_from_api(account.get("eventDestinations"))
        action = delete_action(live, applied_from_props(props), previous_from_props(props), waba)
        if action.kind == "leave" or live is None:  # no live destination: always "leave"
            pulumi.log.warn(action.reason)
            return
        pulumi.log.info(action.reason)
        # Never DisassociateWhatsAppBusinessAccount: unlinking is a console decision.
        try:
            client.put(waba, action.restore)
        except WabaDestinationError as error:
            raise WabaDestinationError(
                stuck_delete_message(str(error), waba, client.region, live, action.restore)
            ) from None


@dataclass(frozen=True)
class WabaEventDestinationArgs:
    """Inputs of WabaEventDestination.

    waba_id: `waba-...` or the WABA ARN. event_destination_arn: a standard SNS topic or
    an Amazon Connect instance ARN. role_arn: the Connect channel role (refused for
    SNS). region: the WABA's Region. profile / assume_role_arn: act as the stack's aws
    provider does (never static keys). takeover: replace a destination someone else
    set. verify: run the pre-flight checks before writing.
    """

    waba_id: pulumi.Input[str]
    event_destination_arn: pulumi.Input[str]
    region: pulumi.Input[str]
    role_arn: pulumi.Input[str] | None = None
    profile: pulumi.Input[str] | None = None
    assume_role_arn: pulumi.Input[str] | None = None
    takeover: pulumi.Input[bool] = False
    verify: pulumi.Input[bool] = True


# State keeps the API's camelCase keys; Python attributes are snake_case.
_STATE_KEYS = {
    "waba_id": WABA_ID,
    "event_destination_arn": EVENT_DESTINATION_ARN,
    "role_arn": ROLE_ARN,
    "region": REGION,
    "profile": PROFILE,
    "assume_role_arn": ASSUME_ROLE_ARN,
    "takeover": TAKEOVER,
    "verify": VERIFY,
    "waba_arn": WABA_ARN,
    "waba_name": WABA_NAME,
    "registration_status": REGISTRATION_STATUS,
    "previous_event_destination_arn": PREVIOUS_EVENT_DESTINATION_ARN,
    "previous_role_arn": PREVIOUS_ROLE_ARN,
    "adopted": ADOPTED,
    "applied_event_destination_arn": APPLIED_EVENT_DESTINATION_ARN,
    "applied_role_arn": APPLIED_ROLE_ARN,
}
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
    waba_arn: pulumi.Output[str]
    waba_name: pulumi.Output[str]
    registration_status: pulumi.Output[str]
    previous_event_destination_arn: pulumi.Output[str]
    previous_role_arn: pulumi.Output[str]
    adopted: pulumi.Output[bool]
    applied_event_destination_arn: pulumi.Output[str]
    applied_role_arn: pulumi.Output[str]

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
        )
        super().__init__(WabaEventDestinationProvider(), resource_name, props, opts)

    def translate_input_property(self, prop: str) -> str:
        return _STATE_KEYS.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        return _ATTRIBUTES.get(prop, prop)


__all__ = [
    "WabaDestinationError",
    "WabaEventDestination",
    "WabaEventDestinationArgs",
    "WabaEventDestinationProvider",
]
