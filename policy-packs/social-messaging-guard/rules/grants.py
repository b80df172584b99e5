"""Finding the statements that let social-messaging.amazonaws.com perform a set of actions.

Used by the stack rules that follow a destination to its topic, key and role: a grant
counts when it is an Allow to the service principal (or to every principal, in a way that
admits the service), covers the action (wildcards included) and the resource, and carries
both confused-deputy conditions. An explicit Deny that reaches the service's requests
takes the action away again, as it does in IAM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .arns import SOCIAL_MESSAGING_PRINCIPAL
from .conditions import confused_deputy_problems
from .documents import Document, Statement, allows_action, covers_resource, names_action
from .model import Node
from .service_requests import (
    ServiceRequest,
    deny_names_service,
    deny_verdict,
    grants_social_messaging,
)
from .values import first_unknown_path, is_unknown


@dataclass
class GrantSearch:
    """Which actions are granted properly, which only without conditions, what was unknown.

    `denied` holds, per action, the Deny statements that reach the service's requests (which
    statement, and why it applies); `deny_unknown` the ones the pack cannot evaluate.
    """

    granted: set[str] = field(default_factory=set)
    unconditioned: dict[str, list[str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    denied: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    deny_unknown: dict[str, list[str]] = field(default_factory=dict)

    @property
    def says_nothing(self) -> bool:
        """No sentence to report: only which actions are granted."""
        return not (
            self.unknown or self.problems or self.unconditioned or self.denied or self.deny_unknown
        )

    def merge(self, other: GrantSearch, holder: str) -> None:
        """Add one document's search, naming the holder where it says `_HOLDER`."""

        def named(texts: list[str]) -> list[str]:
            return [text.replace(_HOLDER, holder) for text in texts]

        self.granted |= other.granted
        self.unknown.extend(named(other.unknown))
        self.problems.extend(named(other.problems))
        for action, texts in other.unconditioned.items():
            self.unconditioned.setdefault(action, []).extend(named(texts))
        for action, denials in other.denied.items():
            self.denied.setdefault(action, []).extend(
                (who.replace(_HOLDER, holder), why) for who, why in denials
            )
        for action, texts in other.deny_unknown.items():
            self.deny_unknown.setdefault(action, []).extend(named(texts))

    def missing(self, actions: Sequence[str]) -> list[str]:
        """Actions with no proper grant (a Deny is reported apart, see `blocked`)."""
        return [action for action in actions if action not in self.granted]

    def blocked(self, actions: Sequence[str]) -> list[str]:
        """Granted actions that a Deny takes away from the service."""
        return [a for a in actions if a in self.granted and self.denied.get(a)]

    def allows(self, actions: Sequence[str]) -> bool | None:
        """True when every action is granted and not denied; None when that is undecided."""
        if self.unknown:
            return None
        if self.missing(actions) or self.blocked(actions):
            return False
        if any(self.deny_unknown.get(a) for a in actions):
            return None
        return True


# Stands for "`<property>` of <resource>" in a document's search, filled in per holder.
_HOLDER = "\x00holder\x00"


def find_service_grants(
    documents: Sequence[tuple[Node, str, Document]],
    actions: Sequence[str],
    resource_arn: str | None = None,
    resource_name: str | None = None,
    check_resource: bool = False,
    request: ServiceRequest | None = None,
) -> GrantSearch:
    """Search documents for Allow statements to the service covering each action, and Denies.

    A document is searched once per question: a stack gives many keys the same key policy
    and many roles the same trust policy, and those share one parsed document.
    """
    question = (tuple(actions), resource_arn, resource_name, check_resource, request)
    found_in = []
    for _, _, document in documents:
        found = document.searches.get(question)
        if found is None:
            found = _search_document(document, *question)
            document.searches[question] = found
        found_in.append(found)
    if len(found_in) == 1 and found_in[0].says_nothing:
        return found_in[0]  # nothing to name the holder in: share the document's search
    search = GrantSearch()
    for (holder, prop, _), found in zip(documents, found_in, strict=True):
        search.merge(found, f"`{prop}` of {holder.label}")
    return search


def _search_document(
    document: Document,
    actions: Sequence[str],
    resource_arn: str | None,
    resource_name: str | None,
    check_resource: bool,
    request: ServiceRequest | None,
) -> GrantSearch:
    search = GrantSearch()
    context = request or ServiceRequest()
    where = _HOLDER
    if document.unknown:
        search.unknown.append(f"{where} is unknown at preview")
        return search
    if document.problem is not None:
        search.problems.append(f"{where} {document.problem}")
        return search
    for statement in document.statements:
        if statement.may_grant_unknown:
            search.unknown.append(
                f"{where}: {statement.label} has an unknown value at {statement.unknown_path}"
            )
            continue
        if not statement.is_allow:
            _search_deny(
                search,
                where,
                statement,
                actions,
                context,
                resource_arn,
                resource_name,
                check_resource,
            )
            continue
        if not grants_social_messaging(statement):
            continue
        if check_resource and not covers_resource(statement, resource_arn, resource_name):
            continue
        problems, unknowns = confused_deputy_problems(statement, SOCIAL_MESSAGING_PRINCIPAL)
        for action in actions:
            if not allows_action(statement, action):
                continue
            if unknowns:
                search.unknown.extend(f"{where}: {note} is unknown at preview" for note in unknowns)
            elif problems:
                search.unconditioned.setdefault(action, []).extend(
                    f"{where}: {problem}" for problem in problems
                )
            else:
                search.granted.add(action)
    return search


def _search_deny(
    search: GrantSearch,
    where: str,
    statement: Statement,
    actions: Sequence[str],
    request: ServiceRequest,
    resource_arn: str | None,
    resource_name: str | None,
    check_resource: bool,
) -> None:
    # Unknown condition values are weighed by the verdict; elsewhere they hide what is denied.
    hidden = any(
        first_unknown_path(value) is not None
        for value in (
            statement.principal,
            statement.not_principal,
            list(statement.actions or ()) + list(statement.not_actions or ()),
            list(statement.resources or ()) + list(statement.not_resources or ()),
        )
    )
    for action in actions:
        if hidden:
            if _may_deny(statement, action):
                search.deny_unknown.setdefault(action, []).append(
                    f"{where}: Deny {statement.label} has an unknown value at "
                    f"{statement.unknown_path} at preview"
                )
            continue
        verdict = deny_verdict(
            statement, action, request, resource_arn, resource_name, check_resource
        )
        if verdict is None or verdict.holds is False:
            continue
        if verdict.holds:
            search.denied.setdefault(action, []).append(
                (f"{where}: {statement.label}", "; ".join(verdict.reasons))
            )
        else:
            search.deny_unknown.setdefault(action, []).append(
                f"{where}: {statement.label} denies `{action}` under "
                f"{', '.join(verdict.undecided)}, which the pack cannot evaluate for "
                "social-messaging.amazonaws.com's requests; make sure it never holds for them"
            )


def _may_deny(statement: Statement, action: str) -> bool:
    """A Deny whose principal or action is unknown may name the service and the action."""
    principal_open = (
        deny_names_service(statement)
        or first_unknown_path(statement.principal) is not None
        or first_unknown_path(statement.not_principal) is not None
    )
    patterns = list(statement.actions or ()) + list(statement.not_actions or ())
    action_open = names_action(statement, action) or any(is_unknown(p) for p in patterns)
    return principal_open and action_open
