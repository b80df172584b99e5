"""The classic `aws` provider (pulumi-aws): type tokens and property names.

Names as the `pulumi_aws` SDK spells them (tests/policy_pack/test_adapters.py checks every
one against the installed SDK); the pack itself does not import it.
"""

from __future__ import annotations

from . import model

FAMILY = "aws"

ADAPTER = model.Family(
    FAMILY,
    {
        "aws:sns/topic:Topic": model.shape(
            FAMILY,
            model.TOPIC,
            {
                model.NAME: "name",
                model.NAME_PREFIX: "namePrefix",
                model.ARN: "arn",
                model.FIFO: "fifoTopic",
                model.KMS_KEY: "kmsMasterKeyId",
                model.POLICY: "policy",
            },
            (model.POLICY,),
        ),
        "aws:sns/topicPolicy:TopicPolicy": model.shape(
            FAMILY,
            model.TOPIC_POLICY,
            {model.TARGETS: "arn", model.POLICY: "policy"},
            (model.POLICY,),
        ),
        "aws:kms/key:Key": model.shape(
            FAMILY,
            model.KEY,
            {
                model.SPEC: "customerMasterKeySpec",
                model.USAGE: "keyUsage",
                model.POLICY: "policy",
                model.KEY_ID: "keyId",
                model.ARN: "arn",
                model.ID: "id",
            },
            (model.POLICY,),
        ),
        "aws:kms/keyPolicy:KeyPolicy": model.shape(
            FAMILY,
            model.KEY_POLICY,
            {model.TARGETS: "keyId", model.POLICY: "policy"},
            (model.POLICY,),
        ),
        "aws:kms/alias:Alias": model.shape(
            FAMILY,
            model.ALIAS,
            {
                model.NAME: "name",
                model.TARGET_KEY: "targetKeyId",
                model.TARGET_KEY_ARN: "targetKeyArn",
            },
        ),
        "aws:iam/role:Role": model.shape(
            FAMILY,
            model.ROLE,
            {
                model.NAME: "name",
                model.ARN: "arn",
                model.TRUST_POLICY: "assumeRolePolicy",
                model.INLINE_POLICIES: "inlinePolicies",
                model.INLINE_NAME: "name",
                model.INLINE_DOCUMENT: "policy",
                model.MANAGED_POLICY_ARNS: "managedPolicyArns",
            },
            (model.TRUST_POLICY,),
        ),
        "aws:iam/rolePolicy:RolePolicy": model.shape(
            FAMILY,
            model.ROLE_POLICY,
            {model.NAME: "name", model.ROLES: "role", model.POLICY: "policy"},
        ),
        "aws:iam/policy:Policy": model.shape(
            FAMILY,
            model.MANAGED_POLICY,
            {model.NAME: "name", model.ARN: "arn", model.POLICY: "policy"},
        ),
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": model.shape(
            FAMILY, model.POLICY_ATTACHMENT, {model.ROLES: "role", model.POLICY_ARN: "policyArn"}
        ),
        "aws:iam/policyAttachment:PolicyAttachment": model.shape(
            FAMILY, model.POLICY_ATTACHMENT, {model.ROLES: "roles", model.POLICY_ARN: "policyArn"}
        ),
        "aws:sqs/queue:Queue": model.shape(
            FAMILY, model.QUEUE, {model.POLICY: "policy"}, (model.POLICY,)
        ),
        "aws:sqs/queuePolicy:QueuePolicy": model.shape(
            FAMILY,
            model.QUEUE_POLICY,
            {model.TARGETS: "queueUrl", model.POLICY: "policy"},
            (model.POLICY,),
        ),
        "aws:connect/instance:Instance": model.shape(
            FAMILY, model.CONNECT_INSTANCE, {model.ARN: "arn"}
        ),
    },
)
