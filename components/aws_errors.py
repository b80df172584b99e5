"""Reading an AWS error: the code and message of a botocore ClientError, in one place."""

from __future__ import annotations

from botocore.exceptions import ClientError


def error_code(error: ClientError) -> str:
    """The error's code (`AccessDenied`, `ResourceNotFoundException`), or 'Unknown'."""
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def error_message(error: ClientError) -> str:
    """The error's message, or ''."""
    return str(error.response.get("Error", {}).get("Message", ""))
