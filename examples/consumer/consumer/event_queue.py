"""WhatsAppEventQueue: an encrypted SQS queue, its dead-letter queue, and the subscription.

Resources, all children of the component:
- `<name>-key` / `<name>-key-alias`: a symmetric customer managed KMS key for both queues;
- `<name>-dlq` and `<name>-dlq-policy`: the dead-letter queue, TLS only;
- `<name>-queue` and `<name>-queue-policy`: the queue, which SNS may reach only from the
  producer's topic in the producer's account;
- `<name>-subscription`: the topic's subscription to the queue.

Policies and ARNs are built from the partition, Region, account and explicit queue names,
all known at `pulumi preview`, so a policy pack can judge them before anything exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from consumer import arns, queue_policy

COMPONENT_TYPE = "social-messaging-consumer:queue:WhatsAppEventQueue"
# The SQS maximum: a message keeps its original enqueue time when it moves to the DLQ,
# so the DLQ must keep messages at least as long as the queue does.
DEAD_LETTER_RETENTION_SECONDS = 1_209_600
# Long polling: a ReceiveMessage call waits up to 20 s for a message instead of
# returning empty, which cuts cost and latency for workers.
RECEIVE_WAIT_TIME_SECONDS = 20


@dataclass(frozen=True)
class WhatsAppEventQueueArgs:
    """Everything the queue needs; the location must be the topic's account and Region."""

    topic_arn: pulumi.Input[str]
    topic_account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    region: pulumi.Input[str]
    account_id: pulumi.Input[str]
    queue_name: str
    dead_letter_queue_name: str
    max_receive_count: int = 5
    message_retention_seconds: int = 345_600
    visibility_timeout_seconds: int = 60
    key_deletion_window_in_days: int = 30
    raw_message_delivery: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)


class WhatsAppEventQueue(pulumi.ComponentResource):
    """A queue that receives the producer topic's WhatsApp events, encrypted at rest."""

    queue: aws.sqs.Queue
    dead_letter_queue: aws.sqs.Queue
    key: aws.kms.Key
    subscription: aws.sns.TopicSubscription
    queue_arn: pulumi.Output[str]
    dead_letter_queue_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: WhatsAppEventQueueArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        self.queue_arn = pulumi.Output.all(args.partition, args.region, args.account_id).apply(
            lambda loc: arns.queue_arn(loc[0], loc[1], loc[2], args.queue_name)
        )
        self.dead_letter_queue_arn = pulumi.Output.all(
            args.partition, args.region, args.account_id
        ).apply(lambda loc: arns.queue_arn(loc[0], loc[1], loc[2], args.dead_letter_queue_name))

        key_policy = pulumi.Output.all(
            args.partition, args.account_id, args.topic_arn, args.topic_account_id
        ).apply(
            lambda v: queue_policy.to_json(
                queue_policy.queue_key_policy_document(
                    account_root_arn=arns.account_root_arn(v[0], v[1]),
                    topic_arn=v[2],
                    topic_account_id=v[3],
                )
            )
        )
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the SQS queues {args.queue_name} and "
            f"{args.dead_letter_queue_name} (WhatsApp events)",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            key_usage="ENCRYPT_DECRYPT",
            enable_key_rotation=True,
            deletion_window_in_days=args.key_deletion_window_in_days,
            policy=key_policy,
            tags=tags,
            opts=child,
        )
        self.key_alias = aws.kms.Alias(
            f"{name}-key-alias",
            name=f"alias/{args.queue_name}",
            target_key_id=self.key.key_id,
            opts=child,
        )

        self.dead_letter_queue = aws.sqs.Queue(
            f"{name}-dlq",
            name=args.dead_letter_queue_name,
            kms_master_key_id=self.key.arn,
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
            tags=tags,
            opts=child,
        )
        self.dead_letter_queue_policy = aws.sqs.QueuePolicy(
            f"{name}-dlq-policy",
            queue_url=self.dead_letter_queue.url,
            policy=self.dead_letter_queue_arn.apply(
                lambda arn: queue_policy.to_json(
                    queue_policy.dead_letter_queue_policy_document(arn)
                )
            ),
            opts=child,
        )

        self.queue = aws.sqs.Queue(
            f"{name}-queue",
            name=args.queue_name,
            kms_master_key_id=self.key.arn,
            message_retention_seconds=args.message_retention_seconds,
            visibility_timeout_seconds=args.visibility_timeout_seconds,
            receive_wait_time_seconds=RECEIVE_WAIT_TIME_SECONDS,
            redrive_policy=self.dead_letter_queue_arn.apply(
                lambda arn: queue_policy.redrive_policy(arn, args.max_receive_count)
            ),
            tags=tags,
            # SQS refuses a redrive policy whose dead-letter queue does not exist yet.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.dead_letter_queue]),
        )
        self.queue_policy = aws.sqs.QueuePolicy(
            f"{name}-queue-policy",
            queue_url=self.queue.url,
            policy=pulumi.Output.all(self.queue_arn, args.topic_arn, args.topic_account_id).apply(
                lambda v: queue_policy.to_json(queue_policy.queue_policy_document(v[0], v[1], v[2]))
            ),
            opts=child,
        )

        self.subscription = aws.sns.TopicSubscription(
            f"{name}-subscription",
            topic=args.topic_arn,
            protocol="sqs",
            endpoint=self.queue_arn,
            raw_message_delivery=args.raw_message_delivery,
            # SNS delivers as soon as the subscription exists: the queue policy and the
            # key grant must be in place first or the first events are lost.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[self.queue, self.queue_policy, self.key]
            ),
        )

        self.register_outputs(
            {
                "queueUrl": self.queue.url,
                "queueArn": self.queue_arn,
                "deadLetterQueueUrl": self.dead_letter_queue.url,
                "deadLetterQueueArn": self.dead_letter_queue_arn,
                "keyArn": self.key.arn,
                "subscriptionArn": self.subscription.arn,
            }
        )
