"""`social-messaging-doctor`: the read-only live check of an account's WABAs.

    social-messaging-doctor [--region REGION ...] [--json] [--concurrency N] [--quiet]
    social-messaging-doctor --print-iam-policy

With the standard AWS credential chain, it lists every WABA linked in the Regions
(default: every Region where botocore's endpoint data offers socialmessaging in the
credentials' partition) and reports, per WABA, its destination, who set it, and every
reason its events would not arrive, each with what to do. Exit 0: every WABA is
healthy; 1: a problem was found; 2: the check could not run (no credentials, a read
refused: the missing permission and the statement that grants it are named).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from components.arns import parse_arn, partitions
from components.waba.client import client_config
from components.waba.preflight import ReadDenied
from destination_review.live_check import (
    DEFAULT_CONCURRENCY,
    READ_POLICY,
    AccountReport,
    WabaReport,
    check_account,
    offered_regions,
)

HEALTHY, PROBLEMS, COULD_NOT_RUN = 0, 1, 2
# The Region of the identity call when neither --region nor the AWS config names one.
FALLBACK_REGION = "us-east-1"


class CouldNotRun(Exception):
    """The check cannot run: `kind` for machines, the message for people."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="social-messaging-doctor",
        description="Read-only live check of every WABA's event destination in an account.",
    )
    parser.add_argument(
        "--region",
        action="append",
        default=[],
        help="a Region to check (repeatable); default: every Region that offers the service",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"AWS calls in flight at once (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--print-iam-policy",
        action="store_true",
        help="print the IAM policy the check needs, and exit",
    )
    return parser.parse_args(argv)


def _validate(args: argparse.Namespace) -> None:
    known = {region for partition in partitions() for region in offered_regions(partition)}
    for region in args.region:
        if region not in known:
            raise CouldNotRun(
                "bad-input",
                f"--region: received {region!r}, which is not a Region where botocore's "
                "endpoint data offers socialmessaging; expected a Region such as eu-west-1 "
                "(a Region newer than the installed botocore needs a newer botocore). Fix "
                "the --region value.",
            )
    if args.concurrency < 1:
        raise CouldNotRun(
            "bad-input",
            f"--concurrency: received {args.concurrency}; expected a whole number of at "
            "least 1, such as 16. Fix the --concurrency value.",
        )


def caller(session: boto3.session.Session, region: str) -> dict[str, Any]:
    """Who the credentials are (sts:GetCallerIdentity needs no permission)."""
    try:
        sts = session.client("sts", region_name=region, config=client_config())
        return dict(sts.get_caller_identity())
    except NoCredentialsError:
        raise CouldNotRun(
            "no-credentials",
            "no AWS credentials found: set AWS_PROFILE, run `aws sso login`, or use another "
            "source of the standard credential chain (environment, instance or container role).",
        ) from None
    except (ClientError, BotoCoreError) as error:
        raise CouldNotRun(
            "credentials-refused",
            f"the AWS credentials were refused ({error}); renew them (`aws sso login`, a "
            "fresh session token) or choose another profile.",
        ) from None


def denied(error: ReadDenied) -> CouldNotRun:
    return CouldNotRun(
        "access-denied",
        f"access denied: the credentials lack {error.action} on {error.resource} "
        f"({error.code}: {error.message}). Grant the identity this IAM statement "
        f"(all the check reads): {json.dumps(READ_POLICY['Statement'][0])}",
    )


def run_check(args: argparse.Namespace, session: boto3.session.Session) -> dict[str, Any]:
    """The whole check: identity, Regions, every WABA; as the --json document."""
    _validate(args)
    identity = caller(session, (args.region or [None])[0] or session.region_name or FALLBACK_REGION)
    arn = parse_arn(str(identity.get("Arn", "")))
    partition = arn.partition if arn else "aws"
    regions = list(dict.fromkeys(args.region)) or offered_regions(partition)
    try:
        report = check_account(
            session,
            regions,
            args.concurrency,
            None if args.quiet else sys.stderr,
            skip_unusable=not args.region,
        )
    except ReadDenied as error:
        raise denied(error) from None
    except (ClientError, BotoCoreError) as error:
        raise CouldNotRun(
            "failed", f"a read failed after retries: {error}. Run the check again."
        ) from None
    return to_json(report, str(identity.get("Account", "")), partition)


def to_json(report: AccountReport, account: str, partition: str) -> dict[str, Any]:
    wabas = [w.to_json() for w in report.wabas]
    return {
        "account": account,
        "partition": partition,
        "regions": report.regions,
        "skippedRegions": report.skipped,
        "healthy": report.healthy,
        "summary": {
            "wabas": len(wabas),
            "healthy": sum(w["healthy"] for w in wabas),
            "problems": sum(len(w["problems"]) for w in wabas),
        },
        "wabas": wabas,
    }


def waba_line(waba: dict[str, Any]) -> str:
    destination = waba["destination"]
    where = "none (events are dropped)" if destination is None else destination["arn"]
    if destination and destination["roleArn"]:
        where += f" (role {destination['roleArn']})"
    set_by = waba["setBy"]
    who = "no stack" if set_by is None else f"{set_by['stack']} ({set_by['resource']})"
    verdict = "healthy" if waba["healthy"] else counted(len(waba["problems"]), "problem")
    return f"  {waba['id']}  {waba['name']!r}  -> {where}  set by: {who}  [{verdict}]"


def render_table(document: dict[str, Any], out: TextIO) -> None:
    """Grouped by Region: one line per WABA, one line per problem with what to do; the
    Regions without a WABA on one line."""
    empty = []
    for region in document["regions"]:
        wabas = [w for w in document["wabas"] if w["region"] == region]
        if not wabas:
            empty.append(region)
            continue
        out.write(f"{region}: {counted(len(wabas), 'WABA')}\n")
        for waba in wabas:
            out.write(waba_line(waba) + "\n")
            for problem in waba["problems"]:
                out.write(f"    - {problem['kind']}: {problem['message']}\n")
    if empty:
        out.write(f"no WABA linked in: {', '.join(empty)}\n")
    for region, why in document["skippedRegions"].items():
        out.write(f"{region}: skipped, the account cannot use it ({why})\n")
    summary = document["summary"]
    out.write(
        f"{counted(summary['wabas'], 'WABA')} in {counted(len(document['regions']), 'Region')} "
        f"of account {document['account']}: {summary['healthy']} healthy, "
        f"{counted(summary['problems'], 'problem')}\n"
    )


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def main(argv: Sequence[str] | None = None, session: boto3.session.Session | None = None) -> int:
    args = parse_args(argv)
    if args.print_iam_policy:
        print(json.dumps(READ_POLICY, indent=2))
        return HEALTHY
    try:
        document = run_check(args, session or boto3.session.Session())
    except CouldNotRun as error:
        if args.json:
            print(json.dumps({"error": {"kind": error.kind, "message": str(error)}}, indent=2))
        print(f"social-messaging-doctor: {error}", file=sys.stderr)
        return COULD_NOT_RUN
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        render_table(document, sys.stdout)
    return HEALTHY if document["healthy"] else PROBLEMS


def run() -> None:
    """The console script."""
    sys.exit(main())


__all__ = ["WabaReport", "main", "run"]


if __name__ == "__main__":
    run()
