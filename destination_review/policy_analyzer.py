"""Run the `social-messaging-guard` policy pack the way the Pulumi engine does, offline.

The engine starts a Python policy pack as `python -u -m pulumi.policy <engine-address> .`
in the pack's folder (see the `pulumi-analyzer-policy-python` shim), with
`PULUMI_PROJECT`, `PULUMI_STACK`, `PULUMI_DRY_RUN`, `PULUMI_ORGANIZATION` (and
`PULUMI_CONFIG`) in the environment, reads the port the pack prints, and then speaks the
Analyzer gRPC protocol: `Handshake`, `ConfigureStack`, `GetAnalyzerInfo`, `Configure`,
`Analyze` for each resource and `AnalyzeStack` at the end. Properties travel as protobuf
`Struct`s, with values that are unknown at preview replaced by the engine's sentinel
string and internal (`__`-prefixed) top-level properties left out, as the engine does.

This client does the same, so tests and the offline review command exercise exactly the
code path `pulumi preview --policy-pack` does, without the Pulumi CLI.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import grpc
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from components.pulumi_compat import SECRET_SIGNATURE, SIGNATURE_KEY
from destination_review.pack_process import (
    DEFAULT_ORGANIZATION,
    DEFAULT_PROJECT,
    DEFAULT_STACK,
    default_pack_dir,
    launch_pack,
)

PACK_DIR: Path = default_pack_dir()

# The engine's encoding of a secret value inside a property map.
_SIG_KEY, _SECRET_SIG = SIGNATURE_KEY, SECRET_SIGNATURE

_LEVELS = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
_LEVEL_VALUES = {name: value for value, name in _LEVELS.items()}
_SEVERITIES = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
_POLICY_TYPES = {
    analyzer_pb2.POLICY_TYPE_UNKNOWN: "",
    analyzer_pb2.POLICY_TYPE_RESOURCE: "resource",
    analyzer_pb2.POLICY_TYPE_STACK: "stack",
}
_SCHEMA_TYPES: Mapping[str, tuple[type, ...]] = {
    "boolean": (bool,),
    "string": (str,),
    "array": (list,),
    "object": (dict,),
    "number": (int, float),
    "integer": (int,),
}

_STARTUP_TIMEOUT_SECONDS = 60.0
_CALL_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class Secret:
    """A property value the engine would send as a secret (the pack sees the plain value)."""

    value: Any


@dataclass(frozen=True)
class AnalyzedResource:
    """A resource as the engine describes it to a policy pack: type, name, inputs, links."""

    type: str
    name: str
    properties: dict[str, Any]
    urn: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    parent: str = ""

    @property
    def resolved_urn(self) -> str:
        """The given URN, or the one Pulumi gives a top-level resource in the default stack."""
        return self.urn or make_urn(self.type, self.name)


@dataclass(frozen=True)
class Violation:
    """One diagnostic from the pack, as `pulumi preview` prints it.

    `message` is what is wrong with this resource (the pack sends the policy description
    in front of it; that part is in `description`). Diagnostics that say a policy could not
    run during preview come back as advisory violations of that policy.
    """

    policy_name: str
    enforcement_level: str
    message: str
    urn: str
    description: str = ""

    @property
    def could_not_run(self) -> bool:
        """True for "can't run policy ... during preview" (a value was unknown)."""
        return self.message.startswith("can't run policy")


def make_urn(
    type_: str, name: str, stack: str = DEFAULT_STACK, project: str = DEFAULT_PROJECT
) -> str:
    """URN of a resource without a parent: `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


def to_value(value: Any) -> Any:
    """A Python value as the engine marshals it into a Struct (secrets in their envelope)."""
    if isinstance(value, Secret):
        return {_SIG_KEY: _SECRET_SIG, "value": to_value(value.value)}
    if isinstance(value, Mapping):
        return {str(k): to_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_value(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    raise TypeError(
        f"Property value {type(value).__name__} cannot be sent to a policy pack; expected "
        "JSON-like data (str, number, bool, None, list, dict) or Secret."
    )


def to_struct(properties: Mapping[str, Any]) -> struct_pb2.Struct:
    """Top-level properties as a Struct, without the engine-internal `__` keys."""
    struct = struct_pb2.Struct()
    struct.update({k: to_value(v) for k, v in properties.items() if not str(k).startswith("__")})
    return struct


def normalize_config(
    config: Mapping[str, Any], policies: Sequence[Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Turn a `--policy-pack-config` document into one entry per policy, as the CLI does.

    Accepts `"policy": "<level>"`, `"policy": {"enforcementLevel": ..., <setting>: ...}` and
    `"all": "<level>"`; every policy gets an enforcement level (its default unless set), and
    settings are checked against the policy's config schema.
    """
    by_name = {p["name"]: p for p in policies}
    levels = {name: p["enforcementLevel"] for name, p in by_name.items()}
    settings: dict[str, dict[str, Any]] = {name: {} for name in by_name}
    everything = config.get("all")
    if everything is not None:
        for name in levels:
            levels[name] = _check_level("all", everything)
    for name, entry in config.items():
        if name == "all":
            continue
        if name not in by_name:
            raise ValueError(
                f"Policy config names policy '{name}', which the pack does not have; expected one "
                f"of {sorted(by_name)} (or 'all'). Fix the name in the policy config."
            )
        if isinstance(entry, str):
            levels[name] = _check_level(name, entry)
            continue
        if not isinstance(entry, Mapping):
            raise ValueError(
                f"Policy config for '{name}' is {entry!r}; expected an enforcement level string or "
                'an object such as {"enforcementLevel": "mandatory"}.'
            )
        schema = by_name[name].get("configSchema", {}).get("properties", {})
        for key, value in entry.items():
            if key == "enforcementLevel":
                levels[name] = _check_level(name, value)
                continue
            if key not in schema:
                raise ValueError(
                    f"Policy config for '{name}' sets `{key}`, which the policy does not have; "
                    f"expected one of {sorted(schema) or 'no settings'} or `enforcementLevel`."
                )
            expected = schema[key].get("type")
            if expected in _SCHEMA_TYPES and not _is_type(value, expected):
                raise ValueError(
                    f"Policy config for '{name}' sets `{key}` to {value!r}; "
                    f"expected a JSON {expected}."
                )
            settings[name][key] = value
    return {name: {"enforcementLevel": levels[name], **settings[name]} for name in by_name}


def _is_type(value: Any, expected: str) -> bool:
    if expected in ("number", "integer") and isinstance(value, bool):
        return False
    return isinstance(value, _SCHEMA_TYPES[expected])


def _check_level(name: str, level: Any) -> str:
    if level not in _LEVEL_VALUES:
        raise ValueError(
            f"Policy config for '{name}' has enforcement level {level!r}; expected one of "
            f"{sorted(_LEVEL_VALUES)}."
        )
    return str(level)


def pack_version(pack_dir: Path) -> str:
    """The `version` of PulumiPolicy.yaml, which the engine reports instead of the pack's."""
    with open(pack_dir / "PulumiPolicy.yaml", encoding="utf-8") as file:
        project = yaml.safe_load(file) or {}
    version = project.get("version") if isinstance(project, dict) else None
    return str(version) if version else ""


def _struct_to_python(struct: struct_pb2.Struct) -> dict[str, Any]:
    return dict(json_format.MessageToDict(struct))


def stack_request(resources: Sequence[AnalyzedResource]) -> analyzer_pb2.AnalyzeStackRequest:
    """The AnalyzeStack request the engine sends for these resources."""
    request = analyzer_pb2.AnalyzeStackRequest()
    for resource in resources:
        item = request.resources.add()
        item.type = resource.type
        item.name = resource.name
        item.urn = resource.resolved_urn
        item.properties.CopyFrom(to_struct(resource.properties))
        item.options.parent = resource.parent
        item.parent = resource.parent
        item.dependencies.extend(resource.dependencies)
        for prop, urns in resource.property_dependencies.items():
            if urns:
                item.propertyDependencies[prop].urns.extend(urns)
    return request


class PolicyPackServer:
    """The pack's Analyzer server in a child process, driven over gRPC like the engine.

    Use as a context manager. `config` is applied at start, as `--policy-pack-config` is.
    `process` adopts a pack already started with `launch_pack` (so it can start while
    the caller does other work); `graceful=False` ends it at once instead of letting it
    shut its server down, for a caller that has all it needs.
    """

    def __init__(
        self,
        pack_dir: Path = PACK_DIR,
        python: str | None = None,
        config: dict[str, Any] | None = None,
        *,
        project: str = DEFAULT_PROJECT,
        stack: str = DEFAULT_STACK,
        organization: str = DEFAULT_ORGANIZATION,
        dry_run: bool = True,
        process: subprocess.Popen[bytes] | None = None,
        graceful: bool = True,
    ) -> None:
        self.graceful = graceful
        self._adopted = process
        self.pack_dir = Path(pack_dir).resolve()
        self.python = python or sys.executable
        self.initial_config = dict(config or {})
        self.project = project
        self.stack = stack
        self.organization = organization
        self.dry_run = dry_run
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._stderr: deque[str] = deque(maxlen=200)
        self._info: dict[str, Any] | None = None
        self._drainer: threading.Thread | None = None

    # Lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> PolicyPackServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start the pack (or adopt the one given), read its port, connect, and configure
        it as the engine does."""
        self._process, self._adopted = self._adopted, None
        if self._process is None:
            self._process = launch_pack(
                self.pack_dir,
                python=self.python,
                project=self.project,
                stack=self.stack,
                organization=self.organization,
                dry_run=self.dry_run,
            )
        try:
            self._connect()
        except BaseException:
            # A pack that failed to start, or a config it refused, must not outlive the call.
            self.stop()
            raise

    def _connect(self) -> None:
        assert self._process is not None
        assert self._process.stderr is not None and self._process.stdout is not None
        self._drainer = threading.Thread(
            target=self._drain, args=(self._process.stderr,), daemon=True
        )
        self._drainer.start()
        port = self._read_port(self._process.stdout)
        self._channel = grpc.insecure_channel(
            f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)]
        )
        grpc.channel_ready_future(self._channel).result(timeout=_STARTUP_TIMEOUT_SECONDS)
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self._handshake()
        self._stub.ConfigureStack(
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=self.stack,
                project=self.project,
                organization=self.organization,
                dry_run=self.dry_run,
            ),
            timeout=_CALL_TIMEOUT_SECONDS,
        )
        if self.initial_config:
            self.configure(self.initial_config)

    def stop(self) -> None:
        """Close the connection and end the pack's process (SIGINT first, as it expects;
        at once when not `graceful`)."""
        self._stub = None
        self._info = None
        process, self._process = self._process, None
        if process is not None and process.poll() is None and not self.graceful:
            # Nothing to flush: every answer has been read. Ended first, the pack leaves
            # the channel nothing to wait for when it closes (~0.2 s otherwise).
            process.kill()
            process.wait(timeout=5)
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # pulumi-policy's serve loop stops its server on it
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def _drain(self, stream: IO[bytes]) -> None:
        for line in iter(stream.readline, b""):
            self._stderr.append(line.decode(errors="replace"))

    def _read_port(self, stdout: IO[bytes]) -> int:
        result: list[bytes] = []
        reader = threading.Thread(target=lambda: result.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(_STARTUP_TIMEOUT_SECONDS)
        line = result[0].decode(errors="replace").strip() if result else ""
        if not line.isdigit():
            # Let a crashed pack finish writing its traceback before quoting it.
            if self._process is not None and self._process.poll() is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(timeout=1)
            if self._drainer is not None:
                self._drainer.join(timeout=5)
            detail = "".join(list(self._stderr)[-20:]).strip() or "(no output on stderr)"
            raise RuntimeError(
                f"Policy pack in '{self.pack_dir}' did not print its port (got {line!r}) when "
                f"started with {self.python} -m pulumi.policy; is pulumi-policy installed for that "
                f"Python? stderr:\n{detail}"
            )
        return int(line)

    def _handshake(self) -> None:
        """Offer the engine's handshake; packs without it are fine, as in the engine."""
        try:
            self.stub.Handshake(
                analyzer_pb2.AnalyzerHandshakeRequest(
                    engine_address="127.0.0.1:0",
                    root_directory=str(self.pack_dir),
                    program_directory=str(self.pack_dir),
                ),
                timeout=_CALL_TIMEOUT_SECONDS,
            )
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is None:
            raise RuntimeError(
                "The policy pack is not running; use `with PolicyPackServer() as server:`."
            )
        return self._stub

    # Analyzer calls -------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """GetAnalyzerInfo as plain data: pack name, version and each policy's metadata."""
        response = self.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=_CALL_TIMEOUT_SECONDS)
        policies = []
        for policy in response.policies:
            schema: dict[str, Any] = {}
            if policy.HasField("configSchema"):
                schema = {
                    "properties": _struct_to_python(policy.configSchema.properties),
                    "required": list(policy.configSchema.required),
                }
            policies.append(
                {
                    "name": policy.name,
                    "displayName": policy.displayName,
                    "description": policy.description,
                    "enforcementLevel": _LEVELS[policy.enforcementLevel],
                    "severity": _SEVERITIES.get(policy.severity, ""),
                    "policyType": _POLICY_TYPES.get(policy.policy_type, ""),
                    "remediationSteps": policy.remediation_steps,
                    "tags": list(policy.tags),
                    "url": policy.url,
                    "configSchema": schema,
                }
            )
        self._info = {
            "name": response.name,
            "displayName": response.displayName,
            # As the engine does, the version in PulumiPolicy.yaml wins over the pack's own.
            "version": pack_version(self.pack_dir) or response.version,
            "description": response.description,
            "supportsConfig": response.supportsConfig,
            "policies": policies,
        }
        return self._info

    def configure(self, config: dict[str, Any]) -> None:
        """Configure: `{policyName: level | {"enforcementLevel": ..., <setting>: ...}}`.

        Like the CLI, every policy is sent with an enforcement level (its default unless the
        config sets one), so configuring one policy never downgrades the others; calling it
        again replaces the previous configuration.
        """
        info = self._info or self.info()
        normalized = normalize_config(config, info["policies"])
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, entry in normalized.items():
            policy_config = analyzer_pb2.PolicyConfig(
                enforcementLevel=_LEVEL_VALUES[entry["enforcementLevel"]]
            )
            properties = {k: to_value(v) for k, v in entry.items() if k != "enforcementLevel"}
            if properties:
                policy_config.properties.update(properties)
            request.policyConfig[name].CopyFrom(policy_config)
        self.stub.Configure(request, timeout=_CALL_TIMEOUT_SECONDS)

    def analyze(self, resource: AnalyzedResource) -> list[Violation]:
        """Analyze one resource's inputs, as the engine does before creating or updating it."""
        urn = resource.resolved_urn
        request = analyzer_pb2.AnalyzeRequest(
            type=resource.type,
            name=resource.name,
            urn=urn,
            properties=to_struct(resource.properties),
            options=analyzer_pb2.AnalyzerResourceOptions(parent=resource.parent),
        )
        response = self.stub.Analyze(request, timeout=_CALL_TIMEOUT_SECONDS)
        return [_violation(d, default_urn=urn) for d in response.diagnostics]

    def analyze_stack(self, resources: list[AnalyzedResource]) -> list[Violation]:
        """AnalyzeStack over every resource, as the engine does at the end of preview or update."""
        response = self.stub.AnalyzeStack(stack_request(resources), timeout=_CALL_TIMEOUT_SECONDS)
        return [_violation(d, default_urn="") for d in response.diagnostics]

    def analyze_all(self, resources: list[AnalyzedResource]) -> list[Violation]:
        """Analyze every resource, then AnalyzeStack: everything `pulumi preview` would report."""
        violations: list[Violation] = []
        for resource in resources:
            violations.extend(self.analyze(resource))
        violations.extend(self.analyze_stack(resources))
        return violations


def _violation(diagnostic: analyzer_pb2.AnalyzeDiagnostic, default_urn: str) -> Violation:
    message = diagnostic.message
    prefix = f"{diagnostic.description}\n"
    if diagnostic.description and message.startswith(prefix):
        message = message[len(prefix) :]
    return Violation(
        policy_name=diagnostic.policyName,
        enforcement_level=_LEVELS.get(diagnostic.enforcementLevel, "advisory"),
        message=message,
        urn=diagnostic.urn or default_urn,
        description=diagnostic.description,
    )
