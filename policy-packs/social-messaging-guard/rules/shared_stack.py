"""One deserialisation of the stack per `AnalyzeStack`, shared by the pack's stack policies.

pulumi-policy's servicer turns the request's resources into `PolicyResource` objects once
per stack policy: with five stack policies, five copies of the stack, built and collected
again on every request. That was most of the pack's cost (a pack of the same policies
whose checks do nothing costs about four times a pack with one stack policy), and it grew
faster than the stack: the collector and the allocator work over five live copies.

`SharedStackServicer` answers `AnalyzeStack` and `Analyze` as pulumi-policy 1.21 does,
policy by policy (each policy's own name, description, enforcement level, severity, config,
`report_violation`, "can't run policy" advisory for unknown values and not-applicable
answer), except that:

- the resources are built once and every stack policy reads the same ones (sound for this
  pack only: its checks are pure and never change what they read);
- properties are read by `wire.read_struct`, without recursion, NaN and ±Infinity kept as
  values, and without pulumi-policy's unknown-checking proxies (the rules unwrap them
  anyway and look for unknowns themselves);
- a policy that raises does not fail the call: it becomes a mandatory "could not judge"
  violation (fail closed) and the other policies still run;
- every message has the request's secret values redacted and is made encodable
  (`wire.safe_message`).

Every other method (`Remediate`, `GetAnalyzerInfo`, `Configure`, ...) is pulumi-policy's
own.

The override follows private parts of pulumi-policy (`_PolicyAnalyzerServicer`, its
name-mangled fields), so `install` checks that the installed pulumi-policy is the version
it was written against and has those parts; otherwise it changes nothing and the pack runs
on pulumi-policy's own servicer, only slower.
"""

from __future__ import annotations

import asyncio
from inspect import isawaitable
from typing import Any

import pulumi_policy.policy as policy_module
from pulumi.runtime import proto

from .config import SettingError
from .engine import SHARED
from .values import JudgingFailed, could_not_judge
from .wire import Redactor, read_struct, safe_message

# The pulumi-policy releases whose `_PolicyAnalyzerServicer.AnalyzeStack` this copies.
SUPPORTED_VERSIONS = ("1.21.",)
_BASE: Any = getattr(policy_module, "_PolicyAnalyzerServicer", None)
_PRIVATE = "_PolicyAnalyzerServicer__"
_FIELDS = ("policies", "policy_pack_name", "policy_pack_version", "stack_tags")
_HELPERS = (
    "_configure_runtime_settings",
    "_get_enforcement_level",
    "_create_report_violation",
    "_get_resource_options",
    "_get_provider_resource",
    "_get_policy_config",
    "_map_enforcement_level",
)


def supported() -> bool:
    """Whether the installed pulumi-policy is one this override was written against."""
    from pulumi_policy.version import VERSION

    return (
        _BASE is not None
        and VERSION.startswith(SUPPORTED_VERSIONS)
        and all(hasattr(_BASE, name) for name in _HELPERS)
        and all(hasattr(policy_module, name) for name in ("_NotApplicableError", "PolicyPack"))
    )


def stack_resources(servicer: Any, request: Any, redactor: Redactor) -> list[Any]:
    """The request's resources as pulumi-policy builds them for a stack policy, once; the
    secrets found in their properties are added to `redactor`."""
    pp = policy_module
    by_urn: dict[str, Any] = {}
    pending = []
    for r in request.resources:
        props = read_struct(r.properties, redactor)
        resource = pp.PolicyResource(
            r.type,
            props,
            r.urn,
            r.name,
            servicer._get_resource_options(r),
            servicer._get_provider_resource(r),
            None,
            [],
            {},
        )
        property_dependencies = {k: list(v.urns) for k, v in r.propertyDependencies.items()}
        pending.append((resource, r.parent, list(r.dependencies), property_dependencies))
        by_urn[resource.urn] = resource
    for resource, parent, dependencies, property_dependencies in pending:
        if parent is not None and parent in by_urn:
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
        for key, urns in property_dependencies.items():
            resource.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
    return [resource for resource, *_ in pending]


def _private(servicer: Any, field: str) -> Any:
    return getattr(servicer, _PRIVATE + field)


class SharedStackServicer(_BASE or object):  # type: ignore[misc]
    """pulumi-policy's servicer, building the stack once per `AnalyzeStack` and failing closed."""

    def AnalyzeStack(self, request: Any, _context: Any) -> Any:  # noqa: N802 (gRPC's name)
        self._configure_runtime_settings()
        response = proto.AnalyzeResponse()
        try:
            return self._analyze(request, response, stack=True)
        finally:
            SHARED.forget()  # the request is answered: nothing of it is kept

    def Analyze(self, request: Any, _context: Any) -> Any:  # noqa: N802 (gRPC's name)
        self._configure_runtime_settings()
        return self._analyze(request, proto.AnalyzeResponse(), stack=False)

    def _policies(self, stack: bool) -> list[tuple[Any, Any]]:
        """The policies of one kind that run, each with the level it reports at."""
        pp = policy_module
        kind = pp.StackValidationPolicy if stack else pp.ResourceValidationPolicy
        found = []
        for policy in _private(self, "policies"):
            level = self._get_enforcement_level(policy)
            if level == pp.EnforcementLevel.DISABLED or not isinstance(policy, kind):
                continue
            if level == pp.EnforcementLevel.REMEDIATE:
                # A violation reported anyway is mandatory, as pulumi-policy reports it.
                level = pp.EnforcementLevel.MANDATORY
            found.append((policy, level))
        return found

    def _analyze(self, request: Any, response: Any, stack: bool) -> Any:
        pp = policy_module
        redactor = Redactor()
        resources: list[Any] | None = None
        for policy, level in self._policies(stack):
            if not stack and not policy.has_validation():
                response.not_applicable.append(
                    proto.PolicyNotApplicable(
                        policy_name=policy.name, reason="Policy does not implement validate"
                    )
                )
                continue
            report_violation = self._safe_report(response, policy, level, redactor)
            report_fault = self._safe_report(
                response, policy, policy_module.EnforcementLevel.MANDATORY, redactor
            )
            config = self._get_policy_config(policy.name)
            tags = _private(self, "stack_tags")
            if stack:
                if resources is None:
                    resources = stack_resources(self, request, redactor)
                args: Any = pp.StackValidationArgs(resources, config, tags)
                subject = ""
            else:
                props = read_struct(request.properties, redactor)
                args = pp.ResourceValidationArgs(
                    request.type,
                    props,
                    request.urn,
                    request.name,
                    self._get_resource_options(request),
                    self._get_provider_resource(request),
                    config,
                    tags,
                )
                subject = request.urn
            reports = (report_violation, report_fault)
            self._validate(policy, args, reports, response, redactor, subject)
        return response

    def _safe_report(self, response: Any, policy: Any, level: Any, redactor: Redactor) -> Any:
        report = self._create_report_violation(
            response, policy.name, policy.description, level, policy.severity
        )

        def report_violation(message: str, urn: str | None = None) -> None:
            report(safe_message(message, redactor), urn)

        return report_violation

    def _validate(
        self,
        policy: Any,
        args: Any,
        reports: tuple[Any, Any],
        response: Any,
        redactor: Redactor,
        subject: str,
    ) -> None:
        """Run one policy; nothing escapes. A fault is a mandatory "could not judge"
        violation whatever the policy's level (fail closed); `reports` are the policy's
        report at its level and that mandatory one."""
        pp = policy_module
        report_violation, report_fault = reports
        try:
            result: Any = policy.validate(args, report_violation)
            if isawaitable(result):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(result)
                loop.close()
        except JudgingFailed as e:
            for fault in e.faults:
                report_fault(fault.message, fault.urn)
            if e.notes:
                self._cannot_run(policy, "; ".join(e.notes), response, redactor)
        except pp.UnknownValueError as e:
            self._cannot_run(policy, e.message, response, redactor)
        except pp._NotApplicableError as e:
            response.not_applicable.append(
                proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or "")
            )
        except SettingError:
            raise  # a wrong --policy-pack-config fails the call, naming the setting
        except Exception as error:  # noqa: BLE001 (fail closed: any fault is a refusal)
            what = f"resource {subject}" if subject else "the stack"
            report_fault(could_not_judge(what, error), subject or None)

    def _cannot_run(self, policy: Any, notes: str, response: Any, redactor: Redactor) -> None:
        """pulumi-policy's advisory "can't run policy ... during preview" line."""
        pack_name = _private(self, "policy_pack_name")
        pack_version = _private(self, "policy_pack_version")
        message = (
            f"can't run policy '{policy.name}' from policy pack "
            f"'{pack_name}@v{pack_version}' during preview: {notes}"
        )
        response.diagnostics.append(
            proto.AnalyzeDiagnostic(
                policyName=policy.name,
                policyPackName=pack_name,
                policyPackVersion=pack_version,
                message=safe_message(message, redactor),
                urn="",
                description=policy.description,
                enforcementLevel=self._map_enforcement_level(
                    policy_module.EnforcementLevel.ADVISORY
                ),
            )
        )


def install() -> bool:
    """Have `PolicyPack` serve with `SharedStackServicer`; False (and nothing changed) when
    the installed pulumi-policy is not one it was written against."""
    if not supported():
        return False
    policy_module._PolicyAnalyzerServicer = SharedStackServicer  # type: ignore[misc]
    return True
