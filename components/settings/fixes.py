"""How a settings problem is named and fixed: its location, the value received, what was
expected, and the edits that fix it.

A problem holds its fix as edits (set this key to that value, remove that key); a
`Naming` turns them into words. The stack's program names config keys and prints
`pulumi config` commands (`CONFIG_NAMING`); a component that takes the same settings as
inputs names property paths instead (`PropertyNaming`). The messages are otherwise the
same, because they come from the same checks.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pulumi

from components.unique import first_per

# Values `pulumi config set --path` would store as a boolean or a number: a string
# setting needs `--type string` for them (see coerce() in Pulumi's config package).
_COERCED_BY_CLI = re.compile(r"true|false|[+-]?[0-9]+")
# Settings whose values are booleans or numbers: their fixes let the CLI coerce.
_TYPED_KEYS = frozenset({"takeover", "verify", "keyRotation", "protect", "keyDeletionWindowDays"})
_SUMMARY_LENGTH = 120
# A map key that can stand in a `--path` as `.key`; any other is written `["key"]`.
_PLAIN_PATH_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*", re.ASCII)

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()


def _last_key(path: str) -> str:
    return re.split(r"[.\[]", path)[-1].strip('"]')


def set_command(path: str, value: str) -> str:
    """`pulumi config set --path <path> <value>`, quoted for a POSIX shell, and typed so
    that a string such as `1234` or `true` stays a string."""
    argv = ["pulumi", "config", "set", "--path"]
    if _last_key(path) not in _TYPED_KEYS and _COERCED_BY_CLI.fullmatch(value):
        argv += ["--type", "string"]
    argv.append(path)
    if value.startswith("-"):
        argv.append("--")  # a value that looks like a flag
    argv.append(value)
    return shlex.join(argv)


def rm_command(path: str) -> str:
    """`pulumi config rm --path <path>`, quoted for a POSIX shell."""
    return shlex.join(["pulumi", "config", "rm", "--path", path])


def path_key(parent: str, key: str) -> str:
    """`parent.key`, or `parent["key"]` when the key holds characters a `--path` reads
    as syntax (a tag key such as `aws:owner` or `cost.center`)."""
    if _PLAIN_PATH_KEY.fullmatch(key):
        return f"{parent}.{key}" if parent else key
    return f'{parent}["{key}"]'


def loc_path(loc: Iterable[int | str]) -> str:
    """A key path from a sequence of keys and list indexes (`destinations[0].wabaId`)."""
    path = ""
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else path_key(path, str(part))
    return path


def summarise(value: Any) -> str:
    """A received value as a message shows it: long lists, maps and strings summarised."""
    if value is MISSING:
        return "nothing (the key is missing)"
    text = repr(value)
    if len(text) <= _SUMMARY_LENGTH:
        return text
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, Mapping):
        return f"a map of {len(value)} keys ({', '.join(map(str, list(value)[:3]))}, ...)"
    if isinstance(value, str):
        return f"{value[:60]!r}... ({len(value)} characters)"
    return text[: _SUMMARY_LENGTH - 3] + "..."


@dataclass(frozen=True)
class Edit:
    """One step of a fix: set the key at `path` to `value`, or remove it (`value` None).
    `plain` keys are set without `--path` (a provider's key such as `aws:region`)."""

    path: str
    value: str | None = None
    plain: bool = False


class Naming(Protocol):
    """How problems name their location and their fix."""

    def location(self, path: str) -> str: ...

    def edit(self, edit: Edit) -> str: ...

    def join(self, steps: Sequence[str]) -> str: ...

    def heading(self, problems: Sequence[Problem], project: str) -> str: ...


def namespace_of(path: str, project: str) -> str:
    """The config namespace of a problem's key path (`aws:region` -> aws)."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    return head.split(":", 1)[0] if ":" in head else project


def _count(problems: Sequence[Problem]) -> str:
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"


@dataclass(frozen=True)
class ConfigNaming:
    """Config keys of the stack, fixed with `pulumi config` commands for a POSIX shell."""

    def location(self, path: str) -> str:
        return path

    def edit(self, edit: Edit) -> str:
        if edit.value is None:
            return rm_command(edit.path)
        if edit.plain:
            return shlex.join(["pulumi", "config", "set", edit.path, edit.value])
        return set_command(edit.path, edit.value)

    def join(self, steps: Sequence[str]) -> str:
        return " && ".join(steps)

    def heading(self, problems: Sequence[Problem], project: str) -> str:
        names = sorted({namespace_of(p.path, project) for p in problems} or {project})
        where = " and ".join(f"'{n}'" for n in names)
        plural = "s" if len(names) > 1 else ""
        return f"Invalid stack configuration in namespace{plural} {where} ({_count(problems)})"


@dataclass(frozen=True)
class PropertyNaming:
    """Input properties of a component (`component`, such as its type token): the
    locations are property paths and the fixes say which property to set or remove."""

    component: str

    def location(self, path: str) -> str:
        return path

    def edit(self, edit: Edit) -> str:
        if edit.value is None:
            return f"remove the property {edit.path}"
        typed = _last_key(edit.path) in _TYPED_KEYS and _COERCED_BY_CLI.fullmatch(edit.value)
        return f"set the property {edit.path} to {edit.value if typed else json.dumps(edit.value)}"

    def join(self, steps: Sequence[str]) -> str:
        return "; then ".join(steps)

    def heading(self, problems: Sequence[Problem], project: str) -> str:
        return f"Invalid inputs of {self.component} ({_count(problems)})"


CONFIG_NAMING = ConfigNaming()


@dataclass(frozen=True)
class Problem:
    """One invalid setting: where, what was received, what was expected, how to fix it.

    The fix removes the key when `remove`, else sets it to `example` (a value, not shell
    text), after any `edits` listed first; with neither, the key goes back to its
    default. `advice` in words leads the edits, or replaces them where no edit can fix
    the problem.
    """

    path: str
    received: Any
    expected: str
    example: str = ""
    remove: bool = False  # the fix is to remove the key, not to change its value
    edits: tuple[Edit, ...] = field(default=())  # extra fix steps, in this order
    advice: str = ""

    def steps(self) -> tuple[Edit, ...]:
        if self.advice:
            return self.edits
        if self.remove:
            return (Edit(self.path), *self.edits)
        if self.edits and not self.example:
            return self.edits
        if not self.example:
            return (Edit(self.path),)  # back to the default
        return (*self.edits, Edit(self.path, self.example))

    def fix_for(self, naming: Naming) -> str:
        steps = naming.join([naming.edit(e) for e in self.steps()])
        return f"{self.advice} {steps}".strip() if self.advice else steps

    def describe(self, naming: Naming) -> str:
        received = summarise(self.received)
        return (
            f"{naming.location(self.path)}: got {received}; expected {self.expected}. "
            f"Fix: {self.fix_for(naming)}"
        )

    @property
    def fix(self) -> str:
        return self.fix_for(CONFIG_NAMING)

    def __str__(self) -> str:
        return self.describe(CONFIG_NAMING)


def _path_order(path: str) -> str:
    """Sort key that keeps a setting's problems together, destinations[2] before [10]."""
    return re.sub(r"\d+", lambda m: m.group().zfill(6), path)


def first_per_path(problems: Iterable[Problem]) -> list[Problem]:
    """Keep the first problem per key path: a structural and a format error on one key
    say the same thing twice."""
    return first_per(problems, lambda problem: problem.path)


class SettingsError(pulumi.RunError):
    """Every problem in the settings, reported together, one per line."""

    def __init__(
        self, problems: list[Problem], project: str, naming: Naming = CONFIG_NAMING
    ) -> None:
        self.problems = sorted(problems, key=lambda p: _path_order(p.path))
        self.project = project
        self.naming = naming
        lines = "\n".join(f"  - {p.describe(naming)}" for p in self.problems)
        super().__init__(f"{naming.heading(self.problems, project)}:\n{lines}")
