"""A stand-in for the `aws` resource plugin (pulumi-aws), backed by moto's server.

The real plugin is a Go binary from GitHub releases and cannot be had offline. This test
double speaks the same resource-provider gRPC protocol, so the real Pulumi CLI loads it
(as `pulumi-resource-aws` on PATH, see tests/fakes/bin) in its place, and performs each
operation against moto through boto3 (`AWS_ENDPOINT_URL_*`), so that what `pulumi up`
creates really exists there and what `pulumi destroy` deletes is really gone.

It covers the resource types and invokes that the project's program and
examples/consumer use; any other type or invoke fails with its name. It does not
reproduce the real provider's schema defaults, its retries, its import support,
`aws:endpoints` and other provider settings, or drift detection beyond existence.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from concurrent import futures
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import boto3
import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from components.pulumi_compat import SECRET_SIGNATURE, SIGNATURE_KEY, UNKNOWN

DEFAULT_REGION = "us-east-1"


def _plain(value: Any) -> Any:
    """Unwrap secret envelopes (the provider does not accept secrets, but be safe)."""
    if isinstance(value, dict):
        if value.get(SIGNATURE_KEY) == SECRET_SIGNATURE:
            return _plain(value.get("value"))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_dict(struct: struct_pb2.Struct | None) -> dict[str, Any]:
    if struct is None:
        return {}
    return _plain(json_format.MessageToDict(struct))


def to_struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update({k: v for k, v in values.items() if v is not None})
    return struct


def type_of(urn: str) -> str:
    """The resource type token of a URN (`urn:pulumi:stack::project::parent$type::name`)."""
    return urn.split("::")[2].split("$")[-1]


def _tags(values: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): _text(v) for k, v in (values.get("tags") or {}).items()}


def _text(value: Any) -> str:
    """An attribute value as AWS wants it (protobuf Structs carry every number as a float)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _int(value: Any, default: int) -> int:
    return default if value in (None, "") else int(value)


class ResourceGone(Exception):
    """The resource no longer exists in moto (Read answers with no id)."""


@dataclass
class Clients:
    region: str = DEFAULT_REGION
    _made: dict[str, Any] = field(default_factory=dict)

    def __call__(self, service: str) -> Any:
        if service not in self._made:
            self._made[service] = boto3.client(service, region_name=self.region)
        return self._made[service]


# ---- one handler per resource type -------------------------------------------------
# Each returns (id, outputs) for create/update, outputs for read, and nothing for delete.


class KmsKey:
    replace_on = ("customerMasterKeySpec", "keyUsage")

    def create(self, aws: Clients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        args: dict[str, Any] = {
            "Description": inputs.get("description", ""),
            "KeyUsage": inputs.get("keyUsage", "ENCRYPT_DECRYPT"),
            "KeySpec": inputs.get("customerMasterKeySpec", "SYMMETRIC_DEFAULT"),
            "Tags": [{"TagKey": k, "TagValue": v} for k, v in _tags(inputs).items()],
        }
        if inputs.get("policy"):
            args["Policy"] = inputs["policy"]
        key = aws("kms").create_key(**args)["KeyMetadata"]
        if inputs.get("enableKeyRotation"):
            aws("kms").enable_key_rotation(KeyId=key["KeyId"])
        return key["KeyId"], self.read(aws, key["KeyId"], inputs)

    def read(self, aws: Clients, id_: str, inputs: dict[str, Any]) -> dict[str, Any]:
        try:
            key = aws("kms").describe_key(KeyId=id_)["KeyMetadata"]
        except aws("kms").exceptions.NotFoundException as error:
            raise ResourceGone from error
        if key["KeyState"] == "PendingDeletion":
            raise ResourceGone
        policy = aws("kms").get_key_policy(KeyId=id_, PolicyName="default")["Policy"]
        return {
            **inputs,
            "arn": key["Arn"],
            "keyId": key["KeyId"],
            "policy": policy,
            "description": key.get("Description", ""),
            "tagsAll": _tags(inputs),
        }

    def update(
        self, aws: Clients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        kms = aws("kms")
        if news.get("policy") and news.get("policy") != olds.get("policy"):
            kms.put_key_policy(KeyId=id_, PolicyName="default", Policy=news["policy"])
        if news.get("description", "") != olds.get("description", ""):
            kms.update_key_description(KeyId=id_, Description=news.get("description", ""))
        if bool(news.get("enableKeyRotation")) != bool(olds.get("enableKeyRotation")):
            rotate = (
                kms.enable_key_rotation
                if news.get("enableKeyRotation")
                else kms.disable_key_rotation
            )
            rotate(KeyId=id_)
        return self.read(aws, id_, news)

    def delete(self, aws: Clients, id_: str, olds: dict[str, Any]) -> None:
        window = _int(olds.get("deletionWindowInDays"), 30)
        aws("kms").schedule_key_deletion(KeyId=id_, PendingWindowInDays=window)


class KmsAlias:
    replace_on = ("name",)

    def create(self, aws: Clients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        aws("kms").create_alias(AliasName=inputs["name"], TargetKeyId=inputs["targetKeyId"])
        return inputs["name"], self.read(aws, inputs["name"], inputs)

    def read(self, aws: Clients, id_: str, inputs: dict[str, Any]) -> dict[str, Any]:
        aliases = aws("kms").list_aliases()["Aliases"]
        found = next((a for a in aliases if a["AliasName"] == id_), None)
        if found is None:
            raise ResourceGone
        key = aws("kms").describe_key(KeyId=found["TargetKeyId"])["KeyMetadata"]
        return {
            **inputs,
            "name": id_,
            "arn": found["AliasArn"],
            "targetKeyId": found["TargetKeyId"],
            "targetKeyArn": key["Arn"],
        }

    def update(
        self, aws: Clients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        aws("kms").update_alias(AliasName=id_, TargetKeyId=news["targetKeyId"])
        return self.read(aws, id_, news)

    def delete(self, aws: Clients, id_: str, olds: dict[str, Any]) -> None:
        aws("kms").delete_alias(AliasName=id_)


def _topic_attributes(inputs: Mapping[str, Any]) -> dict[str, str]:
    attributes = {}
    if inputs.get("kmsMasterKeyId"):
        attributes["KmsMasterKeyId"] = str(inputs["kmsMasterKeyId"])
    if inputs.get("fifoTopic"):
        attributes["FifoTopic"] = "true"
    if inputs.get("policy"):
        attributes["Policy"] = str(inputs["policy"])
    return attributes


def _live_topic_attributes(aws: Clients, arn: str) -> dict[str, str]:
    try:
        return dict(aws("sns").get_topic_attributes(TopicArn=arn)["Attributes"])
    except aws("sns").exceptions.NotFoundException as error:
        raise ResourceGone from error


class SnsTopic:
    replace_on = ("name", "fifoTopic")

    def create(self, aws: Clients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        arn = aws("sns").create_topic(
            Name=inputs["name"],
            Attributes=_topic_attributes(inputs),
            Tags=[{"Key": k, "Value": v} for k, v in _tags(inputs).items()],
        )["TopicArn"]
        return arn, self.read(aws, arn, inputs)

    def read(self, aws: Clients, id_: str, inputs: dict[str, Any]) -> dict[str, Any]:
        attributes = _live_topic_attributes(aws, id_)
        return {
            **inputs,
            "arn": id_,
            "name": id_.rsplit(":", 1)[-1],
            "kmsMasterKeyId": attributes.get("KmsMasterKeyId", ""),
            "policy": attributes.get("Policy", ""),
            "owner": attributes.get("Owner", ""),
            "tagsAll": _tags(inputs),
        }

    def update(
        self, aws: Clients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        for name, value in _topic_attributes(news).items():
            if value != _topic_attributes(olds).get(name):
                aws("sns").set_topic_attributes(
                    TopicArn=id_, AttributeName=name, AttributeValue=value
                )
        return self.read(aws, id_, news)

    def delete(self, aws: Clients, id_: str, olds: dict[str, Any]) -> None:
        aws("sns").delete_topic(TopicArn=id_)


class SnsTopicPolicy:
    replace_on = ("arn",)

    def create(self, aws: Clients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        aws("sns").set_topic_attributes(
            TopicArn=inputs["arn"], AttributeName="Policy", AttributeValue=inputs["policy"]
        )
        return inputs["arn"], self.read(aws, inputs["arn"], inputs)

    def read(self, aws: Clients, id_: str, inputs: dict[str, Any]) -> dict[str, Any]:
        attributes = _live_topic_attributes(aws, id_)
        return {
            **inputs,
            "arn": id_,
            "policy": attributes.get("Policy", ""),
            "owner": attributes.get("Owner", ""),
        }

    def update(
        self, aws: Clients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        return self.create(aws, news)[1]

    def delete(self, aws: Clients, id_: str, olds: dict[str, Any]) -> None:
        # As pulumi-aws does: put back the topic's default policy (owner only).
        account = id_.split(":")[4]
        default = {
            "Version": "2008-10-17",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": ["SNS:Publish", "SNS:GetTopicAttributes", "SNS:SetTopicAttributes"],
                    "Resource": id_,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
                }
            ],
        }
        try:
            aws("sns").set_topic_attributes(
                TopicArn=id_, AttributeName="Policy", AttributeValue=json.dumps(default)
            )
        except aws("sns").exceptions.NotFoundException:
            pass


class SnsTopicSubscription:
    replace_on = ("topic", "protocol", "endpoint")

    def create(self, aws: Clients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        attributes = {}
        if inputs.get("rawMessageDelivery"):
            attributes["RawMessageDelivery"] = "true"
        arn = aws("sns").subscribe(
            TopicArn=inputs["topic"],
            Protocol=inputs["protocol"],
            Endpoint=inputs["endpoint"],
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        return arn, self.read(aws, arn, inputs)

    def read(self, aws: Clients, id_: str, inputs: dict[str, Any]) -> dict[str, Any]:
        try:
            aws("sns").get_subscription_attributes(SubscriptionArn=id_)
        except aws("sns").exceptions.NotFoundException as error:
            raise ResourceGone from error
        return {**inputs, "arn": id_}

    def update(
        self, aws: Clients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        raw = "true" if news.get("rawMessageDelivery") else "false"
        aws("sns").set_subscription_attributes(
            SubscriptionArn=id_, AttributeName="RawMessageDelivery", AttributeValue=raw
        )
        return self.read(aws, id_, news)

    def delete(self, aws: Clients, id_: str, olds: dict[str, Any]) -> None:
        aws("sns").unsubscribe(SubscriptionArn=id_)


class IamRole:
    replace_on = ("name",)

    def create(self, aws: Clients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        aws("iam").create_role(
            RoleName=inputs["name"],
            AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
            Description=inputs.get("description", ""),
            Tags=[{"Key": k, "Value": v} for k, v in _tags(inputs).items()],
        )
        return inputs["name"], self.read(aws, inputs["name"], inputs)

    def read(self, aws: Clients, id_: str, inputs: dict[str, Any]) -> dict[str, Any]:
        try:
            role = aws("iam").get_role(RoleName=id_)["Role"]
        except aws("iam").exceptions.NoSuchEntityException as error:
            raise ResourceGone from error
        return {
            **inputs,
            "name": id_,
            "arn": role["Arn"],
            "uniqueId": role["RoleId"],
            "tagsAll": _tags(inputs),
        }

    def update(
        self, aws: Clients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        if news.get("assumeRolePolicy") != olds.get("assumeRolePolicy"):
            aws("iam").update_assume_role_policy(
                RoleName=id_, PolicyDocument=news["assumeRolePolicy"]
            )
        if news.get("description", "") != olds.get("description", ""):
            aws("iam").update_role(RoleName=id_, Description=news.get("description", ""))
        return self.read(aws, id_, news)

    def delete(self, aws: Clients, id_: str, olds: dict[str, Any]) -> None:
        aws("iam").delete_role(RoleName=id_)


class IamRolePolicy:
    replace_on = ("name", "role")

    def create(self, aws: Clients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        aws("iam").put_role_policy(
            RoleName=inputs["role"], PolicyName=inputs["name"], PolicyDocument=inputs["policy"]
        )
        id_ = f"{inputs['role']}:{inputs['name']}"
        return id_, self.read(aws, id_, inputs)

    def read(self, aws: Clients, id_: str, inputs: dict[str, Any]) -> dict[str, Any]:
        role, name = id_.split(":", 1)
        try:
            aws("iam").get_role_policy(RoleName=role, PolicyName=name)
        except aws("iam").exceptions.NoSuchEntityException as error:
            raise ResourceGone from error
        return {**inputs, "role": role, "name": name}

    def update(
        self, aws: Clients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        return self.create(aws, news)[1]

    def delete(self, aws: Clients, id_: str, olds: dict[str, Any]) -> None:
        role, name = id_.split(":", 1)
        aws("iam").delete_role_policy(RoleName=role, PolicyName=name)


_QUEUE_ATTRIBUTES = {
    "kmsMasterKeyId": "KmsMasterKeyId",
    "messageRetentionSeconds": "MessageRetentionPeriod",
    "visibilityTimeoutSeconds": "VisibilityTimeout",
    "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
    "redrivePolicy": "RedrivePolicy",
    "policy": "Policy",
}


def _queue_attributes(inputs: Mapping[str, Any]) -> dict[str, str]:
    return {
        aws_name: _text(inputs[name])
        for name, aws_name in _QUEUE_ATTRIBUTES.items()
        if inputs.get(name) not in (None, "")
    }


class SqsQueue:
    replace_on = ("name",)

    def create(self, aws: Clients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        url = aws("sqs").create_queue(
            QueueName=inputs["name"], Attributes=_queue_attributes(inputs), tags=_tags(inputs)
        )["QueueUrl"]
        return url, self.read(aws, url, inputs)

    def read(self, aws: Clients, id_: str, inputs: dict[str, Any]) -> dict[str, Any]:
        try:
            attributes = aws("sqs").get_queue_attributes(QueueUrl=id_, AttributeNames=["QueueArn"])
        except aws("sqs").exceptions.QueueDoesNotExist as error:
            raise ResourceGone from error
        return {
            **inputs,
            "url": id_,
            "arn": attributes["Attributes"]["QueueArn"],
            "tagsAll": _tags(inputs),
        }

    def update(
        self, aws: Clients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        aws("sqs").set_queue_attributes(QueueUrl=id_, Attributes=_queue_attributes(news))
        return self.read(aws, id_, news)

    def delete(self, aws: Clients, id_: str, olds: dict[str, Any]) -> None:
        aws("sqs").delete_queue(QueueUrl=id_)


class SqsQueuePolicy:
    replace_on = ("queueUrl",)

    def create(self, aws: Clients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        aws("sqs").set_queue_attributes(
            QueueUrl=inputs["queueUrl"], Attributes={"Policy": inputs["policy"]}
        )
        return inputs["queueUrl"], self.read(aws, inputs["queueUrl"], inputs)

    def read(self, aws: Clients, id_: str, inputs: dict[str, Any]) -> dict[str, Any]:
        try:
            aws("sqs").get_queue_attributes(QueueUrl=id_, AttributeNames=["Policy"])
        except aws("sqs").exceptions.QueueDoesNotExist as error:
            raise ResourceGone from error
        return {**inputs, "queueUrl": id_}

    def update(
        self, aws: Clients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        return self.create(aws, news)[1]

    def delete(self, aws: Clients, id_: str, olds: dict[str, Any]) -> None:
        try:
            aws("sqs").set_queue_attributes(QueueUrl=id_, Attributes={"Policy": ""})
        except aws("sqs").exceptions.QueueDoesNotExist:
            pass


RESOURCES: dict[str, Any] = {
    "aws:kms/key:Key": KmsKey(),
    "aws:kms/alias:Alias": KmsAlias(),
    "aws:sns/topic:Topic": SnsTopic(),
    "aws:sns/topicPolicy:TopicPolicy": SnsTopicPolicy(),
    "aws:sns/topicSubscription:TopicSubscription": SnsTopicSubscription(),
    "aws:iam/role:Role": IamRole(),
    "aws:iam/rolePolicy:RolePolicy": IamRolePolicy(),
    "aws:sqs/queue:Queue": SqsQueue(),
    "aws:sqs/queuePolicy:QueuePolicy": SqsQueuePolicy(),
}


def _partition(aws: Clients) -> dict[str, Any]:
    partition = boto3.session.Session().get_partition_for_region(aws.region)
    suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return {
        "id": partition,
        "partition": partition,
        "dnsSuffix": suffix,
        "reverseDnsPrefix": ".".join(reversed(suffix.split("."))),
    }


def _region(aws: Clients) -> dict[str, Any]:
    return {
        "id": aws.region,
        "region": aws.region,
        "name": aws.region,
        "endpoint": f"ec2.{aws.region}.amazonaws.com",
        "description": aws.region,
    }


def _caller_identity(aws: Clients) -> dict[str, Any]:
    identity = aws("sts").get_caller_identity()
    return {
        "id": identity["Account"],
        "accountId": identity["Account"],
        "arn": identity["Arn"],
        "userId": identity["UserId"],
    }


INVOKES: dict[str, Callable[[Clients], dict[str, Any]]] = {
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
}


def _internal(key: str) -> bool:
    return key.startswith("__")


class StandInAwsProvider(provider_pb2_grpc.ResourceProviderServicer):
    def __init__(self) -> None:
        self.aws = Clients(os.environ.get("AWS_REGION") or DEFAULT_REGION)

    # ---- provider configuration ----
    def GetPluginInfo(self, request: Any, context: Any) -> Any:
        return plugin_pb2.PluginInfo(version=_version())

    def CheckConfig(self, request: Any, context: Any) -> Any:
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request: Any, context: Any) -> Any:
        olds, news = to_dict(request.olds), to_dict(request.news)
        changed = olds.get("region") != news.get("region")
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME
            if changed
            else provider_pb2.DiffResponse.DIFF_NONE
        )

    def Configure(self, request: Any, context: Any) -> Any:
        args = to_dict(request.args)
        region = args.get("region") or request.variables.get("aws:config:region") or self.aws.region
        if region != UNKNOWN:
            self.aws = Clients(str(region))
        return provider_pb2.ConfigureResponse(
            acceptSecrets=False, acceptResources=False, supportsPreview=True
        )

    # ---- invokes ----
    def Invoke(self, request: Any, context: Any) -> Any:
        invoke = INVOKES.get(request.tok)
        if invoke is None:
            context.abort(
                grpc.StatusCode.UNIMPLEMENTED,
                f"the stand-in aws plugin does not implement invoke {request.tok}",
            )
            raise AssertionError("abort raises")
        return provider_pb2.InvokeResponse(**{"return": to_struct(invoke(self.aws))})

    # ---- resources ----
    def _handler(self, urn: str, context: Any) -> Any:
        handler = RESOURCES.get(type_of(urn))
        if handler is None:
            context.abort(
                grpc.StatusCode.UNIMPLEMENTED,
                f"the stand-in aws plugin does not implement resource type {type_of(urn)}",
            )
        return handler

    def Check(self, request: Any, context: Any) -> Any:
        self._handler(request.urn, context)
        news = to_dict(request.news)
        if "name" not in news and type_of(request.urn) in (
            "aws:sns/topic:Topic",
            "aws:iam/role:Role",
        ):
            news["name"] = f"{request.urn.rsplit('::', 1)[-1]}-{os.urandom(3).hex()}"
        return provider_pb2.CheckResponse(inputs=to_struct(news))

    def Diff(self, request: Any, context: Any) -> Any:
        handler = self._handler(request.urn, context)
        olds = {
            k: v for k, v in to_dict(request.old_inputs or request.olds).items() if not _internal(k)
        }
        news = {k: v for k, v in to_dict(request.news).items() if not _internal(k)}
        changed = sorted(k for k in set(olds) | set(news) if olds.get(k) != news.get(k))
        replaces = [k for k in changed if k in handler.replace_on]
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME
            if changed
            else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=changed,
            replaces=replaces,
        )

    def Create(self, request: Any, context: Any) -> Any:
        handler = self._handler(request.urn, context)
        inputs = to_dict(request.properties)
        if request.preview:
            return provider_pb2.CreateResponse(id="", properties=request.properties)
        id_, outputs = handler.create(self.aws, inputs)
        return provider_pb2.CreateResponse(id=id_, properties=to_struct(outputs))

    def Read(self, request: Any, context: Any) -> Any:
        handler = self._handler(request.urn, context)
        inputs = to_dict(request.inputs)
        try:
            outputs = handler.read(self.aws, request.id, {**to_dict(request.properties), **inputs})
        except ResourceGone:
            return provider_pb2.ReadResponse(id="")
        return provider_pb2.ReadResponse(
            id=request.id, properties=to_struct(outputs), inputs=to_struct(inputs)
        )

    def Update(self, request: Any, context: Any) -> Any:
        handler = self._handler(request.urn, context)
        news = to_dict(request.news)
        if request.preview:
            return provider_pb2.UpdateResponse(properties=request.news)
        olds = to_dict(request.old_inputs or request.olds)
        outputs = handler.update(self.aws, request.id, olds, news)
        return provider_pb2.UpdateResponse(properties=to_struct(outputs))

    def Delete(self, request: Any, context: Any) -> Any:
        handler = self._handler(request.urn, context)
        handler.delete(self.aws, request.id, to_dict(request.old_inputs or request.properties))
        return empty_pb2.Empty()

    def Cancel(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()


def _version() -> str:
    try:
        return metadata.version("pulumi_aws")
    except metadata.PackageNotFoundError:
        return "7.0.0"


def main() -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(StandInAwsProvider(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    # The engine reads the port from the plugin's first line of output.
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
