"""The live check of an account's WABAs: where does each send its events, who set that,
and would the events arrive? Read-only: it lists, gets and describes, never writes.

Every linked WABA of the given Regions is listed (all pages), its claim read from its
tags (components/waba/claim.py), and its destination checked with the pre-flight's
reads and the one IAM evaluator (components/waba/delivery.py), held to what this
project builds: an encrypted topic, grants confined by the confused-deputy conditions,
a confirmed subscription, the channel role's documented permissions. Regions and WABAs
are checked concurrently in one bounded pool, with one client per service and Region;
a topic, key or role that many WABAs share is read once.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TextIO

import boto3
from botocore.config import Config
from botocore.endpoint_provider import EndpointProvider
from botocore.exceptions import ClientError, EndpointConnectionError, EndpointResolutionError

from components.arns import parse_arn
from components.waba.claim import Claim, claim_from_tags, tags_from_api
from components.waba.client import client_config
from components.waba.delivery import DeliveryContext, Problem
from components.waba.model import SERVICE_NAME, shared_loader
from components.waba.preflight import (
    DeliveryReader,
    error_code,
    role_delivery_problems,
    topic_delivery_problems,
)
from components.waba.state import EventDestination, destination_from_api

DEFAULT_CONCURRENCY = 16
# ListLinkedWhatsAppBusinessAccounts answers at most 100 WABAs a page (maxResults).
PAGE_SIZE = 100
LIST_ACTION = "social-messaging:ListLinkedWhatsAppBusinessAccounts"
TAGS_ACTION = "social-messaging:ListTagsForResource"
# Everything the live check reads, and the one statement that grants it (docs/operations.md
# shows it; `social-messaging-doctor --print-iam-policy` prints it).
READ_ACTIONS = (
    LIST_ACTION,
    TAGS_ACTION,
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "iam:GetRole",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
)
READ_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "SocialMessagingLiveCheckReads",
            "Effect": "Allow",
            "Action": list(READ_ACTIONS),
            "Resource": "*",
        }
    ],
}
_PENDING = "PendingConfirmation"
# What a Region the account cannot use answers: not reachable, or not enabled (opt-in).
_REGION_UNUSABLE = {"UnrecognizedClientException", "InvalidClientTokenId"}


def offered_regions(partition: str) -> list[str]:
    """The partition's Regions (botocore's partitions data) for which the socialmessaging
    endpoint rules resolve an endpoint; pseudo-Regions such as `aws-global` are left out."""
    loader = shared_loader()
    partitions = loader.load_data("partitions")
    provider = EndpointProvider(
        loader.load_service_model(SERVICE_NAME, "endpoint-rule-set-1"), partitions
    )
    found = []
    for item in partitions["partitions"]:
        if item["id"] != partition:
            continue
        pattern = re.compile(item["regionRegex"])
        for region in sorted(item.get("regions", {})):
            try:
                provider.resolve_endpoint(Region=region, UseFIPS=False, UseDualStack=False)
            except EndpointResolutionError:
                continue
            if pattern.match(region):
                found.append(region)
    return found


@dataclass
class WabaReport:
    """What the live check found for one WABA."""

    region: str
    id: str
    arn: str
    name: str
    destination: EventDestination | None
    claim: Claim | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def set_by(self) -> str:
        if self.claim is None:
            return "no stack"
        return f"{self.claim.owner} ({self.claim.resource})"

    def to_json(self) -> dict[str, Any]:
        destination = None
        if self.destination is not None:
            destination = {"arn": self.destination.arn, "roleArn": self.destination.role_arn}
        set_by = None
        if self.claim is not None:
            set_by = {"stack": self.claim.owner, "resource": self.claim.resource}
        return {
            "region": self.region,
            "id": self.id,
            "arn": self.arn,
            "name": self.name,
            "destination": destination,
            "setBy": set_by,
            "healthy": self.healthy,
            "problems": [{"kind": p.kind, "message": str(p)} for p in self.problems],
        }


def no_destination_problem(waba_arn: str) -> Problem:
    return Problem(
        "no-destination",
        f"WABA {waba_arn} has no event destination: its events are dropped. Give it one "
        "(a destination of this project's stack, or the console's message and event "
        "destination).",
    )


def placement_problems(destination: EventDestination, context: DeliveryContext) -> list[Problem]:
    """The service delivers only within the WABA's partition, Region and account."""
    target = parse_arn(destination.arn)
    if target is None:
        return [
            Problem(
                "destination-not-arn",
                f"the event destination {destination.arn!r} is not an ARN; set an SNS topic "
                "or Amazon Connect instance ARN.",
            )
        ]
    place = (target.partition, target.region, target.account)
    if place == (context.partition, context.region, context.account):
        return []
    return [
        Problem(
            "destination-elsewhere",
            f"the event destination {destination.arn} is in {':'.join(place)}, not in the "
            f"WABA's partition, Region and account ({context.partition}:{context.region}:"
            f"{context.account}); the service delivers only there. Use a destination there.",
        )
    ]


def subscription_problems(topic_arn: str, subscriptions: list[dict[str, Any]]) -> list[Problem]:
    """Events published to a topic nobody subscribed to are lost: at least one
    confirmed subscription; the pending ones are named."""
    confirmed = [s for s in subscriptions if str(s.get("SubscriptionArn", "")).startswith("arn:")]
    if confirmed:
        return []
    pending = [
        f"{s.get('Protocol')}:{s.get('Endpoint')}"
        for s in subscriptions
        if s.get("SubscriptionArn") == _PENDING
    ]
    waiting = f" Pending confirmation: {', '.join(pending)}: confirm them." if pending else ""
    return [
        Problem(
            "topic-no-subscription",
            f"topic {topic_arn} has no confirmed subscription: its events are published to "
            f"nobody.{waiting} Subscribe an endpoint (a queue, a function, HTTPS) to it.",
        )
    ]


def drift_problems(claim: Claim | None, live: EventDestination | None) -> list[Problem]:
    """The claim names a destination other than the live one: someone changed it."""
    if claim is None or claim.holds(live):
        return []
    now = live.arn if live else "no destination"
    return [
        Problem(
            "drift",
            f"{claim.describe()} set the destination {claim.destination}, but the WABA now "
            f"sends to {now}: it was changed outside that stack. Run `pulumi refresh` in "
            f"stack {claim.owner} to see it, then `pulumi up` to set it back (or change the "
            "stack's configuration to what the WABA should keep).",
        )
    ]


def destination_problems(
    reader: DeliveryReader, destination: EventDestination, context: DeliveryContext
) -> list[Problem]:
    """Would the destination receive the WABA's events, as this project builds it?"""
    problems = placement_problems(destination, context)
    target = parse_arn(destination.arn)
    if problems or target is None:
        return problems
    if target.service == "sns":
        problems = topic_delivery_problems(reader, target, context, live=True)
        if not any(p.kind == "topic-not-found" for p in problems):
            problems += subscription_problems(destination.arn, reader.subscriptions(target))
        return problems
    if target.service == "connect":
        if not destination.role_arn:
            return [
                Problem(
                    "role-missing",
                    f"the Amazon Connect destination {destination.arn} has no roleArn: the "
                    "service needs the two-way channel role to deliver. Set roleArn.",
                )
            ]
        return role_delivery_problems(reader, destination.role_arn, context, live=True)
    return [
        Problem(
            "destination-unknown",
            f"the event destination {destination.arn} is neither an SNS topic nor an Amazon "
            "Connect instance; the service delivers only to those.",
        )
    ]


def read_claim(reader: DeliveryReader, region: str, waba_arn: str) -> Claim | None:
    """The WABA's claim: one read of its tags."""
    api = reader.client(SERVICE_NAME, region)
    tags = reader.call(
        TAGS_ACTION, waba_arn, lambda: api.list_tags_for_resource(resourceArn=waba_arn)
    )
    return claim_from_tags(tags_from_api((tags or {}).get("tags")))


def judge_waba(
    reader: DeliveryReader, region: str, summary: dict[str, Any], claim: Claim | None
) -> WabaReport:
    """One WABA's report: its destination's checks (their reads are shared through the
    reader) and the drift between its claim and its live destination."""
    arn = str(summary["arn"])
    live = destination_from_api(summary.get("eventDestinations"))
    report = WabaReport(
        region, str(summary["id"]), arn, str(summary.get("wabaName", "")), live, claim
    )
    if live is None:
        report.problems.append(no_destination_problem(arn))
    else:
        report.problems += destination_problems(reader, live, DeliveryContext.from_waba_arn(arn))
    report.problems += drift_problems(claim, live)
    return report


def linked_wabas(reader: DeliveryReader, region: str) -> Iterable[dict[str, Any]]:
    """Every WABA linked in the Region, page by page (maxResults 100)."""
    api = reader.client(SERVICE_NAME, region)
    pages = api.get_paginator("list_linked_whatsapp_business_accounts").paginate(
        PaginationConfig={"PageSize": PAGE_SIZE}
    )
    iterator = iter(pages)
    while True:
        page = reader.call(LIST_ACTION, f"Region {region}", lambda: next(iterator, None))
        if page is None:
            return
        yield from page.get("linkedAccounts", [])


class Progress:
    """Progress of a long run on stderr, at most once a second."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self.listed = self.checked = 0

    def step(self, listed: int = 0, checked: int = 0) -> None:
        with self._lock:
            self.listed += listed
            self.checked += checked
            now = time.monotonic()
            if self._stream is None or now - self._last < 1:
                return
            self._last = now
            self._stream.write(f"checked {self.checked} of {self.listed} WABAs listed so far\n")
            self._stream.flush()


@dataclass
class AccountReport:
    regions: list[str]
    wabas: list[WabaReport]
    # Regions left out because the account cannot use them, with why (default Regions only).
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return all(w.healthy for w in self.wabas)


@dataclass(frozen=True)
class _Listed:
    """A listed WABA and the read of its claim, under way."""

    region: str
    summary: dict[str, Any]
    claim: Future[Claim | None]


def check_account(
    session: boto3.session.Session,
    regions: list[str],
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: TextIO | None = sys.stderr,
    skip_unusable: bool = False,
) -> AccountReport:
    """Every WABA of the Regions, read in one pool of `concurrency` threads. A read
    that is refused (ReadDenied) or fails after retries stops the check; with
    `skip_unusable` (the default Regions), a Region the account cannot use is skipped.

    The pool only reads: each WABA's claim, and each distinct destination's topic, key
    or role (queued as its first WABA is listed). The reports are judged here from the
    shared reads, so no pool thread waits for a read another one is making."""
    config = client_config().merge(Config(max_pool_connections=concurrency))
    reader = DeliveryReader(session, config)
    meter = Progress(progress)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        listings = [pool.submit(_list_and_submit, reader, r, pool, meter) for r in regions]
        skipped: dict[str, str] = {}
        try:
            listed: list[_Listed] = []
            for region, listing in zip(regions, listings, strict=True):
                try:
                    listed += listing.result()
                except (EndpointConnectionError, ClientError) as error:
                    if not skip_unusable or not _unusable(error):
                        raise
                    skipped[region] = str(error)
            wabas = [judge_waba(reader, w.region, w.summary, w.claim.result()) for w in listed]
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    wabas.sort(key=lambda w: (regions.index(w.region), w.name, w.id))
    used = [r for r in regions if r not in skipped]
    return AccountReport(used, wabas, skipped)


def _unusable(error: Exception) -> bool:
    if isinstance(error, ClientError):
        return error_code(error) in _REGION_UNUSABLE
    return True


def _list_and_submit(
    reader: DeliveryReader, region: str, pool: ThreadPoolExecutor, meter: Progress
) -> list[_Listed]:
    """List the Region's WABAs; as each page arrives, queue the reads of each new
    destination and of each WABA's claim."""
    listed = []
    queued: set[EventDestination] = set()

    def claim_of(arn: str) -> Claim | None:
        claim = read_claim(reader, region, arn)
        meter.step(checked=1)
        return claim

    for summary in linked_wabas(reader, region):
        meter.step(listed=1)
        live = destination_from_api(summary.get("eventDestinations"))
        if live is not None and live not in queued:
            queued.add(live)
            context = DeliveryContext.from_waba_arn(str(summary["arn"]))
            pool.submit(destination_problems, reader, live, context)
        listed.append(_Listed(region, summary, pool.submit(claim_of, str(summary["arn"]))))
    return listed
