"""One resource shape per way to get a WhatsApp event destination wrong; each must be
refused by social-messaging-guard at `pulumi preview`. Documents are built from values
known at preview (as the project builds its own), so the pack can decide then."""

import json

import pulumi_aws as aws

from components.waba_destination import WabaEventDestination, WabaEventDestinationArgs

SERVICE = "social-messaging.amazonaws.com"
account = aws.get_caller_identity().account_id
region = aws.get_region().region


def topic_arn(name: str) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def publish_grant(name: str, conditions: bool = True) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": SERVICE},
        "Action": "sns:Publish",
        "Resource": topic_arn(name),
    }
    if conditions:
        statement["Condition"] = {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": f"arn:aws:social-messaging:{region}:{account}:*"},
        }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# waba-destination-topic-standard: a FIFO topic that the service may publish to.
fifo = aws.sns.Topic(
    "fifo", name="whatsapp-events.fifo", fifo_topic=True, kms_master_key_id="alias/whatsapp-events"
)
aws.sns.TopicPolicy("fifo-policy", arn=fifo.arn, policy=publish_grant("whatsapp-events.fifo"))

# kms-key-symmetric: an asymmetric key encrypting a topic.
rsa_key = aws.kms.Key("rsa", customer_master_key_spec="RSA_2048", key_usage="ENCRYPT_DECRYPT")
aws.sns.Topic("rsa-topic", name="rsa-encrypted-events", kms_master_key_id=rsa_key.arn)

# sns-topic-customer-managed-key: a destination topic on the AWS managed key, and
# service-principal-confused-deputy: its grant to the service has no conditions.
managed = aws.sns.Topic("managed", name="managed-key-events", kms_master_key_id="alias/aws/sns")
aws.sns.TopicPolicy(
    "no-conditions", arn=managed.arn, policy=publish_grant("managed-key-events", conditions=False)
)

# connect-channel-role-least-privilege: a channel role that may do anything.
role = aws.iam.Role(
    "channel",
    name="too-broad-channel-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": SERVICE},
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account},
                        "ArnLike": {
                            "aws:SourceArn": f"arn:aws:social-messaging:{region}:{account}:*"
                        },
                    },
                }
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "anything",
    role="too-broad-channel-role",
    name="anything",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
    ),
)

# waba-destination-delivery-permissions: a destination topic the service may not publish to.
aws.sns.Topic(
    "unpublishable", name="unpublishable-events", kms_master_key_id="alias/whatsapp-events"
)
WabaEventDestination(
    "orders",
    WabaEventDestinationArgs(
        waba_id="waba-0123456789abcdef0123456789abcdef",
        region=region,
        event_destination_arn=topic_arn("unpublishable-events"),
    ),
)
