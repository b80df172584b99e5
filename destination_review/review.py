"""Offline review of a stack: `social-messaging-review --stack dev [--json]`.

Renders, without the Pulumi CLI, credentials or network, every resource the project's
program would register for a stack's config file, pretty-prints every policy document,
and asks the `social-messaging-guard` policy pack (through its own analyzer server, as
`pulumi preview` would) for its verdict.

Exit codes: 0 no mandatory violation; 1 at least one mandatory violation; 2 the review
could not be made (usage, a missing or invalid stack file, project, configuration or pack
config): one line per problem on stderr, no traceback unless --debug.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import asdict, astuple, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from components.pulumi_compat import PROVIDER_PROPERTY, UNKNOWN
from destination_review.pack_process import default_pack_dir, launch_pack
from destination_review.project import (
    Project,
    ReviewError,
    find_project,
    read_project,
    read_stack_config,
)

if TYPE_CHECKING:  # the heavy modules load after the pack has started (see review())
    from destination_review.policy_analyzer import AnalyzedResource, Violation
    from destination_review.render import RenderedResource, Rendering

__all__ = ["ReviewError", "analyzed", "main", "review", "run"]

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PLACEHOLDER_ACCOUNT = "111122223333"
PLACEHOLDER_REGION = "us-east-1"
# How --json shows a value AWS computes at deployment (unknown at preview).
UNKNOWN_JSON: dict[str, bool] = {"$unknown": True}
UNKNOWN_TEXT = "<unknown>"

# The inputs that hold policy documents, by resource type.
DOCUMENT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "aws:kms/key:Key": ("policy",),
    "aws:kms/keyPolicy:KeyPolicy": ("policy",),
    "aws:sns/topic:Topic": ("policy",),
    "aws:sns/topicPolicy:TopicPolicy": ("policy",),
    "aws:sqs/queuePolicy:QueuePolicy": ("policy",),
    "aws:iam/role:Role": ("assumeRolePolicy",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/policy:Policy": ("policy",),
}


@dataclass(frozen=True)
class PolicyDocumentView:
    resource: str
    type: str
    property: str
    document: Any


@dataclass(frozen=True)
class Placement:
    """Where the review renders the stack, and where each part came from."""

    partition: str
    region: str
    account_id: str
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def placeholder_account(self) -> bool:
        return self.sources.get("account") == "placeholder"

    def describe(self) -> str:
        s = self.sources
        return (
            f"partition {self.partition} ({s.get('partition', '?')}), Region {self.region} "
            f"({s.get('region', '?')}), account {self.account_id} ({s.get('account', '?')})"
        )


@dataclass
class Review:
    stack: str
    stack_file: str
    project: str
    placement: Placement
    rendering: Rendering
    verdicts: list[Violation]
    notes: list[str] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.verdicts if v.enforcement_level == "mandatory"]

    def documents(self) -> list[PolicyDocumentView]:
        views = []
        for resource in self.rendering.resources:
            for key in DOCUMENT_PROPERTIES.get(resource.type, ()):
                value = resource.inputs.get(key)
                if isinstance(value, str) and value and value != UNKNOWN:
                    try:
                        document: Any = json.loads(value)
                    except json.JSONDecodeError:
                        document = value
                    views.append(PolicyDocumentView(resource.name, resource.type, key, document))
        return views


def with_unknowns(value: Any, marker: Any) -> Any:
    """`value` with every unknown (the engine's sentinel), at any depth, as `marker`."""
    if isinstance(value, str) and value == UNKNOWN:
        return marker
    if isinstance(value, Mapping):
        return {k: with_unknowns(v, marker) for k, v in value.items()}
    if isinstance(value, list):
        return [with_unknowns(v, marker) for v in value]
    return value


def _properties(resource: RenderedResource) -> dict[str, Any]:
    """What a reviewer (and a policy pack) sees of a resource; never the provider blob."""
    return {k: v for k, v in resource.inputs.items() if k != PROVIDER_PROPERTY}


def analyzed(resources: Sequence[RenderedResource]) -> list[AnalyzedResource]:
    from destination_review.policy_analyzer import AnalyzedResource

    return [
        AnalyzedResource(
            type=r.type,
            name=r.name,
            properties=_properties(r),
            urn=r.urn,
            dependencies=list(r.dependencies),
            property_dependencies=dict(r.property_dependencies),
            parent=r.parent,
        )
        for r in resources
    ]


def _configured_arns(config: Mapping[str, Any], project: str) -> list[tuple[str, Any, bool]]:
    """(key path, parsed ARN, names a Region) for every ARN in the destinations."""
    from components.arns import parse_arn
    from components.settings import split_namespaces
    from components.settings.aws_provider import ARN_KEYS

    destinations = split_namespaces(config).get(project, {}).get("destinations")
    found = []
    for index, item in enumerate(destinations if isinstance(destinations, list) else []):
        for key, regional in ARN_KEYS:
            value = item.get(key) if isinstance(item, Mapping) else None
            arn = parse_arn(value) if isinstance(value, str) else None
            if arn is not None:
                found.append((f"destinations[{index}].{key}", arn, regional))
    return found


def _agreed(what: str, values: list[tuple[str, str]], flag: str) -> tuple[str, str] | None:
    """The one value the ARNs agree on with the first key that names it, or None when
    no ARN names one; a ReviewError naming every key when they disagree."""
    distinct = sorted({value for _, value in values})
    if not distinct:
        return None
    if len(distinct) > 1:
        raise ReviewError(
            *(
                f"{key}: names {what} {value}, where other ARNs of the stack name another "
                f"(every destination must be in the stack's {what}); fix the ARN, or pass "
                f"{flag} to review the stack as one of them"
                for key, value in values
            )
        )
    return distinct[0], values[0][0]


def choose_placement(
    config: Mapping[str, Any],
    project: str,
    *,
    account_id: str | None = None,
    region: str | None = None,
    partition: str | None = None,
) -> Placement:
    """Partition, Region and account for the rendering: a flag, else `aws:region`, else
    what the ARNs in the config agree on, else a placeholder; the partition of a Region
    from botocore's endpoint data."""
    from components.arns import partition_of_region, partitions
    from components.settings import split_namespaces
    from components.settings.aws_provider import region_problem

    arns = _configured_arns(config, project)
    sources: dict[str, str] = {}
    if account_id is not None:
        if not (len(account_id) == 12 and account_id.isdigit()):
            raise ReviewError(f"--account: got {account_id!r}; expected 12 digits")
        sources["account"] = "--account"
    elif found := _agreed("account", [(k, a.account) for k, a, _ in arns], "--account"):
        account_id, sources["account"] = found[0], f"from {found[1]}"
    else:
        account_id, sources["account"] = PLACEHOLDER_ACCOUNT, "placeholder"

    # An invalid aws:region is left to the settings' check, which names it.
    configured_region = split_namespaces(config).get("aws", {}).get("region")
    if region is not None:
        sources["region"] = "--region"
    elif isinstance(configured_region, str) and not region_problem(configured_region):
        region, sources["region"] = configured_region, "from aws:region"
    elif found := _agreed("Region", [(k, a.region) for k, a, r in arns if r], "--region"):
        region, sources["region"] = found[0], f"from {found[1]}"
    else:
        region, sources["region"] = PLACEHOLDER_REGION, "placeholder"
    region_partition = partition_of_region(region)
    if region_partition is None:
        raise ReviewError(
            f"Region {region!r} ({sources['region']}): not a Region of any AWS partition "
            f"botocore knows ({', '.join(partitions())})"
        )

    if partition is not None:
        if partition not in partitions():
            raise ReviewError(
                f"--partition: got {partition!r}; expected one of {', '.join(partitions())}"
            )
        sources["partition"] = "--partition"
    elif found := _agreed("partition", [(k, a.partition) for k, a, _ in arns], "--partition"):
        partition, sources["partition"] = found[0], f"from {found[1]}"
    else:
        partition, sources["partition"] = region_partition, f"of Region {region}"
    if partition != region_partition:
        raise ReviewError(
            f"Region {region} ({sources['region']}) is in partition {region_partition}, not "
            f"{partition} ({sources['partition']}); pass --region with a Region of {partition}"
        )
    return Placement(partition, region, account_id, sources)


def _read_pack_config(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReviewError(f"--policy-pack-config {path}: {error}") from error
    if not isinstance(content, dict):
        raise ReviewError(
            f"--policy-pack-config {path}: expected a JSON object of policy names, got "
            f"{type(content).__name__}"
        )
    return content


def review(
    stack: str,
    *,
    stack_file: Path | None = None,
    project_dir: Path | None = None,
    account_id: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    pack_config: dict[str, Any] | None = None,
) -> Review:
    """Render the stack and judge it; a ReviewError for anything that stops the review."""
    project: Project = read_project(project_dir) if project_dir else find_project(Path.cwd())
    path = stack_file or project.stack_file(stack)
    config = read_stack_config(path, project.name)
    # The pack starts now and imports pulumi-policy and its rules while this process
    # imports the program's libraries and renders it.
    process = launch_pack(default_pack_dir(), project=project.name, stack=stack)
    try:
        return _render_and_judge(
            stack, path, project, config, process, account_id, region, partition, pack_config
        )
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _render_and_judge(
    stack: str,
    path: Path,
    project: Project,
    config: dict[str, Any],
    process: Any,
    account_id: str | None,
    region: str | None,
    partition: str | None,
    pack_config: dict[str, Any] | None,
) -> Review:
    import grpc

    from components.settings import (
        SettingsError,
        check_configuration,
        placement_problems,
        split_namespaces,
    )
    from destination_review.policy_analyzer import PolicyPackServer
    from destination_review.render import Target, render

    placement = choose_placement(
        config, project.name, account_id=account_id, region=region, partition=partition
    )
    target = Target(placement.partition, placement.region, placement.account_id)
    try:
        rendering = render(
            config,
            stack=stack,
            project=project.name,
            target=target,
            preview=True,
            program=project.program,
        )
    except SettingsError as error:
        lines = [f"{path.name}: {problem}" for problem in error.problems]
        misplaced = placement_problems(
            split_namespaces(config).get(project.name, {}), *astuple(target)
        )
        if misplaced:  # where the review put the stack is part of the answer
            lines.append(f"{path.name}: reviewed as {placement.describe()}")
        raise ReviewError(*lines) from error
    notes = list(check_configuration(config, project.name, stack).ignored)
    server = PolicyPackServer(
        config=None, project=project.name, stack=stack, process=process, graceful=False
    )
    with server:
        if pack_config is not None:
            try:
                server.configure(pack_config)
            except ValueError as error:
                raise ReviewError(f"--policy-pack-config: {error}") from error
            except grpc.RpcError as error:
                detail = error.details() if hasattr(error, "details") else str(error)
                raise ReviewError(f"--policy-pack-config: the pack refused it: {detail}") from error
        verdicts = server.analyze_all(analyzed(rendering.resources))
    return Review(stack, str(path), project.name, placement, rendering, verdicts, notes)


def as_json(result: Review) -> dict[str, Any]:
    """The review for machines; a value unknown at preview is `{"$unknown": true}`."""
    p = result.placement
    return {
        "stack": result.stack,
        "stackFile": result.stack_file,
        "project": result.project,
        "target": {"partition": p.partition, "region": p.region, "accountId": p.account_id},
        "targetSources": p.sources,
        "resources": [
            {
                "type": r.type,
                "name": r.name,
                "urn": r.urn,
                "properties": with_unknowns(_properties(r), UNKNOWN_JSON),
            }
            for r in result.rendering.resources
        ],
        "documents": [
            {**asdict(d), "document": with_unknowns(d.document, UNKNOWN_JSON)}
            for d in result.documents()
        ],
        "verdicts": [
            {
                "policy": v.policy_name,
                "level": v.enforcement_level,
                "message": v.message,
                "urn": v.urn,
            }
            for v in result.verdicts
        ],
        "mandatoryViolations": len(result.mandatory),
        "notes": result.notes,
        "outputs": with_unknowns(result.rendering.outputs, UNKNOWN_JSON),
    }


def _short(value: Any) -> str:
    value = with_unknowns(value, UNKNOWN_TEXT)
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 90 else text[:87] + "..."


def as_text(result: Review) -> str:
    p = result.placement
    lines = [
        f"Stack {result.stack} of project {result.project} ({result.stack_file})",
        f"Rendered offline for {p.describe()}; values AWS computes at deployment are shown "
        f"as {UNKNOWN_TEXT}.",
    ]
    if p.placeholder_account:
        lines.append("Pass --account <12 digits> to see the documents with your account.")
    lines += [f"Note: {note}" for note in result.notes]
    lines += ["", f"Resources ({len(result.rendering.resources)}):"]
    documents = {(d.resource, d.property) for d in result.documents()}
    for resource in result.rendering.resources:
        lines.append(f"  {resource.type}  {resource.name}")
        for key, value in sorted(_properties(resource).items()):
            if (resource.name, key) in documents:
                value = "(policy document below)"
            lines.append(f"      {key}: {_short(value)}")
    lines += ["", "Policy documents:"]
    for view in result.documents():
        lines.append(f"  {view.type}  {view.resource}  .{view.property}")
        rendered = json.dumps(with_unknowns(view.document, UNKNOWN_TEXT), indent=2)
        lines += ["    " + line for line in rendered.splitlines()]
    lines += ["", "social-messaging-guard:"]
    if not result.verdicts:
        lines.append("  no violations")
    for v in result.verdicts:
        lines.append(f"  [{v.enforcement_level}] {v.policy_name}: {v.message} ({v.urn})")
    verdict = "FAIL" if result.mandatory else "PASS"
    lines.append(f"{verdict}: {len(result.mandatory)} mandatory violation(s)")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(
        prog="social-messaging-review",
        description="Render a stack offline, print its policy documents and the policy "
        "pack's verdict. No Pulumi CLI, credentials or network needed. Exit codes: 0 no "
        "mandatory violation, 1 mandatory violations, 2 the review could not be made.",
    )
    result.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    result.add_argument("--stack-file", type=Path, help="another path to the stack file")
    result.add_argument(
        "--project-dir",
        type=Path,
        help="the project's folder (default: the current folder or the nearest parent "
        "with a Pulumi.yaml)",
    )
    result.add_argument(
        "--account",
        help="12-digit account id (default: the account the config's ARNs agree on, else "
        "a placeholder)",
    )
    result.add_argument(
        "--region", help="Region (default: aws:region, else the Region the ARNs agree on)"
    )
    result.add_argument(
        "--partition", help="partition (default: the Region's, from botocore's endpoint data)"
    )
    result.add_argument("--policy-pack-config", type=Path, help="policy pack config JSON file")
    result.add_argument("--json", action="store_true", help="machine-readable output")
    result.add_argument("--debug", action="store_true", help="print tracebacks of errors")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)  # usage errors exit 2, as argparse does
    try:
        result = review(
            args.stack,
            stack_file=args.stack_file,
            project_dir=args.project_dir,
            account_id=args.account,
            region=args.region,
            partition=args.partition,
            pack_config=_read_pack_config(args.policy_pack_config),
        )
    except ReviewError as error:
        if args.debug:
            traceback.print_exc()
        for line in error.lines:
            print(f"review failed: {line}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("review failed: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the contract: one line, exit 2
        if args.debug:
            traceback.print_exc()
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(
            f"review failed: {type(error).__name__}: {first} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(json.dumps(as_json(result), indent=2) if args.json else as_text(result))
    return EXIT_FINDINGS if result.mandatory else EXIT_CLEAN


def run() -> None:
    """The console script and `python -m destination_review`: exit with main's code.

    Once everything is written, the process ends at once: the orderly shutdown of the
    mock runtime's thread pools and gRPC channels would take longer than the review.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader (`| head`) has gone: nothing more to write
        pass
    os._exit(code)


if __name__ == "__main__":
    run()
