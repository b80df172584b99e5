"""Pure rules for a WABA's event destination: ARN parsing, input checks, diff and the
decisions create, update and delete take. No AWS call happens here, so `pulumi preview` can
run every rule and the tests can prove them without a network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import botocore.session
from botocore.exceptions import UnknownRegionError
from botocore.model import Shape
from pulumi.output import Unknown

from components.arns import Arn, parse_arn

# The engine sends this string for a value that is not known yet (at preview).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SERVICE_PRINCIPAL = "social-messaging.amazonaws.com"
SERVICE_NAME = "socialmessaging"
PUT_OPERATION = "PutWhatsAppBusinessAccountEventDestinations"

# Property keys as they are stored in Pulumi state.
WABA_ID = "wabaId"
EVENT_DESTINATION_ARN = "eventDestinationArn"
ROLE_ARN = "roleArn"
REGION = "region"
PROFILE = "profile"
ASSUME_ROLE_ARN = "assumeRoleArn"
TAKEOVER = "takeover"
VERIFY = "verify"
WABA_ARN = "wabaArn"
WABA_NAME = "wabaName"
REGISTRATION_STATUS = "registrationStatus"
PREVIOUS_EVENT_DESTINATION_ARN = "previousEventDestinationArn"
PREVIOUS_ROLE_ARN = "previousRoleArn"
ADOPTED = "adopted"
# What this resource last wrote to the WABA, or adopted: the destination delete may
# undo. Refresh reports the live destination in eventDestinationArn/roleArn (drift) but
# never moves these, so a destination someone else set since is never mistaken for ours.
APPLIED_EVENT_DESTINATION_ARN = "appliedEventDestinationArn"
APPLIED_ROLE_ARN = "appliedRoleArn"

STRING_INPUTS = (WABA_ID, EVENT_DESTINATION_ARN, ROLE_ARN, REGION, PROFILE, ASSUME_ROLE_ARN)
BOOLEAN_INPUTS = (TAKEOVER, VERIFY)
INPUTS = STRING_INPUTS + BOOLEAN_INPUTS
OUTPUTS = INPUTS + (
    WABA_ARN,
    WABA_NAME,
    REGISTRATION_STATUS,
    PREVIOUS_EVENT_DESTINATION_ARN,
    PREVIOUS_ROLE_ARN,
    ADOPTED,
    APPLIED_EVENT_DESTINATION_ARN,
    APPLIED_ROLE_ARN,
)
REQUIRED_INPUTS = (WABA_ID, EVENT_DESTINATION_ARN, REGION)
DEFAULTS: Mapping[str, Any] = {
    ROLE_ARN: "",
    PROFILE: "",
    ASSUME_ROLE_ARN: "",
    TAKEOVER: False,
    VERIFY: True,
}
# The engine's own bookkeeping key; never validated or reported as unknown.
PROVIDER_KEY = "__provider"

_REGION_FORMAT = re.compile(r"^[a-z]{2,4}(-[a-z]+)+-\d+$")
# SNS topic names: letters, digits, hyphens and underscores, 1 to 256 characters.
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}(\.fifo)?$")
_CONNECT_INSTANCE = re.compile(r"^instance/[A-Za-z0-9-]+$")

WABA_ID_HINT = (
    "copy the id (waba-...) or the ARN from the AWS End User Messaging Social console, "
    "WhatsApp business accounts, or from "
    "`aws socialmessaging list-linked-whatsapp-business-accounts`"
)


def is_unknown(value: Any) -> bool:
    """True for a value the engine will only know after an earlier resource is created:
    the sentinel string on the wire, or `pulumi.output.Unknown` once the dynamic
    provider host has deserialised it."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


@lru_cache(maxsize=1)
def _botocore_session() -> botocore.session.Session:
    """One botocore session for model and partition data (it holds no credentials
    until asked, and is never pickled: the provider refers to this module by name)."""
    return botocore.session.get_session()


@lru_cache(maxsize=64)
def partition_of_region(region: str) -> str | None:
    """The partition a Region belongs to, from botocore's partition data, so that no
    partition name is hard-coded."""
    try:
        return str(_botocore_session().get_partition_for_region(region))
    except UnknownRegionError:
        return None


@lru_cache(maxsize=1)
def _put_members() -> dict[str, Shape]:
    """The members of the Put request and of one event destination, from botocore's
    model of the service: the single source of truth for patterns and lengths."""
    model = _botocore_session().get_service_model(SERVICE_NAME)
    request = model.operation_model(PUT_OPERATION).input_shape
    destination = request.members["eventDestinations"].member
    return {
        WABA_ID: request.members["id"],
        EVENT_DESTINATION_ARN: destination.members["eventDestinationArn"],
        ROLE_ARN: destination.members["roleArn"],
    }


def model_shape(prop: str) -> Shape:
    """The botocore shape that constrains an input property."""
    return _put_members()[prop]


def model_violation(shape: Shape, value: str) -> str | None:
    """Why a string breaks its model constraints, or None. Smithy patterns are not
    anchored (ECMA semantics), hence `re.search`."""
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and len(value) < low:
        return f"is shorter than {low} characters"
    if high is not None and len(value) > high:
        return f"is longer than {high} characters"
    pattern = shape.metadata.get("pattern")
    if pattern is not None and re.search(pattern, value) is None:
        return f"does not match the service's pattern {pattern!r} ({shape.name})"
    return None


@dataclass(frozen=True)
class Failure:
    """One refused property and a reason that says how to fix it."""

    property: str
    reason: str


@dataclass(frozen=True)
class WabaScope:
    """Where the WABA lives, as far as the inputs tell: partition and Region always,
    the account only when the WABA is given as an ARN (or read from AWS)."""

    partition: str | None
    region: str | None
    account: str | None


def waba_scope(waba_id: Any, region: Any) -> WabaScope:
    """The WABA's partition, Region and account from its ARN, else from `region`."""
    if isinstance(waba_id, str) and not is_unknown(waba_id):
        arn = parse_arn(waba_id)
        if arn is not None:
            return WabaScope(arn.partition, arn.region, arn.account)
    if isinstance(region, str) and not is_unknown(region) and region:
        return WabaScope(partition_of_region(region), region, None)
    return WabaScope(None, None, None)


def with_defaults(news: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs with every optional one filled, so state always has every key."""
    filled = dict(news)
    for key, value in DEFAULTS.items():
        if filled.get(key) is None:
            filled[key] = value
    return filled


def _check_type(prop: str, value: Any) -> Failure | None:
    if prop in BOOLEAN_INPUTS:
        if not isinstance(value, bool):
            return Failure(
                prop, f"received {value!r}; expected true or false. Set {prop} to a boolean."
            )
        return None
    if not isinstance(value, str):
        return Failure(prop, f"received {value!r}; expected a string. Set {prop} to a string.")
    if value != value.strip() or any(c.isspace() for c in value):
        return Failure(
            prop, f"received {value!r}, which contains whitespace; remove the whitespace."
        )
    return None


def check_waba_id(waba_id: str, region: Any) -> list[Failure]:
    """The WABA id matches the model, and its ARN form names this service and the
    Region the resource acts in."""
    problem = model_violation(model_shape(WABA_ID), waba_id)
    if problem is not None:
        return [
            Failure(
                WABA_ID,
                f"received {waba_id!r}, which {problem}; expected 'waba-<id>' or "
                f"'arn:<partition>:social-messaging:<region>:<account>:waba/<id>'. "
                f"Fix: {WABA_ID_HINT}.",
            )
        ]
    arn = parse_arn(waba_id)
    if waba_id.startswith("arn:"):
        if arn is None or arn.service != "social-messaging" or not arn.region:
            return [
                Failure(
                    WABA_ID,
                    f"received {waba_id!r}; expected a WABA ARN "
                    "'arn:<partition>:social-messaging:<region>:<account>:waba/<id>'. "
                    f"Fix: {WABA_ID_HINT}.",
                )
            ]
        if isinstance(region, str) and not is_unknown(region) and region != arn.region:
            return [
                Failure(
                    REGION,
                    f"received {region!r}, but wabaId {waba_id!r} is a WABA in "
                    f"{arn.region!r}; a WABA is linked to one Region. Set region to "
                    f"{arn.region!r}.",
                )
            ]
    return []


def check_region(region: str) -> list[Failure]:
    """The Region is well formed and belongs to a known partition."""
    if not _REGION_FORMAT.match(region) or partition_of_region(region) is None:
        return [
            Failure(
                REGION,
                f"received {region!r}; expected an AWS Region code such as 'eu-west-1' "
                "where the WABA is linked. Set region to the WABA's Region.",
            )
        ]
    return []


def _scope_failures(prop: str, value: str, arn: Arn, scope: WabaScope, what: str) -> list[Failure]:
    """A destination or role in another partition, Region or account than the WABA
    cannot receive its events."""
    failures = []
    if scope.partition is not None and arn.partition != scope.partition:
        failures.append(
            Failure(
                prop,
                f"received {value!r} in partition {arn.partition!r}, but the WABA is in "
                f"partition {scope.partition!r}; use {what} in {scope.partition!r}.",
            )
        )
    if arn.region and scope.region is not None and arn.region != scope.region:
        failures.append(
            Failure(
                prop,
                f"received {value!r} in Region {arn.region!r}, but the WABA is in "
                f"{scope.region!r}; use {what} in {scope.region!r}.",
            )
        )
    if scope.account is not None and arn.account != scope.account:
        failures.append(
            Failure(
                prop,
                f"received {value!r} in account {arn.account!r}, but the WABA is in "
                f"account {scope.account!r}; use {what} in account {scope.account!r}.",
            )
        )
    return failures


def check_destination(value: str, role_arn: Any, scope: WabaScope) -> list[Failure]:
    """The destination is a standard SNS topic or a Connect instance ARN, in the WABA's
    partition, Region and account, with a role exactly when it is Connect."""
    problem = model_violation(model_shape(EVENT_DESTINATION_ARN), value)
    arn = parse_arn(value)
    expected = (
        "expected an SNS topic ARN 'arn:<partition>:sns:<region>:<account>:<topic>' or an "
        "Amazon Connect instance ARN "
        "'arn:<partition>:connect:<region>:<account>:instance/<instance-id>'"
    )
    if problem is not None or arn is None:
        reason = problem or "is not an ARN"
        return [Failure(EVENT_DESTINATION_ARN, f"received {value!r}, which {reason}; {expected}.")]
    has_role = isinstance(role_arn, str) and role_arn != "" and not is_unknown(role_arn)
    failures: list[Failure] = []
    if arn.service == "sns":
        if arn.resource.endswith(".fifo"):
            failures.append(
                Failure(
                    EVENT_DESTINATION_ARN,
                    f"received {value!r}, a FIFO topic; AWS End User Messaging Social only "
                    "publishes to standard topics. Use a standard topic (no .fifo suffix, "
                    "fifoTopic false).",
                )
            )
        elif not _TOPIC_NAME.match(arn.resource):
            failures.append(
                Failure(
                    EVENT_DESTINATION_ARN,
                    f"received {value!r}, which is not a topic ARN (a subscription ARN has "
                    f"a ':<id>' suffix); {expected}.",
                )
            )
        if has_role:
            failures.append(
                Failure(
                    ROLE_ARN,
                    f"received {role_arn!r} with an SNS topic destination; SNS delivery is "
                    "authorised by the topic policy, not a role. Remove roleArn.",
                )
            )
    elif arn.service == "connect":
        if not _CONNECT_INSTANCE.match(arn.resource):
            failures.append(
                Failure(
                    EVENT_DESTINATION_ARN,
                    f"received {value!r}, which is not a Connect instance ARN; {expected}.",
                )
            )
        if not has_role and not is_unknown(role_arn):
            failures.append(
                Failure(
                    ROLE_ARN,
                    "received no roleArn with an Amazon Connect destination; Connect needs "
                    "the two-way channel role that trusts social-messaging.amazonaws.com. "
                    "Set roleArn to that role's ARN.",
                )
            )
    else:
        return [
            Failure(
                EVENT_DESTINATION_ARN,
                f"received {value!r}, an ARN of service {arn.service!r}; {expected}.",
            )
        ]
    return failures + _scope_failures(EVENT_DESTINATION_ARN, value, arn, scope, "a destination")


def check_role(prop: str, value: str, scope: WabaScope, same_account: bool) -> list[Failure]:
    """An IAM role ARN that matches the model; the channel role must also live in the
    WABA's partition and account (a role can only be passed within its account)."""
    problem = model_violation(model_shape(ROLE_ARN), value)
    arn = parse_arn(value)
    if problem is not None or arn is None:
        return [
            Failure(
                prop,
                f"received {value!r}, which {problem or 'is not an ARN'}; expected an IAM "
                "role ARN 'arn:<partition>:iam::<account>:role/<name>'.",
            )
        ]
    # The deploying identity may sit in another account; only the partition must match.
    role_scope = scope if same_account else WabaScope(scope.partition, None, None)
    return _scope_failures(prop, value, arn, role_scope, "a role")


def check_inputs(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """Validate the inputs without calling AWS: one failure per bad property, unknown
    values let through. Returns the inputs with defaults filled."""
    inputs = with_defaults(news)
    failures: list[Failure] = []
    for key in sorted(set(inputs) - set(INPUTS) - set(OUTPUTS) - {PROVIDER_KEY}):
        failures.append(
            Failure(
                key,
                f"is not a property of WabaEventDestination; expected only {', '.join(INPUTS)}. "
                "Credentials are never inputs: use profile or assumeRoleArn. Remove "
                f"{key}.",
            )
        )
    for key in REQUIRED_INPUTS:
        if inputs.get(key) in (None, ""):
            failures.append(Failure(key, f"is required; set {key}."))
    usable: dict[str, Any] = {}
    for key in INPUTS:
        value = inputs.get(key)
        if value is None or is_unknown(value) or (value == "" and key in REQUIRED_INPUTS):
            continue
        failure = _check_type(key, value)
        if failure is not None:
            failures.append(failure)
        else:
            usable[key] = value
    region = usable.get(REGION)
    if region:
        failures += check_region(region)
    if WABA_ID in usable:
        failures += check_waba_id(usable[WABA_ID], inputs.get(REGION))
    scope = waba_scope(usable.get(WABA_ID), region)
    if usable.get(EVENT_DESTINATION_ARN):
        failures += check_destination(usable[EVENT_DESTINATION_ARN], inputs.get(ROLE_ARN), scope)
    if usable.get(ROLE_ARN):
        failures += check_role(ROLE_ARN, usable[ROLE_ARN], scope, same_account=True)
    if usable.get(ASSUME_ROLE_ARN):
        failures += check_role(ASSUME_ROLE_ARN, usable[ASSUME_ROLE_ARN], scope, same_account=False)
    return inputs, _one_per_property(failures)


def _one_per_property(failures: list[Failure]) -> list[Failure]:
    """Keep the first failure of each property: the engine shows one line per property,
    and the first is the most basic problem."""
    seen: set[str] = set()
    kept = []
    for failure in failures:
        if failure.property not in seen:
            seen.add(failure.property)
            kept.append(failure)
    return kept


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


def destination_from_api(items: list[dict[str, Any]] | None) -> EventDestination | None:
    """The live destination from the API's 0-or-1 item list."""
    if not items:
        return None
    item = items[0]
    return EventDestination(str(item["eventDestinationArn"]), str(item.get("roleArn") or ""))


def destination_from_props(props: Mapping[str, Any]) -> EventDestination:
    """The destination the resource wants (or set), from its properties."""
    return EventDestination(str(props[EVENT_DESTINATION_ARN]), str(props.get(ROLE_ARN) or ""))


def previous_from_props(props: Mapping[str, Any]) -> EventDestination | None:
    """What the WABA had before this resource first wrote, from state."""
    arn = props.get(PREVIOUS_EVENT_DESTINATION_ARN) or ""
    if not arn:
        return None
    return EventDestination(str(arn), str(props.get(PREVIOUS_ROLE_ARN) or ""))


def applied_from_props(props: Mapping[str, Any]) -> EventDestination | None:
    """What this resource last wrote to the WABA or adopted, from state: the only
    destination delete may undo. State written before `appliedEventDestinationArn`
    existed holds it in eventDestinationArn/roleArn, the best record there is (a
    refresh by that version may have moved them to the live destination)."""
    arn = props.get(APPLIED_EVENT_DESTINATION_ARN)
    role = props.get(APPLIED_ROLE_ARN)
    if arn is None:
        arn, role = props.get(EVENT_DESTINATION_ARN), props.get(ROLE_ARN)
    if not arn:
        return None
    return EventDestination(str(arn), str(role or ""))


def applied_outputs(applied: EventDestination | None) -> dict[str, str]:
    """The state keys that record what this resource last wrote or adopted."""
    return {
        APPLIED_EVENT_DESTINATION_ARN: applied.arn if applied else "",
        APPLIED_ROLE_ARN: applied.role_arn if applied else "",
    }


def has_prior_state(props: Mapping[str, Any]) -> bool:
    """Whether read got the state of a resource this provider created, rather than the
    bare inputs of `pulumi import` or a `get`: create always records the WABA ARN."""
    return bool(props.get(WABA_ARN)) or props.get(APPLIED_EVENT_DESTINATION_ARN) is not None


class DestinationConflict(Exception):
    """The WABA already sends its events somewhere else and takeover is off."""


CreateKind = Literal["adopt", "write"]


def create_action(
    live: EventDestination | None, ours: EventDestination, takeover: bool, waba_id: str
) -> CreateKind:
    """Adopt a WABA that already has exactly our destination; write when it has none;
    refuse to overwrite someone else's destination unless takeover is set."""
    if live == ours:
        return "adopt"
    if live is None or takeover:
        return "write"
    raise DestinationConflict(
        f"WABA {waba_id} already sends its events to {live.describe()}, not to "
        f"{ours.describe()}. A WABA has exactly one event destination, and replacing it "
        "would cut off whoever consumes it now. To replace it on purpose set takeover to "
        "true (on delete the previous destination is put back); otherwise set "
        "eventDestinationArn (and roleArn) to the current destination to adopt it."
    )


def adoption_warning(waba_id: str, ours: EventDestination) -> str:
    """Why adopting is not owning: delete cannot tell two resources that adopted or set
    the same destination apart (tags on the WABA would cost calls delete cannot spend),
    so whichever of them is destroyed first clears it for both."""
    return (
        f"WABA {waba_id} already sends its events to exactly this destination, "
        f"{ours.describe()}; this resource adopts it without writing, and destroying it "
        "leaves the destination in place. If another stack or resource set it, "
        "destroying that one will clear it, although this resource still declares it. "
        "To rename or move this resource within a stack, use the `aliases` resource "
        "option instead, so that it is not created a second time."
    )


UpdateKind = Literal["write", "takeover"]


def update_action(
    live: EventDestination | None,
    applied: EventDestination | None,
    ours: EventDestination,
    takeover: bool,
    waba_id: str,
) -> UpdateKind:
    """Write over what this resource set (or over nothing, or over what is already the
    new destination); a destination someone else set since is replaced only with
    takeover, as in create. Unlike create, the destination replaced by takeover here is
    not recorded: previous stays what the WABA had before this resource first wrote."""
    if live is None or live in (applied, ours):
        return "write"
    if takeover:
        return "takeover"
    was = applied.describe() if applied else "no destination"
    raise DestinationConflict(
        f"WABA {waba_id} now sends its events to {live.describe()}, but this resource "
        f"last set {was}; someone changed it since, and replacing it with "
        f"{ours.describe()} would cut off whoever consumes it now. Nothing was written. "
        "Run `pulumi refresh` to see the live destination in the stack. Then, to replace "
        "it on purpose, set takeover to true (it is not put back on delete); to keep it, "
        "set eventDestinationArn (and roleArn) to it."
    )


DeleteKind = Literal["leave", "restore", "clear"]


@dataclass(frozen=True)
class DeleteAction:
    """What delete does to the WABA, and why, for the log."""

    kind: DeleteKind
    reason: str
    restore: EventDestination | None = None


def delete_action(
    live: EventDestination | None,
    applied: EventDestination | None,
    previous: EventDestination | None,
    waba_id: str,
) -> DeleteAction:
    """Put the WABA back the way this resource found it, but only while the live
    destination is still the one this resource last wrote or adopted (`applied`): a
    destination someone else set since is theirs."""
    if live is None:
        return DeleteAction(
            "leave",
            f"WABA {waba_id} has no event destination now (someone cleared it, or this "
            "resource never set one), so there is nothing to undo and it is left as it is.",
        )
    if live != applied:
        ours = applied.describe() if applied else "no destination"
        return DeleteAction(
            "leave",
            f"WABA {waba_id} now sends its events to {live.describe()}, not to {ours} "
            "that this resource set; someone changed it since, so it is left as it is.",
        )
    if previous == live:
        return DeleteAction(
            "leave",
            f"WABA {waba_id} already sent its events to {live.describe()} before this "
            "resource adopted it, so the destination is left in place.",
        )
    if previous is not None:
        return DeleteAction(
            "restore",
            f"WABA {waba_id}: putting back the destination it had before, {previous.describe()}.",
            previous,
        )
    return DeleteAction(
        "clear", f"WABA {waba_id}: clearing the event destination this resource set."
    )


def stuck_delete_message(
    failure: str,
    waba_id: str,
    region: str,
    live: EventDestination,
    restore: EventDestination | None,
) -> str:
    """How to get out when delete cannot put the WABA back (the previous topic was
    deleted since, say). Delete never falls back to clearing: that would silently cut
    off a destination that was there before this resource."""
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


@dataclass(frozen=True)
class DiffPlan:
    """The engine's view of a change: update in place, replace, or nothing."""

    changes: bool
    replaces: tuple[str, ...] = ()
    delete_before_replace: bool = False


def waba_key(value: Any) -> str | None:
    """The WABA's own id from either form the API accepts: `waba-<id>` or its ARN
    `...:waba/<id>` (the ARN's id is the same <id>); None for anything else."""
    if not isinstance(value, str) or is_unknown(value):
        return None
    if value.startswith("waba-"):
        return value.removeprefix("waba-") or None
    arn = parse_arn(value)
    if arn is not None and arn.resource.startswith("waba/"):
        return arn.resource.removeprefix("waba/") or None
    return None


def same_waba(old: Mapping[str, Any], new_waba_id: Any) -> bool:
    """The new wabaId names the WABA in state, in either form: `waba-<id>` and
    `arn:...:waba/<id>` are the same WABA, whichever the state or the program uses."""
    new = waba_key(new_waba_id)
    return new is not None and new in (waba_key(old.get(WABA_ID)), waba_key(old.get(WABA_ARN)))


def waba_resource_arn(waba_id: str, region: str, known_arn: str = "") -> str:
    """The WABA as the IAM resource a permission names,
    `arn:<partition>:social-messaging:<region>:<account>:waba/<id>`: the ARN read from
    AWS or given as wabaId when there is one, else built from the id and Region with
    `<account>` left for the reader (it is only known once the WABA is read)."""
    for candidate in (known_arn, waba_id):
        arn = parse_arn(candidate) if candidate else None
        if arn is not None and arn.resource.startswith("waba/"):
            return candidate
    key = waba_key(waba_id) or waba_id
    partition = partition_of_region(region) if region else None
    return (
        f"arn:{partition or '<partition>'}:social-messaging:{region or '<region>'}:"
        f"<account>:waba/{key}"
    )


def plan_diff(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffPlan:
    """Another WABA or Region replaces (deleting first, so the old resource's delete
    can never clear a destination the new one just adopted on the same WABA); every
    other input updates in place. Unknown values count as changes."""
    news = with_defaults(news)
    olds = with_defaults(olds)
    replaces = []
    if not same_waba(olds, news.get(WABA_ID)):
        replaces.append(WABA_ID)
    if news.get(REGION) != olds.get(REGION):
        replaces.append(REGION)
    changed = [key for key in INPUTS if news.get(key) != olds.get(key)]
    return DiffPlan(
        changes=bool(changed),
        replaces=tuple(replaces),
        delete_before_replace=bool(replaces),
    )


def writes_destination(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """An update only calls AWS when the destination or role differs; profile,
    assumeRoleArn, takeover and verify only change how later calls are made."""
    return destination_from_props(with_defaults(olds)) != destination_from_props(
        with_defaults(news)
    )


def live_scope(waba_arn: str) -> WabaScope:
    """Partition, Region and account of a WABA read from AWS."""
    arn = parse_arn(waba_arn)
    if arn is None:
        return WabaScope(None, None, None)
    return WabaScope(arn.partition, arn.region, arn.account)


def live_failures(props: Mapping[str, Any], waba_arn: str) -> list[Failure]:
    """The destination and role checked against the WABA's real account, which the
    inputs may not have told (wabaId given as 'waba-...')."""
    scope = live_scope(waba_arn)
    failures = check_destination(
        str(props[EVENT_DESTINATION_ARN]), props.get(ROLE_ARN) or "", scope
    )
    if props.get(ROLE_ARN):
        failures += check_role(ROLE_ARN, str(props[ROLE_ARN]), scope, same_account=True)
    return failures
