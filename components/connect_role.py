"""ConnectChannelRole: the IAM role End User Messaging Social assumes to reach Connect."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.arns import iam_role_arn
from components.policy_documents import (
    connect_channel_permissions_policy,
    connect_channel_trust_policy,
)


@dataclass(frozen=True)
class ConnectChannelRoleArgs:
    """The role's explicit name keeps its ARN known at `pulumi preview`."""

    role_name: str
    partition: str
    region: str
    account_id: str
    tags: Mapping[str, str] = field(default_factory=dict)


class ConnectChannelRole(pulumi.ComponentResource):
    """The "two-way channel role": delivers events to Connect and imports phone numbers."""

    role_arn: str
    role_name: str
    role: aws.iam.Role
    permissions: aws.iam.RolePolicy

    def __init__(
        self,
        name: str,
        args: ConnectChannelRoleArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("social-messaging:index:ConnectChannelRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role_name = args.role_name
        self.role_arn = iam_role_arn(args.partition, args.account_id, args.role_name)

        self.role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description=(
                "Lets AWS End User Messaging Social deliver WhatsApp events to Amazon Connect "
                "and import the WABA's phone numbers"
            ),
            assume_role_policy=json.dumps(
                connect_channel_trust_policy(args.partition, args.region, args.account_id)
            ),
            tags=dict(args.tags),
            opts=child,
        )
        # Named by the explicit role name (known at preview), ordered after the role.
        self.permissions = aws.iam.RolePolicy(
            f"{name}-permissions",
            name="connect-two-way-channel",
            role=args.role_name,
            policy=json.dumps(connect_channel_permissions_policy()),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.role]),
        )
        self.register_outputs({"roleArn": self.role_arn, "roleName": self.role_name})

    @property
    def resources(self) -> list[pulumi.Resource]:
        return [self.role, self.permissions]
