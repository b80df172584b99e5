"""The review reads a stack file as the real CLI does: the same value for every key,
and the same refusals (`pulumi config` needs no language host and no cloud)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from destination_review.project import ReviewError, read_stack_config
from tests.e2e.test_fix_commands import Stack
from tests.test_stack_file import BOMB, TYPED

pytestmark = pytest.mark.e2e


@pytest.fixture()
def stack(pulumi_bin: Path, tmp_path: Path) -> Stack:
    assert os.access(pulumi_bin, os.X_OK)
    return Stack(pulumi_bin, tmp_path)


def namespaced(text: str, stack: Stack) -> tuple[str, str]:
    """`text` with `proj:` as the project's namespace, and that namespace."""
    name = (stack.project / "Pulumi.yaml").read_text().split("name:", 1)[1].split()[0]
    return text.replace("proj:", f"{name}:"), name


def test_every_typed_value_is_the_clis(stack: Stack) -> None:
    text, name = namespaced(TYPED, stack)
    (stack.project / "Pulumi.dev.yaml").write_text(text)
    raw = json.loads(stack.bash("pulumi config --json"))
    assert read_stack_config(stack.project / "Pulumi.dev.yaml", name) == {
        key: entry["value"] for key, entry in raw.items()
    }


@pytest.mark.parametrize(
    ("text", "cli_says"),
    [
        ("config:\n  proj:a: 1\n  proj:a: 2\n", "already defined at line 2"),
        ("config:\n  proj:a: &x [1, *x]\n", "anchor 'x' value contains itself"),
        ("config:\n  proj:a: .nan\n", "unsupported value: NaN"),
        ("config:\n  proj:a: !!int abc\n", "cannot decode !!str `abc` as a !!int"),
        (
            "config:\n  other:x:\n" + "".join(f"    {line}\n" for line in BOMB.splitlines()),
            "document contains excessive aliasing",
        ),
    ],
)
def test_what_the_cli_refuses_the_review_refuses(stack: Stack, text: str, cli_says: str) -> None:
    text, name = namespaced(text, stack)
    path = stack.project / "Pulumi.dev.yaml"
    path.write_text(text)
    with pytest.raises(AssertionError) as refused:  # the CLI exits non-zero
        stack.bash("pulumi config --json")
    assert cli_says in str(refused.value)
    with pytest.raises(ReviewError):
        read_stack_config(path, name)
