"""Stack files read as the Pulumi CLI reads them: typed scalars, duplicate keys, aliases
expanded within yaml.v3's bound, every problem on its own line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from destination_review.project import ReviewError, read_stack_config
from destination_review.stack_file import MAX_PROBLEMS, Budget, YamlError, load

# What `pulumi config --json` (CLI v3.274.1) printed for each value of this stack file;
# tests/e2e/test_stack_file_reading.py compares them with the CLI itself.
TYPED = """\
config:
  proj:created: 2024-01-01
  proj:when: 2001-12-14t21:59:43.10-05:00
  proj:bin: !!binary aGVsbG8=
  proj:set: !!set {a, b}
  proj:yes: yes
  proj:oct: 0o17
  proj:old: 017
  proj:e8: 08
  proj:flt: 1.0
  proj:big: 123456789012345678901234
  proj:obj: {x: 2024-01-01, y: [1, 1.5, yes, ~]}
  proj:keys: {1: x, true: y, ~: z, 1.5: w, 0x10: u}
  proj:merge:
    <<: {a: 1, b: 2}
    b: 3
"""
AS_THE_CLI_TYPES_THEM = {
    "proj:created": "2024-01-01 00:00:00 +0000 UTC",
    "proj:when": "2001-12-14 21:59:43.1 -0500 -0500",
    "proj:bin": "hello",
    "proj:set": '{"a":null,"b":null}',
    "proj:yes": "yes",
    "proj:oct": "15",
    "proj:old": "15",
    "proj:e8": "8",
    "proj:flt": "1",
    "proj:big": "1.2345678901234569e+23",
    "proj:obj": '{"x":"2024-01-01 00:00:00 +0000 UTC","y":[1,1.5,"yes",null]}',
    "proj:keys": '{"1":"x","1.5":"w","16":"u","\\u003cnil\\u003e":"z","true":"y"}',
    "proj:merge": '{"a":1,"b":3}',
}

# A 342-byte alias bomb: nine levels of nine aliases, 9**9 strings once expanded.
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def stack_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ReviewError) as raised:
        read_stack_config(stack_file(tmp_path, text), "proj")
    return raised.value.lines


def test_scalars_are_typed_as_the_cli_types_them(tmp_path: Path) -> None:
    assert read_stack_config(stack_file(tmp_path, TYPED), "proj") == AS_THE_CLI_TYPES_THEM


def test_a_key_without_a_namespace_is_the_projects() -> None:
    assert load("config:\n  tags: {a: b}\n") == {"config": {"tags": {"a": "b"}}}


@pytest.mark.parametrize(
    "where",
    [
        "config:\n  other:bomb:\n{indented}",  # another namespace's value
        "{text}config:\n  proj:tags: {{a: b}}\n",  # outside config
        "config:\n  proj:tags:\n    big:\n{indented2}",  # inside the project's own setting
    ],
)
def test_an_alias_bomb_anywhere_is_refused_after_a_few_thousand_nodes(
    tmp_path: Path, where: str
) -> None:
    text = where.format(
        text=BOMB,
        indented="".join(f"    {line}\n" for line in BOMB.splitlines()),
        indented2="".join(f"      {line}\n" for line in BOMB.splitlines()),
    )
    budget = Budget()
    with pytest.raises(YamlError) as raised:
        load(text, budget)
    [line] = raised.value.lines
    assert line.endswith("document contains excessive aliasing")
    # yaml.v3's bound: beyond 1,000 nodes, at most 99% from aliases; 9**9 are never made.
    assert budget.decoded < 100 * (len(text.split()) + 100)
    [line] = problems(tmp_path, text)
    assert "Pulumi.dev.yaml: " in line and "excessive aliasing" in line


def test_the_bound_grows_with_the_literal_part_of_the_document() -> None:
    """Many aliases of a small anchor are fine while most of the document is written out."""
    text = "base: &b {x: 1}\n" + "".join(f"k{i}: {{own: {i}, ref: *b}}\n" for i in range(2000))
    assert load(text)["k1999"] == {"own": 1999, "ref": {"x": 1}}


def test_duplicate_keys_are_refused_with_both_lines(tmp_path: Path) -> None:
    text = (
        "config:\n  proj:topic:\n    name: a\n    name: b\n  proj:tags: {}\n  proj:tags: {a: b}\n"
    )
    assert problems(tmp_path, text) == [
        f"{tmp_path / 'Pulumi.dev.yaml'}: config.proj:topic.name: line 4: mapping key 'name' "
        "already defined at line 3 (the Pulumi CLI refuses duplicate keys; keep one)",
        f"{tmp_path / 'Pulumi.dev.yaml'}: config.proj:tags: line 6: mapping key 'proj:tags' "
        "already defined at line 5 (the Pulumi CLI refuses duplicate keys; keep one)",
    ]


@pytest.mark.parametrize(
    ("text", "named", "reason"),
    [
        ("config:\n  proj:tags: &t {a: *t}\n", "config.proj:tags.a", "contains itself"),
        ("config:\n  proj:x: &t [1, *t]\n", "config.proj:x[1]", "contains itself"),
        ("config:\n  proj:x: *nowhere\n", "config.proj:x", "unknown anchor 'nowhere'"),
        ("config:\n  proj:x: .nan\n", "config.proj:x", "expected a finite number"),
        ("config:\n  proj:x: [-.inf]\n", "config.proj:x[0]", "expected a finite number"),
        ("config:\n  proj:x: !!int abc\n", "config.proj:x", "cannot decode !!str `abc`"),
        ("config:\n  proj:x: !!binary '*'\n", "config.proj:x", "invalid base64"),
        ("config:\n  proj:x: !!binary /w==\n", "config.proj:x", "not UTF-8 text"),
        ("config:\n  proj:x: {[1]: a}\n", "config.proj:x", "invalid map key"),
        ("config:\n  1: a\n", "config.1", "configuration key"),
    ],
)
def test_what_the_cli_refuses_is_refused_naming_the_key(
    tmp_path: Path, text: str, named: str, reason: str
) -> None:
    [line] = problems(tmp_path, text)
    assert f"Pulumi.dev.yaml: {named}: line " in line and reason in line


def test_many_problems_are_capped_and_counted() -> None:
    text = "".join(f"k{i}: 1\nk{i}: 2\n" for i in range(MAX_PROBLEMS + 5))
    with pytest.raises(YamlError) as raised:
        load(text)
    assert len(raised.value.lines) == MAX_PROBLEMS + 1
    assert raised.value.lines[-1] == "and 5 more problems"


def test_deep_nesting_is_refused_without_recursion() -> None:
    with pytest.raises(YamlError) as raised:
        load("x: " + "[" * 200_000)
    [line] = raised.value.lines
    assert "depth" in line
