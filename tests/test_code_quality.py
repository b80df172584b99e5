"""ruff (lint and format) and mypy over the whole repository, in the test command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Each Pulumi project has its own `__main__.py`, so mypy checks them one project at a time.
MYPY_TARGETS = {
    "producer": (ROOT, ["__main__.py", "components", "destination_review", "tests", "benchmarks"]),
    "policy pack": (ROOT / "policy-packs" / "social-messaging-guard", ["."]),
    "consumer": (ROOT / "examples" / "consumer", ["."]),
    "component provider": (ROOT / "plugins" / "social-messaging", ["__main__.py"]),
}


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    result = run([sys.executable, "-m", "ruff", "check", "."], ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_changes_nothing() -> None:
    """Code, and the Python blocks of the docs, as the formatter writes them: a reader
    who pastes a docs example into a formatted project sees no churn."""
    result = run([sys.executable, "-m", "ruff", "format", "--check", "."], ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("project", list(MYPY_TARGETS))
def test_mypy_finds_nothing(project: str) -> None:
    cwd, paths = MYPY_TARGETS[project]
    config = str(ROOT / "pyproject.toml")
    result = run([sys.executable, "-m", "mypy", "--config-file", config, *paths], cwd)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_function_of_the_library_or_the_review_is_over_60_lines() -> None:
    """Long functions were where ownership logic hid; keep each one readable."""
    import ast

    long = []
    for folder in ("components", "destination_review", "plugins"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = (node.end_lineno or node.lineno) - node.lineno + 1
                    if lines > 60:
                        long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} {lines}")
    assert long == []
