"""What crosses the wire: the engine's properties read without recursion, and every message
made safe to send back.

The engine sends each resource's properties as a protobuf `Struct`. pulumi-policy reads it
with two recursive walks (`MessageToDict`, then `deserialize_properties`) that fail the
whole call on a property nested a few hundred levels deep or on NaN or ±Infinity (which
`MessageToDict` refuses). `read_struct` reads it in one loop instead, keeps NaN and
±Infinity as the floats they are, unwraps the engine's secret envelopes as pulumi-policy
does, and notes every secret value it unwrapped, so that `Redactor` can keep them out of
the messages the pack sends.

`safe_message` is the last step of every message: secrets redacted, then text that gRPC
cannot encode as UTF-8 (a lone surrogate, which valid JSON may hold as `"\\ud800"`)
written as its escape, then the length capped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY

REDACTED = "[secret]"
# Secrets shorter than this are not searched for in messages: they would match ordinary
# words of every message ("*", "sns") and carry next to nothing of the secret.
MIN_SECRET_LENGTH = 4
# The longest message the pack sends; a value quoted in a message is cut, not the sentence.
MAX_MESSAGE_LENGTH = 4000
# Secret policy documents: the values of these statement keys are IAM's grammar, not secrets.
_GRAMMAR_KEYS = frozenset({"Version", "Effect"})


def read_struct(struct: Any, redactor: Redactor) -> dict[str, Any]:
    """A protobuf `Struct` as plain Python data; the secret strings found inside it are
    added to `redactor`.

    One loop over an explicit stack, so no nesting depth can exhaust Python's stack.
    Numbers stay floats, NaN and ±Infinity included.
    """
    secrets: set[str] = set()
    root: dict[str, Any] = {}
    # (protobuf Value, container to fill, key or index, inside a secret)
    pending: list[tuple[Any, Any, Any, bool]] = [
        (value, root, key, False) for key, value in struct.fields.items()
    ]
    while pending:
        message, container, key, secret = pending.pop()
        kind = message.WhichOneof("kind")
        if kind == "struct_value":
            fields = message.struct_value.fields
            sig = fields.get(SPECIAL_SIG_KEY)
            if sig is not None and sig.string_value == SPECIAL_SECRET_SIG and "value" in fields:
                pending.append((fields["value"], container, key, True))
                continue
            target: Any = dict.fromkeys(fields)  # the keys in their order, filled in later
            pending.extend((v, target, k, secret) for k, v in fields.items())
        elif kind == "list_value":
            values = message.list_value.values
            target = [None] * len(values)
            pending.extend((v, target, i, secret) for i, v in enumerate(values))
        elif kind == "string_value":
            target = message.string_value
            if secret:
                secrets.add(target)
        elif kind == "number_value":
            target = message.number_value
            if secret:
                secrets.add(_number_text(target))
        elif kind == "bool_value":
            target = message.bool_value
        else:
            target = None
        container[key] = target
    for text in secrets:
        redactor.add(text)
    return root


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def secret_leaves(text: str) -> set[str]:
    """The strings inside a secret that is a JSON policy: each may be quoted on its own."""
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError):
        return set()
    found: set[str] = set()
    pending = [(decoded, "")]
    while pending:
        value, key = pending.pop()
        if isinstance(value, str):
            if key not in _GRAMMAR_KEYS:
                found.add(value)
        elif isinstance(value, dict):
            pending.extend((v, str(k)) for k, v in value.items())
        elif isinstance(value, list):
            pending.extend((v, key) for v in value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found.add(_number_text(float(value)))
    return found


class Redactor:
    """Replaces every secret string in a message, in time linear in the message.

    Secrets are looked up by their first `MIN_SECRET_LENGTH` characters, which give the
    lengths worth trying at that position (longest first), so a message is scanned once
    whatever the number of secrets.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._lengths: dict[str, list[int]] = {}
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        candidates = {secret}
        if secret[:1] in "{[":
            candidates |= secret_leaves(secret)
        for candidate in candidates:
            if len(candidate) < MIN_SECRET_LENGTH or candidate in self._secrets:
                continue
            self._secrets.add(candidate)
            lengths = self._lengths.setdefault(candidate[:MIN_SECRET_LENGTH], [])
            if len(candidate) not in lengths:
                lengths.append(len(candidate))
                lengths.sort(reverse=True)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def redact(self, message: str) -> str:
        if not self._secrets:
            return message
        parts: list[str] = []
        start = position = 0
        end = len(message) - MIN_SECRET_LENGTH
        while position <= end:
            lengths = self._lengths.get(message[position : position + MIN_SECRET_LENGTH])
            match = 0
            for length in lengths or ():
                if message[position : position + length] in self._secrets:
                    match = length
                    break
            if not match:
                position += 1
                continue
            parts.append(message[start:position])
            parts.append(REDACTED)
            position += match
            start = position
        parts.append(message[start:])
        return "".join(parts)


def encodable(text: str) -> str:
    """Text gRPC can send: what UTF-8 cannot encode (lone surrogates) as its `\\u` escape."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def safe_message(message: str, redactor: Redactor | None = None) -> str:
    """A message ready to send: secrets redacted, encodable, at most `MAX_MESSAGE_LENGTH`."""
    text = redactor.redact(message) if redactor else message
    text = encodable(text)
    if len(text) > MAX_MESSAGE_LENGTH:
        cut = len(text) - MAX_MESSAGE_LENGTH
        text = f"{text[:MAX_MESSAGE_LENGTH]} ... ({cut:,} more characters not shown)"
    return text
