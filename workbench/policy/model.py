"""The policy language as immutable data: every element knows its JSON path and, when it came
from text, its span (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from workbench.core.source import SourceText, Span


class PolicyKind(StrEnum):
    """Which kind of policy a document is; each allows different elements
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html)."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    SCP = "scp"
    RCP = "rcp"
    BOUNDARY = "boundary"
    SESSION = "session"

    @property
    def has_principal(self) -> bool:
        return self in (PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP)


@dataclass(frozen=True, slots=True)
class Located:
    """A string from a policy, with where it was."""

    text: str
    path: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class PrincipalEntry:
    """One principal named in a Principal or NotPrincipal element: its type key and value."""

    type: str  # "AWS", "Service", "Federated", "CanonicalUser"
    value: Located


@dataclass(frozen=True, slots=True)
class PrincipalElement:
    """`"*"`, or a map of principal type to names."""

    wildcard: bool
    entries: tuple[PrincipalEntry, ...]
    path: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    """One key under one operator, with its values as strings (JSON numbers and booleans in
    their canonical string form)."""

    operator: str
    key: str
    values: tuple[Located, ...]
    path: str
    span: Span | None = None
    operator_span: Span | None = None


#: element name -> (span of its key, span of its value), for precise diagnostics
ElementSpans = tuple[tuple[str, Span | None, Span | None], ...]


class ElementSpanned:
    """Where the elements of a statement or policy are written, from its `element_spans`; the
    statement's or policy's own span when an element (or that part of it) is unknown."""

    __slots__ = ()
    span: Span | None
    element_spans: ElementSpans

    def key_span(self, element: str) -> Span | None:
        """Where an element's name is written."""
        for name, key, _ in self.element_spans:
            if name == element:
                return key or self.span
        return self.span

    def value_span(self, element: str) -> Span | None:
        """Where an element's value is written."""
        for name, _, value in self.element_spans:
            if name == element:
                return value or self.span
        return self.span


@dataclass(frozen=True, slots=True)
class Statement(ElementSpanned):
    index: int
    sid: str | None
    effect: str
    action: tuple[Located, ...] | None
    not_action: tuple[Located, ...] | None
    resource: tuple[Located, ...] | None
    not_resource: tuple[Located, ...] | None
    principal: PrincipalElement | None
    not_principal: PrincipalElement | None
    conditions: tuple[Condition, ...]
    path: str
    span: Span | None = None
    element_spans: ElementSpans = ()

    @property
    def label(self) -> str:
        return self.sid if self.sid else f"#{self.index}"


@dataclass(frozen=True, slots=True)
class Policy(ElementSpanned):
    """A parsed policy document, with the name it is known by and where it came from."""

    name: str
    kind: PolicyKind
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]
    statement_is_list: bool
    file: str = ""
    source: SourceText | None = None
    span: Span | None = None
    element_spans: ElementSpans = ()
    #: characters of the document as given, white space excluded, when known at reading time
    size: int | None = field(default=None, compare=False, repr=False)

    @property
    def substitutes_variables(self) -> bool:
        """Policy variables are substituted only under Version 2012-10-17."""
        return self.version == "2012-10-17"

    def statement_line(self, index: int) -> int | None:
        span = self.statements[index].span
        return span.line if span else None
