"""WabaEventDestination as a Pulumi program sees it: its type token, the camelCase keys
it puts in state, its snake_case output attributes and a provider without secrets."""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pytest

from components.waba_destination import WabaEventDestination, WabaEventDestinationArgs
from tests.fakes.fixtures import ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN

TOKEN = "pulumi-python:dynamic/social-messaging:WabaEventDestination"
WABA_ARN = "arn:aws:social-messaging:eu-west-1:123456789012:waba/0123456789abcdef"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:whatsapp-events"


class Mocks(pulumi.runtime.Mocks):
    """Answers like the dynamic provider would after create."""

    def __init__(self) -> None:
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.created.append(args)
        outs = dict(args.inputs)
        if args.typ == TOKEN:
            outs.update(
                wabaArn=WABA_ARN,
                wabaName="Acme",
                registrationStatus="COMPLETE",
                roleArn="",
                previousEventDestinationArn="",
                previousRoleArn="",
                adopted=False,
                appliedEventDestinationArn=args.inputs["eventDestinationArn"],
                appliedRoleArn="",
            )
        return f"{args.name}-id", outs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@pytest.fixture
def mocks(monkeypatch: pytest.MonkeyPatch) -> Mocks:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    recorder = Mocks()
    pulumi.runtime.set_mocks(recorder, preview=False)
    return recorder


@pulumi.runtime.test
def test_state_keys_type_token_and_output_attributes(mocks: Mocks) -> pulumi.Output[Any]:
    destination = WabaEventDestination(
        "support",
        WabaEventDestinationArgs(
            waba_id="waba-0123456789abcdef", event_destination_arn=TOPIC, region="eu-west-1"
        ),
    )

    def check(values: list[Any]) -> None:
        [args] = [a for a in mocks.created if a.typ == TOKEN]
        assert args.name == "support"
        assert {"wabaId", "eventDestinationArn", "region", "takeover", "verify"} <= set(args.inputs)
        assert not any("_" in key for key in args.inputs if key != "__provider")
        assert args.inputs["takeover"] is False and args.inputs["verify"] is True
        waba_id, destination_arn, role_arn, waba_arn, waba_name, status, applied = values
        assert (waba_id, destination_arn, role_arn) == ("waba-0123456789abcdef", TOPIC, "")
        assert (waba_arn, waba_name, status) == (WABA_ARN, "Acme", "COMPLETE")
        assert applied == TOPIC

    return pulumi.Output.all(
        destination.waba_id,
        destination.event_destination_arn,
        destination.role_arn,
        destination.waba_arn,
        destination.waba_name,
        destination.registration_status,
        destination.applied_event_destination_arn,
    ).apply(check)


@pulumi.runtime.test
def test_the_serialised_provider_holds_no_credentials(mocks: Mocks) -> pulumi.Output[Any]:
    destination = WabaEventDestination(
        "support",
        WabaEventDestinationArgs(
            waba_id="waba-0123456789abcdef",
            event_destination_arn=TOPIC,
            region="eu-west-1",
            profile="deployer",
        ),
    )

    def check(_: Any) -> None:
        [args] = [a for a in mocks.created if a.typ == TOKEN]
        serialised = args.inputs["__provider"]
        if isinstance(serialised, dict):  # a secret travels wrapped in its signature
            serialised = serialised["value"]
        pickled = base64.b64decode(serialised)
        assert b"components.waba_destination" in pickled
        for secret in (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN):
            assert secret not in serialised and secret.encode() not in pickled
            assert all(secret not in str(value) for value in args.inputs.values())

    return destination.urn.apply(check)


class DecidingMocks(Mocks):
    """The provider's answer when it adopted what the WABA already had."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id, outs = super().new_resource(args)
        if args.typ == TOKEN:
            outs.update(ownership="adopted", notice=f"WABA {args.inputs['wabaId']} adopted.")
        return resource_id, outs


@pulumi.runtime.test
def test_the_component_warns_with_the_notice_on_the_resource(
    monkeypatch: pytest.MonkeyPatch,
) -> pulumi.Output[Any]:
    from components.event_destinations import (
        AwsIdentity,
        WhatsAppEventDestinations,
        WhatsAppEventDestinationsArgs,
    )
    from components.settings import parse_settings

    pulumi.runtime.set_mocks(DecidingMocks(), preview=False)
    warned: list[tuple[str, Any]] = []
    monkeypatch.setattr(
        pulumi.log, "warn", lambda msg, resource=None, **_: warned.append((msg, resource))
    )
    waba = "waba-0123456789abcdef0123456789abcdef"
    settings = parse_settings(
        {"destinations": [{"wabaId": waba, "type": "sns", "topicArn": TOPIC}]},
        "social-messaging-destinations",
        "dev",
    )
    component = WhatsAppEventDestinations(
        "whatsapp",
        WhatsAppEventDestinationsArgs(
            settings, AwsIdentity("aws", "eu-west-1", "123456789012"), "p", "dev"
        ),
    )
    [resource] = component.waba_destinations

    def check(outputs: list[Any]) -> None:
        assert (f"WABA {waba} adopted.", resource) in warned
        [entry] = outputs[0]
        assert entry["ownership"] == "adopted" and entry["notice"] == f"WABA {waba} adopted."

    return pulumi.Output.all(pulumi.Output.from_input(component.destination_outputs())).apply(check)
