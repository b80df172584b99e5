"""Finding the statements that grant social-messaging.amazonaws.com a set of actions.

Used by the stack rules that follow a destination to its topic, key and role: a grant
counts when it is an Allow to the service principal, covers the action (wildcards
included) and the resource, and carries both confused-deputy conditions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .arns import SOCIAL_MESSAGING_PRINCIPAL, is_social_messaging_principal
from .conditions import confused_deputy_problems
from .documents import Document, Statement, allows_action, covers_resource
from .values import Resource


@dataclass
class GrantSearch:
    """Which actions are granted properly, which only without conditions, what was unknown."""

    granted: set[str] = field(default_factory=set)
    unconditioned: dict[str, list[str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def missing(self, actions: Sequence[str]) -> list[str]:
        return [action for action in actions if action not in self.granted]


def find_service_grants(
    documents: Sequence[tuple[Resource, str, Document]],
    actions: Sequence[str],
    resource_arn: str | None = None,
    resource_name: str | None = None,
    check_resource: bool = False,
) -> GrantSearch:
    """Search documents for Allow statements to the service covering each action."""
    search = GrantSearch()
    for holder, prop, document in documents:
        where = f"`{prop}` of {holder.label}"
        if document.unknown:
            search.unknown.append(f"{where} is unknown at preview")
            continue
        if document.problem is not None:
            search.problems.append(f"{where} {document.problem}")
            continue
        for statement in document.statements:
            if statement.may_grant_unknown:
                search.unknown.append(
                    f"{where}: {statement.label} has an unknown value at {statement.unknown_path}"
                )
                continue
            if not _grants_service(statement):
                continue
            if check_resource and not covers_resource(statement, resource_arn, resource_name):
                continue
            problems, unknowns = confused_deputy_problems(statement, SOCIAL_MESSAGING_PRINCIPAL)
            for action in actions:
                if not allows_action(statement, action):
                    continue
                if unknowns:
                    search.unknown.extend(
                        f"{where}: {note} is unknown at preview" for note in unknowns
                    )
                elif problems:
                    search.unconditioned.setdefault(action, []).extend(
                        f"{where}: {problem}" for problem in problems
                    )
                else:
                    search.granted.add(action)
    return search


def _grants_service(statement: Statement) -> bool:
    return statement.grants_service(is_social_messaging_principal)
