"""EncryptedEventTopic: a standard SNS topic encrypted with its own customer managed key."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.arns import kms_alias_name, sns_topic_arn
from components.policy_documents import topic_key_policy, topic_policy
from components.topic_deletion import TopicDeletion
from components.waba.access import WabaAccess


@dataclass(frozen=True)
class EncryptedEventTopicArgs:
    """Where the topic lives and how its key is kept.

    The topic name is explicit (never an auto-name) so the topic ARN, and with it every
    policy document, is known at `pulumi preview`.
    """

    topic_name: str
    partition: str
    region: str
    account_id: str
    key_rotation: bool = True
    key_deletion_window_days: int = 30
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    # The WABAs that send to the topic: it is deleted only once none of them does.
    waba_ids: Sequence[str] = ()
    # The identity of the stack's aws provider, for that check and the delete.
    profile: str | None = None
    assume_role_arn: str | None = None


class EncryptedEventTopic(pulumi.ComponentResource):
    """KMS key + alias + standard SNS topic + topic policy for End User Messaging Social.

    The key is symmetric and customer managed because SNS encryption for a service
    principal publisher needs a key whose policy can grant that principal; the AWS managed
    key `alias/aws/sns` cannot be granted, and asymmetric keys cannot encrypt SNS messages.

    Every child with a fixed physical name survives the engine's replacements (see
    docs/replacements-and-renames.md): the topic and its policy are `retain_on_delete`
    (a create of the same name is the same topic and the same policy, so the old
    resource's delete must not touch AWS) and `deletion` deletes the topic at destroy;
    the alias is replaced delete-before-replace (KMS refuses a second alias of one name);
    the key has no name and is replaced create-before-delete, the alias moving to the new
    key before the old one is scheduled for deletion.
    """

    topic_arn: str
    topic_name: str
    key_alias: str
    key_arn: pulumi.Output[str]
    key: aws.kms.Key
    alias: aws.kms.Alias
    topic: aws.sns.Topic
    topic_policy: aws.sns.TopicPolicy
    deletion: TopicDeletion

    def __init__(
        self,
        name: str,
        args: EncryptedEventTopicArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("social-messaging:index:EncryptedEventTopic", name, None, opts)
        tags = dict(args.tags)
        child = pulumi.ResourceOptions(parent=self, protect=args.protect)

        self.topic_name = args.topic_name
        self.topic_arn = sns_topic_arn(
            args.partition, args.region, args.account_id, args.topic_name
        )
        self.key_alias = kms_alias_name(args.topic_name)

        self._key(name, args, child, tags)
        self._topic(name, args, child, tags)
        self.deletion = TopicDeletion(
            f"{name}-topic-deletion",
            self.topic_arn,
            WabaAccess(list(args.waba_ids), args.region, args.profile, args.assume_role_arn),
            pulumi.ResourceOptions(parent=self, depends_on=[self.topic, self.topic_policy]),
        )
        self.register_outputs(
            {
                "topicArn": self.topic_arn,
                "topicName": self.topic_name,
                "kmsKeyArn": self.key_arn,
                "kmsKeyAlias": self.key_alias,
            }
        )

    def _key(
        self,
        name: str,
        args: EncryptedEventTopicArgs,
        child: pulumi.ResourceOptions,
        tags: dict[str, str],
    ) -> None:
        """The symmetric customer managed key and its alias. A replaced alias is deleted
        first: KMS refuses a second alias of the same name."""
        self.key = aws.kms.Key(
            f"{name}-key",
            description=(
                f"Encrypts WhatsApp events that AWS End User Messaging Social publishes "
                f"to SNS topic {args.topic_name}"
            ),
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            key_usage="ENCRYPT_DECRYPT",
            enable_key_rotation=args.key_rotation,
            deletion_window_in_days=args.key_deletion_window_days,
            policy=json.dumps(topic_key_policy(args.partition, args.region, args.account_id)),
            tags=tags,
            opts=child,
        )
        self.key_arn = self.key.arn
        self.alias = aws.kms.Alias(
            f"{name}-alias",
            name=self.key_alias,
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(delete_before_replace=True)
            ),
        )

    def _topic(
        self,
        name: str,
        args: EncryptedEventTopicArgs,
        child: pulumi.ResourceOptions,
        tags: dict[str, str],
    ) -> None:
        """The standard topic and its policy, both retained when replaced: SNS returns
        the existing topic of a name, so the old resource's delete would remove the new
        one (TopicDeletion deletes the topic at destroy)."""
        # The topic names its key by alias: known at preview, so a policy can judge it.
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            name=args.topic_name,
            fifo_topic=False,
            kms_master_key_id=self.key_alias,
            tags=tags,
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[self.alias], retain_on_delete=True)
            ),
        )
        self.topic_policy = aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=self.topic.arn,
            policy=json.dumps(
                topic_policy(args.partition, args.region, args.account_id, self.topic_arn)
            ),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(retain_on_delete=True)),
        )

    @property
    def resources(self) -> list[pulumi.Resource]:
        """Everything a destination needs in place before events can be delivered."""
        return [self.key, self.alias, self.topic, self.topic_policy, self.deletion]
