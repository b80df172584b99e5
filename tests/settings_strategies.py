"""Hypothesis strategies for stack settings and stack files: near-valid shapes, wrong
types, hostile text, and YAML with aliases, tags and duplicate keys. Shared by the
suite's bounded fuzz test and the long run in benchmarks/settings_fuzz.py."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from tests.conftest import WABA_A, WABA_B

KEYS = ["wabaId", "type", "connectInstanceArn", "topicArn", "roleArn", "takeover", "verify"]
TOP = ["destinations", "topic", "connectRole", "tags", "tagz"]
TEXTS = st.sampled_from(
    [
        WABA_A,
        WABA_B,
        "sns",
        "connect",
        "arn:aws:connect:us-east-1:111122223333:instance/zzzz-not-hex",
        "arn:aws:connect:us-east-1:111122223333:instance/aaaabbbb-cccc-dddd-eeee-ffff00001111",
        "arn:aws:sns:us-east-1:111122223333:events.fifo",
        "arn:aws:social-messaging:us-east-1:111122223333:waba/0123456789abcdef",
        "arn:aws:iam::111122223333:role/channel",
        "us-\u0435ast-1",
        "\ud800",
        "aws:owner",
        "",
        "x" * 300,
    ]
) | st.text(max_size=40)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXTS
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4),
    max_leaves=20,
)
DESTINATION = st.dictionaries(st.sampled_from(KEYS) | TEXTS, VALUES | TEXTS, max_size=8)
RAW = st.fixed_dictionaries(
    {},
    optional={
        "destinations": st.lists(DESTINATION, max_size=30) | VALUES,
        "topic": st.dictionaries(
            st.sampled_from(["name", "keyRotation", "keyDeletionWindowDays", "protect"]),
            VALUES,
        )
        | VALUES,
        "connectRole": st.dictionaries(st.just("name"), VALUES) | VALUES,
        "tags": st.dictionaries(TEXTS, VALUES, max_size=60) | VALUES,
        "tagz": VALUES,
    },
)
AWS = st.dictionaries(
    st.sampled_from(["region", "profile", "assumeRole", "assumeRoles", "regoin", "secretKey"]),
    VALUES,
    max_size=4,
)


def engine_config(raw: dict[str, Any], aws: dict[str, Any], project: str) -> dict[str, str]:
    """Full keys to text, as the engine passes config to the program."""
    full = {f"{project}:{k}": v for k, v in raw.items()} | {f"aws:{k}": v for k, v in aws.items()}
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in full.items()}


# YAML fragments a stack file may be made of, hostile ones included.
_FRAGMENTS = st.sampled_from(
    [
        "a: &a [x, x, x, x, x, x, x, x, x]\n",
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
        "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
        "d: &d {e: *d}\n",
        "f: !!binary aGVsbG8=\n",
        "g: !!set {h, i}\n",
        "j: 2024-01-01\n",
        "k: .nan\n",
        "l: !!int nope\n",
        "m: 1\nm: 2\n",
        "n: {1: x, ~: y}\n",
        "o: *missing\n",
        "p: [[[[[[[[[[1]]]]]]]]]]\n",
        "q: {<<: {r: 1}, r: 2}\n",
        "s: 'unterminated\n",
        "t: \ud7ff\n",
        "u: !custom v\n",
        "v: 0x1F\n",
    ]
)
STACK_FILES = st.lists(_FRAGMENTS, max_size=8).map(
    lambda parts: "config:\n" + "".join(f"  proj:{p}" for p in parts)
) | st.text(max_size=200)
