"""One resource shape per way to get a WhatsApp event destination wrong; each must be
refused by social-messaging-guard at `pulumi preview`."""

import json

import pulumi_aws as aws

from components.waba_destination import WabaEventDestination, WabaEventDestinationArgs

SERVICE = "social-messaging.amazonaws.com"
account = aws.get_caller_identity().account_id
region = aws.get_region().region

# waba-destination-topic-standard: a FIFO topic as a destination.
fifo = aws.sns.Topic(
    "fifo", name="whatsapp-events.fifo", fifo_topic=True, kms_master_key_id="alias/whatsapp-events"
)

# kms-key-symmetric: an asymmetric key encrypting a topic.
rsa_key = aws.kms.Key("rsa", customer_master_key_spec="RSA_2048", key_usage="ENCRYPT_DECRYPT")
rsa_topic = aws.sns.Topic("rsa-topic", name="rsa-encrypted-events", kms_master_key_id=rsa_key.arn)

# sns-topic-customer-managed-key: the AWS managed key.
managed = aws.sns.Topic("managed", name="managed-key-events", kms_master_key_id="alias/aws/sns")

# service-principal-confused-deputy: a grant to the service without conditions.
aws.sns.TopicPolicy(
    "no-conditions",
    arn=managed.arn,
    policy=managed.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": SERVICE},
                        "Action": "sns:Publish",
                        "Resource": arn,
                    }
                ],
            }
        )
    ),
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
    role=role.name,
    name="anything",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
    ),
)

# waba-destination-delivery-permissions: a destination topic the service may not publish to.
WabaEventDestination(
    "orders",
    WabaEventDestinationArgs(
        waba_id="waba-0123456789abcdef0123456789abcdef",
        region=region,
        event_destination_arn=f"arn:aws:sns:{region}:{account}:whatsapp-events.fifo",
    ),
)
