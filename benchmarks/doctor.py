"""The live check at scale: `python -m benchmarks.doctor [--wabas 500] [--regions 5]
[--latency 0.05] [--concurrency 16]`.

An account of WABAs spread over Regions, each WABA with its own encrypted, subscribed
topic as this project builds it (and, in a second run, one topic per Region shared by
all its WABAs), is answered in-process: every AWS call of the check goes through its
real boto3 client (parameter validation, the event hooks, the paginators) and is
answered at botocore's `before-call` hook after sleeping the injected latency. The
table gives the calls per WABA against the budget, and the wall time against the ideal
(calls x latency / concurrency). The check is done at 1.5x the ideal or better.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from components.arns import sns_topic_arn
from components.policy_documents import topic_key_policy, topic_policy
from destination_review.live_check import PAGE_SIZE, AccountReport, check_account

PARTITION = "aws"
ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1", "ca-central-1")
# The stated budget: per WABA, one tag read, and for its own topic the topic's
# attributes and subscriptions and its key's metadata and policy.
CALLS_PER_WABA_BUDGET = 5


class _Answered:
    """The HTTP side of an answer given at `before-call` (only its status is read)."""

    status_code = 200
    headers: dict[str, str] = {}
    content = b""


@dataclass
class Account:
    """The account's state, and the answer to every read the check makes."""

    regions: tuple[str, ...]
    wabas_per_region: int
    shared_topic: bool
    latency: float
    calls: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def topic(self, region: str, index: int) -> str:
        name = "shared-events" if self.shared_topic else f"events-{index}"
        return sns_topic_arn(PARTITION, region, ACCOUNT, name)

    def waba(self, region: str, index: int) -> dict[str, Any]:
        hex_id = f"{self.regions.index(region):02x}{index:030x}"
        return {
            "arn": f"arn:{PARTITION}:social-messaging:{region}:{ACCOUNT}:waba/{hex_id}",
            "id": f"waba-{hex_id}",
            "wabaId": str(index),
            "registrationStatus": "COMPLETE",
            "linkDate": 0,
            "wabaName": f"WABA {index}",
            "eventDestinations": [{"eventDestinationArn": self.topic(region, index)}],
        }

    def answer(self, service: str, operation: str, params: dict[str, Any], region: str) -> Any:
        with self._lock:
            self.calls[operation] += 1
        time.sleep(self.latency)
        return _ANSWERS[operation](self, params, region)


def _list(account: Account, params: dict[str, Any], region: str) -> dict[str, Any]:
    start = int(params.get("nextToken") or 0)
    size = int(params.get("maxResults") or 10)
    end = min(start + size, account.wabas_per_region)
    page: dict[str, Any] = {"linkedAccounts": [account.waba(region, i) for i in range(start, end)]}
    if end < account.wabas_per_region:
        page["nextToken"] = str(end)
    return page


def _topic(account: Account, params: dict[str, Any], region: str) -> dict[str, Any]:
    arn = params["TopicArn"]
    policy = topic_policy(PARTITION, region, ACCOUNT, arn)
    key = f"arn:{PARTITION}:kms:{region}:{ACCOUNT}:key/{arn.rsplit(':', 1)[1]}"
    return {"Attributes": {"TopicArn": arn, "Policy": json.dumps(policy), "KmsMasterKeyId": key}}


def _key(account: Account, params: dict[str, Any], region: str) -> dict[str, Any]:
    return {
        "KeyMetadata": {
            "KeyId": params["KeyId"].rsplit("/", 1)[1],
            "Arn": params["KeyId"],
            "KeyManager": "CUSTOMER",
            "KeyState": "Enabled",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyUsage": "ENCRYPT_DECRYPT",
        }
    }


_ANSWERS: dict[str, Callable[[Account, dict[str, Any], str], Any]] = {
    "GetCallerIdentity": lambda a, p, r: {
        "Account": ACCOUNT,
        "Arn": f"arn:{PARTITION}:iam::{ACCOUNT}:user/operator",
        "UserId": "AIDAOPERATOR",
    },
    "ListLinkedWhatsAppBusinessAccounts": _list,
    "ListTagsForResource": lambda a, p, r: {"statusCode": 200, "tags": []},
    "GetTopicAttributes": _topic,
    "ListSubscriptionsByTopic": lambda a, p, r: {
        "Subscriptions": [
            {
                "SubscriptionArn": p["TopicArn"] + ":0b20392c",
                "Protocol": "sqs",
                "Endpoint": f"arn:{PARTITION}:sqs:{r}:{ACCOUNT}:events",
                "TopicArn": p["TopicArn"],
            }
        ]
    },
    "DescribeKey": _key,
    "GetKeyPolicy": lambda a, p, r: {"Policy": json.dumps(topic_key_policy(PARTITION, r, ACCOUNT))},
}


def answered_session(account: Account) -> boto3.session.Session:
    """A session whose clients are answered by `account` (with fake credentials)."""
    session = boto3.session.Session(
        aws_access_key_id="benchmark",
        aws_secret_access_key="benchmark",  # noqa: S106 (answered in-process)
        region_name="us-east-1",
    )
    pending = threading.local()

    def keep(params: dict[str, Any], **_: Any) -> None:
        pending.params = dict(params)

    def answer(model: Any, context: dict[str, Any], **_: Any) -> tuple[_Answered, Any]:
        region = context["client_region"]
        service = model.service_model.service_name
        return _Answered(), account.answer(service, model.name, pending.params, region)

    session.events.register("before-parameter-build", keep)
    session.events.register("before-call", answer)
    return session


@dataclass(frozen=True)
class Run:
    scenario: str
    wabas: int
    calls: Counter[str]
    seconds: float
    concurrency: int
    latency: float
    report: AccountReport

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    @property
    def ideal(self) -> float:
        return self.total * self.latency / self.concurrency


def measure(
    wabas: int, regions: int, latency: float, concurrency: int, shared_topic: bool = False
) -> Run:
    account = Account(REGIONS[:regions], wabas // regions, shared_topic, latency)
    session = answered_session(account)
    started = time.monotonic()
    report = check_account(session, list(account.regions), concurrency, progress=None)
    seconds = time.monotonic() - started
    scenario = "one topic per Region" if shared_topic else "own topic per WABA"
    return Run(scenario, len(report.wabas), account.calls, seconds, concurrency, latency, report)


def listing_calls(wabas: int, regions: int) -> int:
    """ListLinkedWhatsAppBusinessAccounts calls: one per page of 100 per Region."""
    per_region = wabas // regions
    return regions * max(1, -(-per_region // PAGE_SIZE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wabas", type=int, default=500)
    parser.add_argument("--regions", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(
        f"{'scenario':<22} {'WABAs':>5} {'calls':>6} {'per WABA':>8} {'budget':>6} "
        f"{'wall s':>7} {'ideal s':>7} {'ratio':>5}"
    )
    for shared in (False, True):
        run = measure(args.wabas, args.regions, args.latency, args.concurrency, shared)
        assert run.report.healthy, "the benchmark's account is built healthy"
        per_waba = (run.total - listing_calls(args.wabas, args.regions)) / run.wabas
        print(
            f"{run.scenario:<22} {run.wabas:>5} {run.total:>6} {per_waba:>8.2f} "
            f"{CALLS_PER_WABA_BUDGET:>6} {run.seconds:>7.2f} {run.ideal:>7.2f} "
            f"{run.seconds / run.ideal:>5.2f}"
        )
    print(
        f"latency {args.latency * 1000:.0f} ms per call, concurrency {args.concurrency}; "
        "ideal = calls x latency / concurrency; done at ratio <= 1.5; per WABA = calls "
        "other than the listing (one per 100 WABAs per Region) / WABAs"
    )


if __name__ == "__main__":
    main()
