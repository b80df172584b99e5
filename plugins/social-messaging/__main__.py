"""The `social-messaging` component provider: `WhatsAppEventDestinations` for Pulumi YAML
and for any language whose SDK `pulumi package gen-sdk` generates from this schema.

The schema is inferred by Pulumi's component-provider analyzer from the type hints below
(so this module does not use `from __future__ import annotations`). The inputs are the
stack settings of a Python stack, with the same names and meanings (`destinations`,
`topic`, `connectRole`, `tags`; see docs/configuration.md), checked by the same code
(`components.settings.parse_settings`) with the same messages, which name the property
to set instead of a `pulumi config set` command. The outputs are the Python program's
stack outputs, plain values only, so the schema refers to no other package.

Construction builds the library's own `components.event_destinations.WhatsAppEventDestinations`
(the same type token, `social-messaging:index:WhatsAppEventDestinations`), so a YAML
stack registers the same resources as the Python program for the same settings. The
provider validates the inputs before it constructs anything, so a bad input is reported
by the engine as an invalid property, without a Python traceback.
"""

import sys
from collections.abc import Mapping
from typing import Any, TypedDict

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.provider import ConstructResult, main

from components.event_destinations import AwsIdentity
from components.event_destinations import WhatsAppEventDestinations as Destinations
from components.event_destinations import WhatsAppEventDestinationsArgs as DestinationsArgs
from components.pulumi_compat import all_config, component_provider_base
from components.settings import (
    AwsProviderSettings,
    Problem,
    PropertyNaming,
    SettingsError,
    StackSettings,
    aws_provider_problems,
    parse_settings,
    placement_problems,
    split_namespaces,
)

PACKAGE = "social-messaging"
VERSION = "0.1.0"
TYPE = f"{PACKAGE}:index:WhatsAppEventDestinations"
NAMING = PropertyNaming(TYPE)


class Destination(TypedDict):
    """One WABA and where its events go: an entry of `destinations`."""

    waba_id: str
    """The WABA: its id `waba-<id>` or its ARN."""
    type: str
    """`sns` (an encrypted SNS topic) or `connect` (an Amazon Connect instance)."""
    connect_instance_arn: str | None
    """Type `connect`: the Amazon Connect instance ARN."""
    topic_arn: str | None
    """Type `sns`: an existing standard topic instead of the one this component creates."""
    role_arn: str | None
    """Type `connect`: an existing role instead of the one this component creates."""
    takeover: bool | None
    """Replace a destination the WABA already has (default false)."""
    verify: bool | None
    """Check the destination's permissions before pointing the WABA at it (default true)."""


class Topic(TypedDict):
    """The encrypted SNS topic (and its KMS key) created for SNS destinations."""

    name: str | None
    """The topic's name (default `<project>-<stack>-events`)."""
    key_rotation: bool | None
    """Rotate the KMS key yearly (default true)."""
    key_deletion_window_days: int | None
    """Days from 7 to 30 before a destroyed KMS key is deleted (default 30)."""
    protect: bool | None
    """Protect the topic and key from deletion (default false)."""


class ConnectRole(TypedDict):
    """The Connect two-way channel role created when a Connect destination brings none."""

    name: str | None
    """The role's name (default `<project>-<stack>-connect-channel`)."""


class WhatsAppEventDestinationsArgs(TypedDict):
    """The stack settings of the Python program, as properties."""

    destinations: list[Destination]
    """The WABAs, one entry each (1 to 20)."""
    topic: Topic | None
    """The topic and key created for SNS destinations."""
    connect_role: ConnectRole | None
    """The role created for Connect destinations."""
    tags: dict[str, str] | None
    """Tags for every resource created."""


class DestinationResult(TypedDict):
    """Where one WABA's events go, and what the component found and did."""

    waba_id: str
    """The WABA as configured."""
    type: str
    """`sns` or `connect`."""
    event_destination_arn: str
    """The topic or Connect instance the WABA publishes to."""
    role_arn: str | None
    """The role a Connect destination uses."""
    takeover: bool
    """Whether the input allowed replacing another destination."""
    waba_arn: str
    """The WABA's ARN."""
    waba_name: str
    """The WABA's name."""
    registration_status: str
    """The WABA's registration status."""
    adopted: bool
    """Whether the WABA already had this destination."""
    ownership: str
    """How this stack came to own the destination (docs/ownership.md)."""
    notice: str | None
    """What the component decided, when there is something to say."""
    previous_event_destination_arn: str | None
    """The destination the WABA had before, restored on destroy."""


class WhatsAppEventDestinations(pulumi.ComponentResource):
    """An encrypted SNS topic or an Amazon Connect role as the event destination of
    WhatsApp Business Accounts on AWS End User Messaging Social, each WABA pointed at it
    and its previous destination restored on destroy."""

    account_id: pulumi.Output[str]
    """The account the stack deploys to."""
    region: pulumi.Output[str]
    """The Region the stack deploys to."""
    partition: pulumi.Output[str]
    """The partition the stack deploys to."""
    topic_arn: pulumi.Output[str]
    """The created topic's ARN (empty when no topic is created)."""
    topic_name: pulumi.Output[str]
    """The created topic's name (empty when no topic is created)."""
    kms_key_arn: pulumi.Output[str]
    """The topic's KMS key ARN (empty when no topic is created)."""
    kms_key_alias: pulumi.Output[str]
    """The topic's KMS key alias (empty when no topic is created)."""
    connect_role_arn: pulumi.Output[str | None]
    """The created Connect channel role's ARN (absent when no role is created)."""
    destinations: pulumi.Output[list[DestinationResult]]
    """One entry per WABA."""

    def __init__(self, name: str, args: WhatsAppEventDestinationsArgs, opts: Any = None) -> None:
        # The schema's declaration; SocialMessagingProvider.construct builds the component.
        raise TypeError(f"{TYPE} is constructed by the {PACKAGE} provider")


def _plain_problems(value: Any, path: str) -> list[Problem]:
    """Settings must be known before deployment: another resource's output is refused."""
    if isinstance(value, pulumi.Output):
        expected = "a plain value, known before deployment (not another resource's output)"
        return [Problem(path, "an output of another resource", expected)]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _plain_problems(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _plain_problems(v, f"{path}[{i}]")]
    return []


def _invalid(problems: list[Problem]) -> InputPropertiesError:
    """The problems as invalid properties: the CLI prints the heading, then each property
    with its value and the rest of the problem's line (said once)."""
    error = SettingsError(problems, pulumi.get_project(), NAMING)
    details: list[InputPropertyErrorDetails] = [
        {
            "property_path": p.path,
            "reason": p.describe(NAMING).removeprefix(f"{NAMING.location(p.path)}: "),
        }
        for p in error.problems
    ]
    return InputPropertiesError(NAMING.heading(error.problems, pulumi.get_project()), details)


def validated(inputs: Mapping[str, Any]) -> tuple[StackSettings, AwsProviderSettings, AwsIdentity]:
    """The settings from the inputs (schema names, the stack settings' names), the aws
    provider's identity and where it deploys; or an InputPropertiesError with every
    problem, each naming its property."""
    raw = {key: value for key, value in inputs.items() if value is not None}
    plain = [p for key, value in raw.items() for p in _plain_problems(value, key)]
    if plain:
        raise _invalid(plain)
    aws_provider, aws_problems = aws_provider_problems(
        split_namespaces(all_config()).get("aws", {})
    )
    if aws_problems or aws_provider is None:
        raise SettingsError(aws_problems, "aws")  # stack config: `pulumi config` fixes
    project, stack = pulumi.get_project(), pulumi.get_stack()
    try:
        settings = parse_settings(raw, project, stack, NAMING)
    except SettingsError as error:
        raise _invalid(error.problems) from None
    identity = AwsIdentity.lookup()
    placement = placement_problems(raw, identity.partition, identity.region, identity.account_id)
    if placement:
        raise _invalid(placement)
    return settings, aws_provider, identity


class SocialMessagingProvider(component_provider_base()):  # type: ignore[misc]
    """The analyzer's provider for the schema; construction validates first."""

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: pulumi.Inputs,
        options: pulumi.ResourceOptions | None = None,
    ) -> ConstructResult:
        self.validate_resource_type(PACKAGE, resource_type)
        settings, aws_provider, identity = validated(inputs)
        args = DestinationsArgs(
            settings, identity, pulumi.get_project(), pulumi.get_stack(), aws_provider
        )
        component = Destinations(name, args, options)
        return ConstructResult(component.urn, component.stack_outputs(identity))


if __name__ == "__main__":
    # As component_provider_host(), with the provider above.
    main(SocialMessagingProvider([WhatsAppEventDestinations], PACKAGE, None, VERSION), sys.argv[1:])
