"""The Pulumi project and stack file a review reads, as the Pulumi CLI reads them.

The project is the folder with `Pulumi.yaml` (the current one or a parent, as the CLI
looks for it); its `name` is the namespace of the program's settings, and a stack file
key without a namespace belongs to it (the CLI writes `destinations:` as
`<project>:destinations`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from destination_review import stack_file

PROJECT_FILE = "Pulumi.yaml"


class ReviewError(Exception):
    """Input the review cannot work with; each line of the message is one problem."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


@dataclass(frozen=True)
class Project:
    """A Pulumi project: its folder, its name and its program."""

    directory: Path
    name: str
    program: Path

    def stack_file(self, stack: str) -> Path:
        return self.directory / f"Pulumi.{stack}.yaml"


def _load_yaml(path: Path) -> Any:
    """A YAML file's content, or a one-line ReviewError (missing, not UTF-8, malformed)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as error:
        raise ReviewError(f"{path}: no such file") from error
    except UnicodeDecodeError as error:
        raise ReviewError(
            f"{path}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at offset "
            f"{error.start}); save it as UTF-8"
        ) from error
    except OSError as error:
        raise ReviewError(f"{path}: cannot be read ({error.strerror})") from error
    try:
        return stack_file.load(text)
    except stack_file.YamlError as error:
        raise ReviewError(*(f"{path}: {line}" for line in error.lines)) from error


def find_project(start: Path) -> Project:
    """The project of `start` or of its nearest parent with a Pulumi.yaml."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / PROJECT_FILE).is_file():
            return read_project(directory)
    raise ReviewError(
        f"{start}: no {PROJECT_FILE} here or in a parent folder; run the review in the "
        "project's folder or pass --project-dir"
    )


def read_project(directory: Path) -> Project:
    """Read `Pulumi.yaml`: the project's name and where its program is (`main`)."""
    path = directory / PROJECT_FILE
    content = _load_yaml(path)
    name = content.get("name") if isinstance(content, dict) else None
    if not isinstance(name, str) or not name:
        raise ReviewError(f"{path}: expected a project file with a 'name:'")
    main = content.get("main")
    program = directory / main if isinstance(main, str) and main else directory
    if program.is_dir():
        program = program / "__main__.py"
    if not program.is_file():
        raise ReviewError(f"{path}: the project's program {program} does not exist")
    return Project(directory.resolve(), name, program.resolve())


def read_stack_config(path: Path, project: str) -> dict[str, Any]:
    """The `config:` map of a `Pulumi.<stack>.yaml` with full keys (`<namespace>:<key>`),
    as the CLI passes it to the program; a one-line ReviewError when it cannot be used."""
    if not path.is_file():
        raise ReviewError(f"{path}: no such stack file (create it with `pulumi stack init`)")
    content = _load_yaml(path)
    if content is None:
        content = {}
    if not isinstance(content, dict) or not isinstance(content.get("config", {}), dict):
        raise ReviewError(f"{path}: expected a mapping with a 'config:' map of settings")
    config = content.get("config") or {}
    result = {}
    for key, value in config.items():
        full_key = key if ":" in key else f"{project}:{key}"
        try:
            result[full_key] = config_text(value)
        except RecursionError as error:
            raise ReviewError(f"{path}: config.{key}: nested too deeply") from error
    return result


def _go_number(value: Any) -> Any:
    """Go's JSON writes a whole float without a fraction (1.0 -> 1)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _go_number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_number(v) for v in value]
    return value


def config_text(value: Any) -> str:
    """A config value as the CLI passes it to the program: a string as it is, anything
    else as JSON text (`true`, `30`, `{"name":"x"}`), which the program parses."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("the CLI keeps no NaN or infinity")  # refused by stack_file
    text = json.dumps(_go_number(value), separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return text.translate(_GO_JSON_ESCAPES)


# Go's JSON escapes these inside strings (HTML safety and JavaScript line separators).
_GO_JSON_ESCAPES = {ord(c): f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"}
