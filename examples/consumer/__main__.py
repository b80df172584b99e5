"""A consumer of the WhatsApp event topic: settings -> producer outputs -> queue -> outputs."""

import pulumi
from consumer.event_queue import WhatsAppEventQueue, WhatsAppEventQueueArgs
from consumer.location import checked_location, current_location
from consumer.producer import read_producer
from consumer.settings import load_settings

settings = load_settings(pulumi.Config(), pulumi.get_project(), pulumi.get_stack())

producer = read_producer(
    pulumi.StackReference("producer", stack_name=settings.producer_stack),
    settings.producer_stack,
)
location = checked_location(producer, current_location())

event_queue = WhatsAppEventQueue(
    "whatsapp-events",
    WhatsAppEventQueueArgs(
        topic_arn=producer.apply(lambda p: p.topic_arn),
        topic_account_id=producer.apply(lambda p: p.account_id),
        partition=location.apply(lambda loc: loc.partition),
        region=location.apply(lambda loc: loc.region),
        account_id=location.apply(lambda loc: loc.account_id),
        queue_name=settings.queue_name,
        dead_letter_queue_name=settings.dead_letter_queue_name,
        max_receive_count=settings.max_receive_count,
        message_retention_seconds=settings.message_retention_seconds,
        visibility_timeout_seconds=settings.visibility_timeout_seconds,
        key_deletion_window_in_days=settings.key_deletion_window_in_days,
        raw_message_delivery=settings.raw_message_delivery,
        tags={"consumer-of": settings.producer_stack, **settings.tags},
    ),
)

pulumi.export("queueUrl", event_queue.queue.url)
pulumi.export("queueArn", event_queue.queue_arn)
pulumi.export("deadLetterQueueUrl", event_queue.dead_letter_queue.url)
pulumi.export("deadLetterQueueArn", event_queue.dead_letter_queue_arn)
pulumi.export("queueKmsKeyArn", event_queue.key.arn)
pulumi.export("subscriptionArn", event_queue.subscription.arn)
pulumi.export("rawMessageDelivery", settings.raw_message_delivery)
pulumi.export("topicArn", producer.apply(lambda p: p.topic_arn))
pulumi.export("producerKmsKeyArn", producer.apply(lambda p: p.kms_key_arn))
pulumi.export("wabaIds", producer.apply(lambda p: p.waba_ids_on_topic))
