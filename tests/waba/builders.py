"""Builders for the WABA destination tests: provider properties, and SNS topics, KMS
keys and Connect channel roles in moto with (or without) the grants the service needs."""

from __future__ import annotations

import json
from typing import Any

import boto3

from components.waba.model import SERVICE_PRINCIPAL

PARTITION = "aws"


def props(waba_id: str, destination: str, region: str, **more: Any) -> dict[str, Any]:
    """Provider inputs as the engine passes them after check (defaults filled)."""
    base: dict[str, Any] = {
        "wabaId": waba_id,
        "eventDestinationArn": destination,
        "roleArn": "",
        "region": region,
        "profile": "",
        "assumeRoleArn": "",
        "takeover": False,
        "verify": True,
        "ownerProject": "social-messaging-destinations",
        "ownerStack": "dev",
        "ownerResource": "events-waba",
    }
    base.update(more)
    return base


def confused_deputy(account: str, region: str) -> dict[str, Any]:
    return {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:{PARTITION}:social-messaging:{region}:{account}:*"},
    }


def key_policy(account: str, region: str, grant: bool = True) -> dict[str, Any]:
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{PARTITION}:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if grant:
        statements.append(
            {
                "Sid": "SocialMessagingEncrypts",
                "Effect": "Allow",
                "Principal": {"Service": SERVICE_PRINCIPAL},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": confused_deputy(account, region),
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def topic_policy(topic_arn: str, account: str, region: str, grant: bool = True) -> dict[str, Any]:
    statements: list[dict[str, Any]] = [
        {
            "Sid": "OwnerManages",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{PARTITION}:iam::{account}:root"},
            "Action": ["sns:GetTopicAttributes", "sns:Subscribe"],
            "Resource": topic_arn,
        }
    ]
    if grant:
        statements.append(
            {
                "Sid": "SocialMessagingPublishes",
                "Effect": "Allow",
                "Principal": {"Service": [SERVICE_PRINCIPAL]},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": confused_deputy(account, region),
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def make_key(
    region: str, account: str, key_spec: str = "SYMMETRIC_DEFAULT", grant: bool = True
) -> str:
    """A customer managed key in moto; returns its ARN."""
    kms = boto3.client("kms", region_name=region)
    usage = "ENCRYPT_DECRYPT"
    metadata = kms.create_key(
        KeySpec=key_spec, KeyUsage=usage, Policy=json.dumps(key_policy(account, region, grant))
    )["KeyMetadata"]
    return str(metadata["Arn"])


def make_topic(
    region: str,
    account: str,
    name: str = "whatsapp-events",
    key_id: str | None = "new",
    grant: bool = True,
    fifo: bool = False,
) -> str:
    """A topic in moto, encrypted with a new good key unless told otherwise, with the
    service's topic policy grant unless `grant` is false; returns its ARN."""
    sns = boto3.client("sns", region_name=region)
    attributes = {"FifoTopic": "true"} if fifo else {}
    if key_id == "new":
        key_id = make_key(region, account)
    if key_id:
        attributes["KmsMasterKeyId"] = key_id
    topic_arn = str(sns.create_topic(Name=name, Attributes=attributes)["TopicArn"])
    sns.set_topic_attributes(
        TopicArn=topic_arn,
        AttributeName="Policy",
        AttributeValue=json.dumps(topic_policy(topic_arn, account, region, grant)),
    )
    return topic_arn


def make_channel_role(
    account: str, region: str, name: str = "whatsapp-channel", trust: bool = True
) -> str:
    """A Connect two-way channel role in moto; returns its ARN."""
    iam = boto3.client("iam", region_name=region)
    principal = SERVICE_PRINCIPAL if trust else "lambda.amazonaws.com"
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": [principal]},
                "Action": "sts:AssumeRole",
                "Condition": confused_deputy(account, region),
            }
        ],
    }
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(document))
    iam.put_role_policy(
        RoleName=name,
        PolicyName="channel",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AllowOperationsForEventDelivery",
                        "Effect": "Allow",
                        "Action": ["connect:SendIntegrationEvent"],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    return str(role["Role"]["Arn"])


def connect_instance(account: str, region: str) -> str:
    return (
        f"arn:{PARTITION}:connect:{region}:{account}:instance/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
    )
