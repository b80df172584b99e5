"""The pack's cost against pulumi-policy's own: `python -m benchmarks.policy_pack`.

Three packs answer the same `AnalyzeStack` requests over the same gRPC path, each in its
own process started as the engine starts a pack:

- pack:  social-messaging-guard;
- null:  the same six policies, same names, types and levels, whose checks do nothing,
         in a process with the pack's collector settings (`rules.engine.tune_collector`)
         but pulumi-policy's own servicer: what pulumi-policy costs for our shape when it
         deserialises the stack once per stack policy (five times). The pack deserialises it
         once for all its stack policies (`rules.shared_stack`), so pack/null below 1 is
         that saving less the cost of the checks;
- empty: one no-op resource policy and one no-op stack policy, in a default process.

Stacks of 100, 1,000 and 10,000 resources in four shapes: `project` (only the project's
own resources, as the program renders them: its components, one encrypted topic, one
channel role, and the destinations of many WABAs), `unrelated` (one SNS and one Connect
destination plus unrelated serverless apps: bucket, role with its attachment, queue and
queue policy, log group, function, event source mapping), `topics` (topics that each have
a topic policy, in both provider families) and `own-topics` (destinations that each have
their own key, alias, topic, topic policy or channel role and role policy: the most work
per resource for the pack). The hostile
shapes (`--shapes hostile`) are those a stack author could write to slow a preview down:
`rsa-keys` (RSA keys with key policies whose key is unknown), `role-policies` (roles the
service assumes with role policies whose role is unknown), `one-name` (topics that all have
one name, and destinations at it), `one-topic` (every resource a topic policy on one
topic), `loud` (topics whose one statement grants 40 services under 40 bad values) and
`hostile-mix` (a fifth of each); the pack must grow linearly on each, and cost at most
twice the `project` stack on the mix. The table
gives the median `AnalyzeStack` time of interleaved runs, the pack's ratio to the null and
to the empty pack, and the growth exponent from 1,000 to 10,000 resources (1.0 is linear).
Timings on a shared machine vary; read the ratios.

    python -m benchmarks.policy_pack                      # 100 and 1,000 resources
    python -m benchmarks.policy_pack --sizes 100 1000 10000 --runs 5
    python -m benchmarks.policy_pack --shapes hostile --sizes 1000 10000
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from components.pulumi_compat import UNKNOWN
from destination_review.policy_analyzer import (
    PACK_DIR,
    AnalyzedResource,
    PolicyPackServer,
    make_urn,
    stack_request,
)

PARTITION = "aws"
LAMBDA_BASIC_EXECUTION = "service-role/AWSLambdaBasicExecutionRole"
ACCOUNT = "111122223333"
REGION = "us-east-1"
PACKS = ("pack", "null", "empty")
SHAPES = ("project", "unrelated", "topics", "own-topics")
HOSTILE_SHAPES = ("rsa-keys", "role-policies", "one-name", "one-topic", "loud", "hostile-mix")
CONDITIONS = {
    "StringEquals": {"aws:SourceAccount": ACCOUNT},
    "ArnLike": {"aws:SourceArn": f"arn:{PARTITION}:social-messaging:{REGION}:{ACCOUNT}:*"},
}
SERVICE = {"Service": "social-messaging.amazonaws.com"}
CHANNEL_TRUST = {
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": SERVICE,
            "Action": "sts:AssumeRole",
            "Condition": CONDITIONS,
        }
    ]
}

# The null and empty packs: Python programs the engine would run, next to a PulumiPolicy.yaml.
NULL_PACK = f"""
import sys
sys.path.insert(0, {str(PACK_DIR)!r})
from pulumi_policy import PolicyPack, ResourceValidationPolicy, StackValidationPolicy
from rules import PACK_NAME, policies
from rules.engine import tune_collector

def nothing(args, report_violation):
    return None

def null(policy):
    stack = isinstance(policy, StackValidationPolicy)
    kind = StackValidationPolicy if stack else ResourceValidationPolicy
    return kind(name=policy.name, description=policy.description,
                enforcement_level=policy.enforcement_level, config_schema=policy.config_schema,
                validate=nothing)

tune_collector()  # the pack's process settings, so the ratio is the checks' own cost
PolicyPack(name=PACK_NAME, policies=[null(p) for p in policies()])
"""
EMPTY_PACK = """
from pulumi_policy import EnforcementLevel, PolicyPack
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

def nothing(args, report_violation):
    return None

PolicyPack(name="empty", policies=[
    ResourceValidationPolicy(name="no-op-resource", description="Nothing.",
                             enforcement_level=EnforcementLevel.MANDATORY, validate=nothing),
    StackValidationPolicy(name="no-op-stack", description="Nothing.",
                          enforcement_level=EnforcementLevel.MANDATORY, validate=nothing),
])
"""


def resource(
    type_: str, name: str, properties: dict[str, Any], links: dict[str, list[str]] | None = None
) -> AnalyzedResource:
    """A resource as preview sends it; `links` are property dependencies by resource URN."""
    links = links or {}
    return AnalyzedResource(
        type_,
        name,
        properties,
        dependencies=sorted({urn for urns in links.values() for urn in urns}),
        property_dependencies=links,
    )


def urn(type_: str, name: str) -> str:
    return make_urn(type_, name)


def sns_destination(index: int) -> list[AnalyzedResource]:
    """An encrypted topic with its key, alias, topic policy and destination: 5 resources."""
    name = f"events-{index}"
    key_urn = urn("aws:kms/key:Key", f"{name}-key")
    topic_urn = urn("aws:sns/topic:Topic", name)
    key_policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{PARTITION}:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Principal": SERVICE,
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": CONDITIONS,
            },
        ]
    }
    topic_policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": SERVICE,
                "Action": "sns:Publish",
                "Resource": f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{name}",
                "Condition": CONDITIONS,
            }
        ]
    }
    return [
        resource(
            "aws:kms/key:Key",
            f"{name}-key",
            {"policy": json.dumps(key_policy), "arn": UNKNOWN, "keyId": UNKNOWN},
        ),
        resource(
            "aws:kms/alias:Alias",
            f"{name}-alias",
            {"name": f"alias/{name}", "targetKeyId": UNKNOWN},
            {"targetKeyId": [key_urn]},
        ),
        resource(
            "aws:sns/topic:Topic",
            name,
            {"name": name, "kmsMasterKeyId": f"alias/{name}", "arn": UNKNOWN},
        ),
        resource(
            "aws:sns/topicPolicy:TopicPolicy",
            f"{name}-policy",
            {"arn": UNKNOWN, "policy": json.dumps(topic_policy)},
            {"arn": [topic_urn]},
        ),
        resource(
            "pulumi-python:dynamic/social-messaging:WabaEventDestination",
            f"{name}-waba",
            {
                "wabaId": f"waba-{index:032x}",
                "eventDestinationArn": f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{name}",
            },
        ),
    ]


def role_with_policy(name: str, role: str, permissions: Any) -> list[AnalyzedResource]:
    """A role social-messaging assumes, and a role policy naming `role` (its name, or not)."""
    return [
        resource("aws:iam/role:Role", name, {"name": name, "assumeRolePolicy": CHANNEL_TRUST}),
        resource(
            "aws:iam/rolePolicy:RolePolicy",
            f"{name}-policy",
            {"role": role, "policy": json.dumps(permissions)},
        ),
    ]


def connect_destination(index: int) -> list[AnalyzedResource]:
    """The channel role with its policy and a Connect destination: 3 resources."""
    name = f"channel-{index}"
    permissions = {
        "Statement": [
            {
                "Effect": "Allow",
                "Resource": "*",
                "Action": [
                    "connect:SendIntegrationEvent",
                    "connect:ImportPhoneNumber",
                    "social-messaging:GetLinkedWhatsAppBusinessAccountPhoneNumber",
                    "social-messaging:TagResource",
                ],
            }
        ]
    }
    return [
        *role_with_policy(name, name, permissions),
        resource(
            "pulumi-python:dynamic/social-messaging:WabaEventDestination",
            f"{name}-waba",
            {
                "wabaId": f"waba-{index:032x}",
                "eventDestinationArn": f"arn:{PARTITION}:connect:{REGION}:{ACCOUNT}:instance/0a1b",
                "roleArn": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{name}",
            },
        ),
    ]


def serverless_app(index: int) -> list[AnalyzedResource]:
    """An unrelated app: bucket, role and attachment, queue and policy, logs, function: 8."""
    name = f"app-{index}"
    role_urn = urn("aws:iam/role:Role", f"{name}-role")
    queue_urn = urn("aws:sqs/queue:Queue", f"{name}-queue")
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ]
    }
    queue_policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{PARTITION}:iam::{ACCOUNT}:root"},
                "Action": "sqs:*",
                "Resource": "*",
            }
        ]
    }
    return [
        resource("aws:s3/bucketV2:BucketV2", f"{name}-bucket", {"bucket": f"{name}-bucket"}),
        resource(
            "aws:iam/role:Role",
            f"{name}-role",
            {"name": f"{name}-role", "assumeRolePolicy": json.dumps(trust), "arn": UNKNOWN},
        ),
        resource(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            f"{name}-logs",
            {
                "role": f"{name}-role",
                "policyArn": f"arn:{PARTITION}:iam::aws:policy/{LAMBDA_BASIC_EXECUTION}",
            },
        ),
        resource("aws:sqs/queue:Queue", f"{name}-queue", {"name": f"{name}-queue", "url": UNKNOWN}),
        resource(
            "aws:sqs/queuePolicy:QueuePolicy",
            f"{name}-queue-policy",
            {"queueUrl": UNKNOWN, "policy": json.dumps(queue_policy)},
            {"queueUrl": [queue_urn]},
        ),
        resource(
            "aws:cloudwatch/logGroup:LogGroup",
            f"{name}-logs-group",
            {"name": f"/aws/lambda/{name}", "retentionInDays": 14},
        ),
        resource(
            "aws:lambda/function:Function",
            f"{name}-function",
            {
                "name": name,
                "role": UNKNOWN,
                "runtime": "python3.12",
                "handler": "app.handler",
                "environment": {"variables": {"BUCKET": f"{name}-bucket"}},
            },
            {"role": [role_urn]},
        ),
        resource(
            "aws:lambda/eventSourceMapping:EventSourceMapping",
            f"{name}-mapping",
            {"eventSourceArn": UNKNOWN, "functionName": UNKNOWN, "batchSize": 10},
        ),
    ]


def topic_with_policy(index: int) -> list[AnalyzedResource]:
    """A topic and its topic policy, classic or aws-native by turns: 2 resources."""
    name = f"alerts-{index}"
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{name}",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{PARTITION}:cloudwatch:{REGION}:{ACCOUNT}:alarm:*"
                    },
                },
            }
        ]
    }
    if index % 2:
        topic_urn = urn("aws-native:sns:Topic", name)
        return [
            resource("aws-native:sns:Topic", name, {"topicName": name, "topicArn": UNKNOWN}),
            resource(
                "aws-native:sns:TopicPolicy",
                f"{name}-policy",
                {"topics": [UNKNOWN], "policyDocument": policy},
                {"topics": [topic_urn]},
            ),
        ]
    topic_urn = urn("aws:sns/topic:Topic", name)
    return [
        resource("aws:sns/topic:Topic", name, {"name": name, "arn": UNKNOWN}),
        resource(
            "aws:sns/topicPolicy:TopicPolicy",
            f"{name}-policy",
            {"arn": UNKNOWN, "policy": json.dumps(policy)},
            {"arn": [topic_urn]},
        ),
    ]


def rsa_keys(index: int) -> list[AnalyzedResource]:
    """Hostile: an RSA key and a key policy whose `keyId` is unknown and comes from no key
    (each policy may then be any key's): 2 resources."""
    grant = {
        "Statement": [
            {"Effect": "Allow", "Principal": SERVICE, "Action": "kms:Decrypt", "Resource": "*"}
        ]
    }
    return [
        resource(
            "aws:kms/key:Key",
            f"rsa-{index}",
            {"customerMasterKeySpec": "RSA_2048", "keyId": UNKNOWN, "arn": UNKNOWN},
        ),
        resource(
            "aws:kms/keyPolicy:KeyPolicy",
            f"rsa-{index}-policy",
            {"keyId": UNKNOWN, "policy": json.dumps(grant)},
        ),
    ]


def channel_role_with_unknown_policy(index: int) -> list[AnalyzedResource]:
    """Hostile: a role social-messaging assumes and a role policy whose `role` is unknown and
    comes from no role (each policy may then be any role's): 2 resources."""
    name = f"assumed-{index}"
    permissions = {
        "Statement": [
            {"Effect": "Allow", "Action": "connect:SendIntegrationEvent", "Resource": "*"}
        ]
    }
    return role_with_policy(name, UNKNOWN, permissions)


def topic_of_one_name(index: int) -> list[AnalyzedResource]:
    """Hostile: every topic has the same name; every fifth resource a destination at it."""
    if index % 5 == 4:
        return [
            resource(
                "pulumi-python:dynamic/social-messaging:WabaEventDestination",
                f"same-{index}-waba",
                {
                    "wabaId": f"waba-{index:032x}",
                    "eventDestinationArn": f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:same",
                },
            )
        ]
    return [resource("aws:sns/topic:Topic", f"same-{index}", {"name": "same", "arn": UNKNOWN})]


def policy_on_one_topic(index: int) -> list[AnalyzedResource]:
    """Hostile: one destination topic, and every other resource a topic policy on it."""
    if index == 0:
        return sns_destination(0)
    topic_urn = urn("aws:sns/topic:Topic", "events-0")
    policy = {
        "Statement": [
            {
                "Sid": f"s{index}",
                "Effect": "Allow",
                "Principal": SERVICE,
                "Action": "sns:Publish",
                "Resource": f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:events-0",
                "Condition": CONDITIONS,
            }
        ]
    }
    return [
        resource(
            "aws:sns/topicPolicy:TopicPolicy",
            f"events-0-policy-{index}",
            {"arn": UNKNOWN, "policy": json.dumps(policy)},
            {"arn": [topic_urn]},
        )
    ]


def loud_statement(services: int, values: int) -> dict[str, Any]:
    """One statement that grants `services` service principals under `values` SourceArn
    values that are no ARNs: services x values problems before the pack's caps."""
    return {
        "Effect": "Allow",
        "Principal": {"Service": [f"svc{i}.amazonaws.com" for i in range(services)]},
        "Action": "sns:Publish",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": [f"not-an-arn-{i}" for i in range(values)]},
        },
    }


def blown_up_statement(index: int) -> list[AnalyzedResource]:
    """Hostile: a topic whose one statement grants 40 service principals under 40 SourceArn
    values that are no ARNs (1,600 problems before the caps)."""
    statement = loud_statement(40, 40)
    name = f"loud-{index}"
    return [
        resource(
            "aws:sns/topic:Topic",
            name,
            {"name": name, "policy": json.dumps({"Statement": [statement]})},
        )
    ]


HOSTILE_UNITS: dict[str, Callable[[int], list[AnalyzedResource]]] = {
    "rsa-keys": rsa_keys,
    "role-policies": channel_role_with_unknown_policy,
    "one-name": topic_of_one_name,
    "one-topic": policy_on_one_topic,
    "loud": blown_up_statement,
}


def hostile_mix(size: int) -> Iterator[AnalyzedResource]:
    """Every hostile shape at once, a fifth of the stack each."""
    share = max(1, size // len(HOSTILE_UNITS))
    for unit in HOSTILE_UNITS.values():
        yield from itertools.islice(repeated(unit, share), share)


def repeated(
    unit: Callable[[int], list[AnalyzedResource]], size: int
) -> Iterator[AnalyzedResource]:
    index = 0
    while True:
        yield from unit(index)
        index += 1


def project(size: int) -> Iterator[AnalyzedResource]:
    """The program's own shape: its components, one encrypted topic, one channel role, and
    destinations of many WABAs (SNS and Connect by turns) that share them."""
    for type_, name in (
        ("social-messaging:index:WhatsAppEventDestinations", "whatsapp"),
        ("social-messaging:index:EncryptedEventTopic", "whatsapp-events"),
        ("social-messaging:index:ConnectChannelRole", "whatsapp-connect-channel"),
    ):
        yield resource(type_, name, {})
    shared = sns_destination(0)[:4] + connect_destination(1)[:2]
    yield from shared
    sns_waba, connect_waba = sns_destination(0)[4], connect_destination(1)[2]
    for index in range(size):
        waba = sns_waba if index % 2 == 0 else connect_waba
        yield AnalyzedResource(
            waba.type, f"waba-{index}", {**waba.properties, "wabaId": f"waba-{index:032x}"}
        )


def stack(shape: str, size: int) -> list[AnalyzedResource]:
    """`size` resources of one shape."""
    if shape == "project":
        units: Iterator[AnalyzedResource] = project(size)
    elif shape == "own-topics":
        units = (
            r
            for i in range(size)
            for r in (sns_destination(i) if i % 2 == 0 else connect_destination(i))
        )
    elif shape == "unrelated":
        head = sns_destination(0) + connect_destination(1)
        units = iter(head + [r for i in range(size) for r in serverless_app(i)])
    elif shape in HOSTILE_UNITS:
        units = repeated(HOSTILE_UNITS[shape], size)
    elif shape == "hostile-mix":
        units = itertools.chain(hostile_mix(size), repeated(rsa_keys, size))
    else:
        units = repeated(topic_with_policy, size)
    return [next(units) for _ in range(size)]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux `/proc/<pid>/stat`)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_ms(
    server: PolicyPackServer, request: analyzer_pb2.AnalyzeStackRequest, calls: int, clock: str
) -> float:
    """Milliseconds per `AnalyzeStack`, over `calls` calls: the pack process's CPU time
    (what the pack costs, whatever else the machine runs) or the caller's wall clock."""
    pid = server._process.pid if server._process else 0  # the pack's process, for its CPU time
    start_cpu, start_wall = cpu_seconds(pid), time.perf_counter()
    for _ in range(calls):
        server.stub.AnalyzeStack(request, timeout=600)
    elapsed = cpu_seconds(pid) - start_cpu if clock == "cpu" else time.perf_counter() - start_wall
    return elapsed * 1000 / calls


def write_pack(folder: Path, program: str) -> Path:
    folder.mkdir()
    (folder / "PulumiPolicy.yaml").write_text("runtime: python\n", encoding="utf-8")
    (folder / "__main__.py").write_text(program, encoding="utf-8")
    return folder


def measure(
    servers: dict[str, PolicyPackServer], shape: str, size: int, runs: int, clock: str
) -> dict[str, float]:
    """Median ms per AnalyzeStack per pack, runs interleaved so drift hits every pack alike.

    Each sample repeats the call until it holds about 5,000 resources' worth of work, so
    that the CPU clock's 10 ms ticks stay small against it.
    """
    request = stack_request(stack(shape, size))
    calls = max(1, 5000 // size)
    for server in servers.values():
        timed_ms(server, request, 1, clock)  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in servers}
    for _ in range(runs):
        for name, server in servers.items():
            samples[name].append(timed_ms(server, request, calls, clock))
    return {name: statistics.median(values) for name, values in samples.items()}


def growth(small: float, large: float, ratio: float) -> float:
    """The exponent k in time ~ size^k between two sizes."""
    return math.log(large / small) / math.log(ratio)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument(
        "--shapes",
        nargs="+",
        choices=SHAPES + HOSTILE_SHAPES + ("hostile",),
        default=list(SHAPES),
        help="`hostile` stands for every hostile shape, with `project` to compare",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="cpu",
        help="cpu: each pack process's CPU time (default; steady on a shared machine); "
        "wall: the caller's wall clock",
    )
    args = parser.parse_args(argv)
    if "hostile" in args.shapes:
        args.shapes = ["project", *HOSTILE_SHAPES]
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as running:
        folders = {
            "pack": PACK_DIR,
            "null": write_pack(Path(scratch) / "null", NULL_PACK),
            "empty": write_pack(Path(scratch) / "empty", EMPTY_PACK),
        }
        servers = {name: running.enter_context(PolicyPackServer(folders[name])) for name in PACKS}
        header = (
            f"{'shape':<13}{'resources':>10}{'pack ms':>10}{'null ms':>10}{'empty ms':>10}"
            f"{'pack/null':>10}{'pack/empty':>11}"
        )
        print(f"AnalyzeStack, {args.clock} ms per call, median of {args.runs} interleaved runs")
        print(header)
        results: dict[tuple[str, int], dict[str, float]] = {}
        for shape in args.shapes:
            for size in args.sizes:
                times = measure(servers, shape, size, args.runs, args.clock)
                results[shape, size] = times
                print(
                    f"{shape:<13}{size:>10,}{times['pack']:>10.0f}{times['null']:>10.0f}"
                    f"{times['empty']:>10.0f}{times['pack'] / times['null']:>10.2f}"
                    f"{times['pack'] / times['empty']:>11.2f}",
                    flush=True,
                )
        sizes = sorted(args.sizes)
        if len(sizes) >= 2:
            small, large = sizes[-2], sizes[-1]
            print(f"\ngrowth exponent from {small:,} to {large:,} resources (1.00 is linear)")
            print(f"{'shape':<13}{'pack':>8}{'null':>8}{'empty':>8}")
            for shape in args.shapes:
                row = [
                    growth(results[shape, small][name], results[shape, large][name], large / small)
                    for name in PACKS
                ]
                print(f"{shape:<13}" + "".join(f"{value:>8.2f}" for value in row))
        if "project" in args.shapes and "hostile-mix" in args.shapes:
            print("\nthe pack on a hostile mix against the realistic project stack")
            for size in sizes:
                ratio = results["hostile-mix", size]["pack"] / results["project", size]["pack"]
                print(f"{size:>10,} resources: {ratio:.2f}x")


if __name__ == "__main__":
    main()
