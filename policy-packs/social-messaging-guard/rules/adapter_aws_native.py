"""The `aws-native` provider (pulumi-aws-native, CloudFormation's resource model).

Names as the `pulumi_aws_native` SDK spells them (tests/policy_pack/test_adapters.py checks
every one against the installed SDK); the pack itself does not import it. What differs
from the classic provider: a topic has no policy of its own (`TopicPolicy` names a list of
topics, `TopicInlinePolicy` one), a key holds its policy in `keyPolicy` and its spec in
`keySpec`, policy documents are objects rather than JSON strings, a role's inline policies
are `policies` of `{policyName, policyDocument}`, and a `ManagedPolicy` attaches itself to
the `roles` it names.
"""

from __future__ import annotations

from . import model

FAMILY = "aws-native"

ADAPTER = model.Family(
    FAMILY,
    {
        "aws-native:sns:Topic": model.shape(
            FAMILY,
            model.TOPIC,
            {
                model.NAME: "topicName",
                model.ARN: "topicArn",
                model.FIFO: "fifoTopic",
                model.KMS_KEY: "kmsMasterKeyId",
            },
        ),
        "aws-native:sns:TopicPolicy": model.shape(
            FAMILY,
            model.TOPIC_POLICY,
            {model.TARGETS: "topics", model.POLICY: "policyDocument"},
            (model.POLICY,),
        ),
        "aws-native:sns:TopicInlinePolicy": model.shape(
            FAMILY,
            model.TOPIC_POLICY,
            {model.TARGETS: "topicArn", model.POLICY: "policyDocument"},
            (model.POLICY,),
        ),
        "aws-native:kms:Key": model.shape(
            FAMILY,
            model.KEY,
            {
                model.SPEC: "keySpec",
                model.USAGE: "keyUsage",
                model.POLICY: "keyPolicy",
                model.KEY_ID: "keyId",
                model.ARN: "arn",
            },
            (model.POLICY,),
        ),
        "aws-native:kms:Alias": model.shape(
            FAMILY, model.ALIAS, {model.NAME: "aliasName", model.TARGET_KEY: "targetKeyId"}
        ),
        "aws-native:iam:Role": model.shape(
            FAMILY,
            model.ROLE,
            {
                model.NAME: "roleName",
                model.ARN: "arn",
                model.TRUST_POLICY: "assumeRolePolicyDocument",
                model.INLINE_POLICIES: "policies",
                model.INLINE_NAME: "policyName",
                model.INLINE_DOCUMENT: "policyDocument",
                model.MANAGED_POLICY_ARNS: "managedPolicyArns",
            },
            (model.TRUST_POLICY,),
        ),
        "aws-native:iam:RolePolicy": model.shape(
            FAMILY,
            model.ROLE_POLICY,
            {model.NAME: "policyName", model.ROLES: "roleName", model.POLICY: "policyDocument"},
        ),
        "aws-native:iam:ManagedPolicy": model.shape(
            FAMILY,
            model.MANAGED_POLICY,
            {
                model.NAME: "managedPolicyName",
                model.ARN: "policyArn",
                model.POLICY: "policyDocument",
                model.ROLES: "roles",
            },
        ),
        "aws-native:sqs:Queue": model.shape(FAMILY, model.QUEUE, {model.ARN: "arn"}),
        "aws-native:sqs:QueueInlinePolicy": model.shape(
            FAMILY,
            model.QUEUE_POLICY,
            {model.TARGETS: "queue", model.POLICY: "policyDocument"},
            (model.POLICY,),
        ),
        # CloudFormation's AWS::SQS::QueuePolicy: one document for a list of queue URLs.
        "aws-native:sqs:QueuePolicy": model.shape(
            FAMILY,
            model.QUEUE_POLICY,
            {model.TARGETS: "queues", model.POLICY: "policyDocument"},
            (model.POLICY,),
        ),
        "aws-native:connect:Instance": model.shape(
            FAMILY, model.CONNECT_INSTANCE, {model.ARN: "arn"}
        ),
    },
)
