"""WhatsAppEventDestinations: everything one stack gives its WABAs, composed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.connect_role import ConnectChannelRole, ConnectChannelRoleArgs
from components.encrypted_topic import EncryptedEventTopic, EncryptedEventTopicArgs
from components.settings import AwsProviderSettings, DestinationSettings, StackSettings
from components.waba.ids import waba_id_part
from components.waba.sweep import guard_stack_claims
from components.waba_destination import WabaEventDestination, WabaEventDestinationArgs


@dataclass(frozen=True)
class AwsIdentity:
    """Partition, Region and account of the stack's aws provider.

    Read through the provider's invokes, which answer at `pulumi preview` too, so every
    policy document can be built from known values.
    """

    partition: str
    region: str
    account_id: str

    @staticmethod
    def lookup() -> AwsIdentity:
        return AwsIdentity(
            partition=aws.get_partition().partition,
            region=aws.get_region().region,
            account_id=aws.get_caller_identity().account_id,
        )


@dataclass(frozen=True)
class WhatsAppEventDestinationsArgs:
    settings: StackSettings
    identity: AwsIdentity
    project: str
    stack: str
    aws_provider: AwsProviderSettings = AwsProviderSettings()


@dataclass(frozen=True)
class ResolvedDestination:
    """Where one WABA's events go, with the ARNs known at preview."""

    settings: DestinationSettings
    event_destination_arn: str
    role_arn: str | None


def _warn(notice: str | None, resource: pulumi.Resource) -> None:
    if notice:
        pulumi.log.warn(notice, resource=resource)


def waba_resource_suffix(waba_id: str) -> str:
    """One resource name per WABA, whether it is configured by id or by ARN."""
    return "waba-" + waba_id_part(waba_id)


class WhatsAppEventDestinations(pulumi.ComponentResource):
    """Builds the topic and role a stack needs, and points every WABA at its destination."""

    topic: EncryptedEventTopic | None
    connect_role: ConnectChannelRole | None
    destinations: list[ResolvedDestination]
    waba_destinations: list[WabaEventDestination]

    def __init__(
        self,
        name: str,
        args: WhatsAppEventDestinationsArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("social-messaging:index:WhatsAppEventDestinations", name, None, opts)
        settings, identity = args.settings, args.identity
        tags = dict(settings.tags)

        self.topic = None
        if settings.needs_topic:
            self.topic = EncryptedEventTopic(
                f"{name}-events",
                EncryptedEventTopicArgs(
                    topic_name=settings.topic_name(args.project, args.stack),
                    partition=identity.partition,
                    region=identity.region,
                    account_id=identity.account_id,
                    key_rotation=settings.topic.key_rotation,
                    key_deletion_window_days=settings.topic.key_deletion_window_days,
                    protect=settings.topic.protect,
                    tags=tags,
                    waba_ids=[
                        d.waba_id
                        for d in settings.destinations
                        if d.type == "sns" and not d.topic_arn
                    ],
                    profile=args.aws_provider.profile,
                    assume_role_arn=args.aws_provider.assume_role_arn,
                ),
                pulumi.ResourceOptions(parent=self),
            )

        self.connect_role = None
        if settings.needs_connect_role:
            self.connect_role = ConnectChannelRole(
                f"{name}-connect-channel",
                ConnectChannelRoleArgs(
                    role_name=settings.connect_role_name(args.project, args.stack),
                    partition=identity.partition,
                    region=identity.region,
                    account_id=identity.account_id,
                    tags=tags,
                ),
                pulumi.ResourceOptions(parent=self),
            )

        self.destinations = [self._resolve(d) for d in settings.destinations]
        # Deleted after every WABA destination and before the topic and role: gives back
        # claims an interrupted `up` left without a resource in state (docs/ownership.md).
        self.claims_guard = guard_stack_claims(self, name, identity.region, args.aws_provider)
        self.waba_destinations = [
            self._point_waba(name, d, identity, args.aws_provider) for d in self.destinations
        ]
        self.register_outputs({"destinations": self.destination_outputs()})

    def _resolve(self, destination: DestinationSettings) -> ResolvedDestination:
        if destination.type == "sns":
            topic_arn = destination.topic_arn or (self.topic.topic_arn if self.topic else "")
            return ResolvedDestination(destination, topic_arn, None)
        role_arn = destination.role_arn or (
            self.connect_role.role_arn if self.connect_role else None
        )
        return ResolvedDestination(destination, destination.connect_instance_arn or "", role_arn)

    def _point_waba(
        self,
        name: str,
        destination: ResolvedDestination,
        identity: AwsIdentity,
        aws_provider: AwsProviderSettings,
    ) -> WabaEventDestination:
        # Created after, and so destroyed before, what it points at.
        depends_on: list[pulumi.Resource] = []
        if destination.settings.type == "sns" and not destination.settings.topic_arn and self.topic:
            depends_on = self.topic.resources
        elif destination.settings.type == "connect" and not destination.settings.role_arn:
            depends_on = self.connect_role.resources if self.connect_role else []
        depends_on = [*depends_on, self.claims_guard]
        resource = WabaEventDestination(
            f"{name}-{waba_resource_suffix(destination.settings.waba_id)}",
            WabaEventDestinationArgs(
                waba_id=destination.settings.waba_id,
                event_destination_arn=destination.event_destination_arn,
                role_arn=destination.role_arn,
                region=identity.region,
                profile=aws_provider.profile,
                assume_role_arn=aws_provider.assume_role_arn,
                takeover=destination.settings.takeover,
                verify=destination.settings.verify,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )
        # What the provider decided (adopted, taken over, inherited, a lost answer) is
        # logged from the program, against the resource, so `pulumi up` shows it as a
        # warning on it: a dynamic provider's own log only reaches the CLI as plugin
        # output (pulumi/pulumi#6065).
        resource.notice.apply(lambda notice: _warn(notice, resource))
        return resource

    def destination_outputs(self) -> list[dict[str, Any]]:
        """The `destinations` stack output: one entry per WABA, stable keys."""
        return [
            {
                "wabaId": d.settings.waba_id,
                "type": d.settings.type,
                "eventDestinationArn": d.event_destination_arn,
                "roleArn": d.role_arn,
                "takeover": d.settings.takeover,
                "wabaArn": resource.waba_arn,
                "wabaName": resource.waba_name,
                "registrationStatus": resource.registration_status,
                "adopted": resource.adopted,
                "ownership": resource.ownership,
                "notice": resource.notice,
                "previousEventDestinationArn": resource.previous_event_destination_arn,
            }
            for d, resource in zip(self.destinations, self.waba_destinations, strict=True)
        ]

    def stack_outputs(self, identity: AwsIdentity) -> dict[str, Any]:
        """Outputs for other stacks (camelCase, read through StackReference).

        Topic keys are empty strings when this stack made no topic, so consumers can test
        them without a missing-key error; `connectRoleArn` exists only when a role is made.
        """
        outputs: dict[str, Any] = {
            "accountId": identity.account_id,
            "region": identity.region,
            "partition": identity.partition,
            "topicArn": self.topic.topic_arn if self.topic else "",
            "topicName": self.topic.topic_name if self.topic else "",
            "kmsKeyArn": self.topic.key_arn if self.topic else "",
            "kmsKeyAlias": self.topic.key_alias if self.topic else "",
            "destinations": self.destination_outputs(),
        }
        if self.connect_role:
            outputs["connectRoleArn"] = self.connect_role.role.arn
        return outputs
