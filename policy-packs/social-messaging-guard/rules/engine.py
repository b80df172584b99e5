"""Wiring the pure checks to pulumi-policy: one stack index per `AnalyzeStack`, shared.

pulumi-policy calls each stack policy in turn with its own copy of the stack (it
deserialises the request once per policy); in the pack's process `shared_stack` has it
build one copy for all of them instead. The pack reads that copy once, builds the
`StackIndex` from it, and hands the same index to the other stack policies of the same
request, so the pack's own work is done once, not once per policy; once the request is
answered the index is let go. Resources of types no adapter reads are never unwrapped.

Each policy still reports under its own name and enforcement level, through the
`report_violation` pulumi-policy gives it; a check ends by raising `UndecidedAtPreview`
for what it could not judge, which the engine shows as the advisory "can't run policy"
line naming those properties.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
)

from .adapters import adapt, shape_of
from .arns import parse_arn, principal_service
from .conditions import judged_block, parse_operator
from .documents import parse_text, wildcard_regex
from .index import StackIndex
from .model import Node
from .values import (
    JudgingFailed,
    Outcome,
    Resource,
    UndecidedAtPreview,
    plain,
    plain_properties,
)

StackCheck = Callable[[StackIndex, Mapping[str, Any]], Outcome]
ResourceCheck = Callable[[Node, Mapping[str, Any]], Outcome]
StackValidate = Callable[[StackValidationArgs, ReportViolation], None]
ResourceValidate = Callable[[ResourceValidationArgs, ReportViolation], None]


def tune_collector() -> None:
    """Run Python's cycle collector rarely in the pack's process.

    The process lives for one preview or update, and while it analyses a stack it holds the
    stack several times over (pulumi-policy deserialises it once per stack policy), all of
    it free of reference cycles. With the default thresholds the collector walks all of that
    again and again as the analysis allocates, so the time grows faster than the stack
    (1,000 to 10,000 resources: about 16 times the time, not 10). Collecting every 50,000
    allocations instead brings that to about 12 times, as for pulumi-policy alone; cycles
    are still collected.
    """
    gc.set_threshold(50_000, 20, 100)


def report(outcome: Outcome, report_violation: ReportViolation) -> None:
    """Report findings, then raise for what could not be judged (after, so nothing is lost);
    at most `MAX_FINDINGS_PER_RESOURCE` findings per resource and `MAX_UNDECIDED_NOTES`
    notes, each with one line for the rest."""
    findings, notes = outcome.capped()
    for finding in findings:
        if not finding.fault:
            report_violation(finding.message, finding.urn)
    faults = [finding for finding in findings if finding.fault]
    if faults:
        raise JudgingFailed(faults, notes)
    if notes:
        raise UndecidedAtPreview(notes)


def config_of(args: ResourceValidationArgs | StackValidationArgs) -> Mapping[str, Any]:
    return plain(dict(args.get_config() or {}))


def stack_resources(args: StackValidationArgs) -> list[Resource]:
    """The resources an adapter reads, with the properties it reads unwrapped; every other
    resource and property is skipped as is."""
    resources = []
    for r in args.resources:
        shape = shape_of(r.resource_type)
        if shape is None:
            continue
        props, unknown_free = plain_properties(r.props, shape.properties.values())
        resources.append(
            Resource(
                type=r.resource_type,
                name=r.name,
                urn=r.urn,
                props=props,
                unknown_free=unknown_free,
                dependencies=tuple([d.urn for d in r.dependencies]),
                property_dependencies={
                    k: tuple([d.urn for d in v]) for k, v in r.property_dependencies.items()
                },
            )
        )
    return resources


class SharedIndex:
    """The index of the `AnalyzeStack` request being served, reused by each stack policy.

    pulumi-policy gives each policy new resource objects (`shared_stack` gives them the
    same ones; the match below holds either way), but their `opts.ignore_changes`
    is the request's own protobuf field, the same object for every policy of one request
    and a different one for the next request. Holding that object keeps it from being
    reused, so an identity match can only mean the same request; when no match is found
    the index is simply built again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: tuple[Any, ...] | None = None
        self._index: StackIndex | None = None

    @staticmethod
    def _token_of(args: StackValidationArgs) -> tuple[Any, ...]:
        resources = args.resources
        if not resources:
            return ()
        return (
            len(resources),
            resources[0].opts.ignore_changes,
            resources[-1].opts.ignore_changes,
        )

    def forget(self) -> None:
        """Let the last request's index and resources go once its stack policies have run,
        so they are not held while the next request is read."""
        with self._lock:
            self._token, self._index = None, None

    def index(self, args: StackValidationArgs) -> StackIndex:
        token = self._token_of(args)
        with self._lock:
            if (
                self._index is not None
                and self._token is not None
                and token
                and len(token) == len(self._token)
                and all(a is b for a, b in zip(token[1:], self._token[1:], strict=True))
                and token[0] == self._token[0]
            ):
                return self._index
            clear_caches()
            index = StackIndex(stack_resources(args))
            self._token, self._index = token, index
            return index


def clear_caches() -> None:
    """Start a request with empty caches, as each preview starts a new pack process.

    The caches hold what repeats within one stack (the same key policy on every key, the
    same Condition block on every grant); keeping them across requests would only flatter
    a benchmark that sends the same stack again.
    """
    for cached in (
        parse_text,
        judged_block,
        parse_operator,
        principal_service,
        parse_arn,
        wildcard_regex,
    ):
        cached.cache_clear()


SHARED = SharedIndex()


def stack_validation(check: StackCheck) -> StackValidate:
    """Adapt a pure stack check to pulumi-policy's stack validation callback."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = config_of(args)
        outcome = Outcome()
        with outcome.judging("the stack", None):
            outcome = check(SHARED.index(args), config)
        report(outcome, report_violation)

    return validate


def resource_validation(check: ResourceCheck) -> ResourceValidate:
    """Adapt a pure check of one resource; resources no adapter reads are not unwrapped."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        shape = shape_of(args.resource_type)
        if shape is None:
            return
        config = config_of(args)
        outcome = Outcome()
        with outcome.judging(f"'{args.name}' ({args.resource_type})", args.urn):
            props, unknown_free = plain_properties(args.props, shape.properties.values())
            resource = Resource(
                type=args.resource_type,
                name=args.name,
                urn=args.urn,
                props=props,
                unknown_free=unknown_free,
            )
            node = adapt(resource)
            if node is not None:
                outcome = check(node, config)
        report(outcome, report_violation)

    return validate
