"""Diagnostics: one shape for parse errors, validation findings and scenario errors, each with a
code, a message, a help line, a JSON path and a position in its file, and IAM Access Analyzer's
category for it: the finding type, the issue code where Access Analyzer has a check for the same
problem, and that check's section of the policy check reference
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
The category of each code is catalogued in `workbench.core.codes.ACCESS_ANALYZER`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workbench.core.source import SourceText, Span

#: Access Analyzer's policy check reference; a check's section is `#<ANCHOR_PREFIX><type>-<code>`
POLICY_CHECKS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
ANCHOR_PREFIX = "access-analyzer-reference-policy-checks-"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class FindingType(StrEnum):
    """Access Analyzer's finding types (ValidatePolicy `findingType`; the console says "General
    warning" for WARNING)."""

    ERROR = "ERROR"
    SECURITY_WARNING = "SECURITY_WARNING"
    WARNING = "WARNING"
    SUGGESTION = "SUGGESTION"


#: the order in which categories are shown, most serious first
FINDING_TYPES = (FindingType.ERROR, FindingType.SECURITY_WARNING, FindingType.WARNING, FindingType.SUGGESTION)
#: the word of each finding type in the reference page's anchors
_ANCHOR_WORD = {FindingType.ERROR: "error", FindingType.SECURITY_WARNING: "security-warning",
                FindingType.WARNING: "general-warning", FindingType.SUGGESTION: "suggestion"}
_BY_SEVERITY = {Severity.ERROR: FindingType.ERROR, Severity.WARNING: FindingType.WARNING,
                Severity.INFO: FindingType.SUGGESTION}


def learn_more_link(finding_type: FindingType, issue_code: str | None) -> str | None:
    """The section of the policy check reference for an issue code, as Access Analyzer links it
    (`...#access-analyzer-reference-policy-checks-security-warning-pass-role-with-star-in-resource`)."""
    if issue_code is None:
        return None
    return f"{POLICY_CHECKS_PAGE}#{ANCHOR_PREFIX}{_ANCHOR_WORD[finding_type]}-{issue_code.lower().replace('_', '-')}"


def path_elements(path: str) -> list[dict[str, Any]]:
    """A JSON path of ours (`Statement[4].Condition.StringEquals.aws:SourceArn`) in Access Analyzer's
    location form: `[{"value": "Statement"}, {"index": 4}, {"value": "Condition"}, {"value":
    "StringEquals"}, {"key": "aws:SourceArn"}]` (a condition key is a `key`; it may hold dots)."""
    out: list[dict[str, Any]] = []
    rest = path
    while rest:
        if rest.startswith("["):
            close = rest.find("]")
            if close < 0 or not rest[1:close].isdigit():
                out.append({"value": rest})
                break
            out.append({"index": int(rest[1:close])})
            rest = rest[close + 1:].removeprefix(".")
            continue
        if len(out) >= 3 and out[-2] == {"value": "Condition"}:
            # the condition key: everything after its operator, but a value's index
            key, bracket, index = rest.rpartition("[")
            if bracket and index.endswith("]") and index[:-1].isdigit() and key:
                out.extend(({"key": key}, {"index": int(index[:-1])}))
            else:
                out.append({"key": rest})
            break
        stop = min((i for i in (rest.find("."), rest.find("[")) if i >= 0), default=len(rest))
        out.append({"value": rest[:stop]})
        rest = rest[stop:].removeprefix(".")
    return out


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A finding about an input, positioned as precisely as the input allows."""

    code: str
    severity: Severity
    message: str
    help: str = ""
    file: str = ""
    path: str = ""
    span: Span | None = None
    #: Access Analyzer's finding type and issue code for this code (`codes.make` fills them in
    #: from the catalogue; None: the finding type follows the severity, and no issue code)
    finding_type: FindingType | None = None
    issue_code: str | None = None

    @property
    def category(self) -> FindingType:
        """Access Analyzer's finding type: ERROR, SECURITY_WARNING, WARNING or SUGGESTION."""
        return self.finding_type if self.finding_type is not None else _BY_SEVERITY[self.severity]

    @property
    def learn_more_link(self) -> str | None:
        return learn_more_link(self.category, self.issue_code)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def location(self) -> str:
        """`file:line:col`, or as much of it as is known."""
        where = self.file or "<input>"
        if self.span is not None:
            return f"{where}:{self.span.line}:{self.span.col}"
        return where

    def to_json(self, source: SourceText | None = None) -> dict[str, Any]:
        """Our fields, then Access Analyzer's (`findingType`, `issueCode`, `learnMoreLink`,
        `locations` with `path` and `span`; span columns are 0-based as Access Analyzer's, and the
        end's line and column are given when the source text is)."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "help": self.help,
            "file": self.file,
            "path": self.path,
            "line": self.span.line if self.span else None,
            "col": self.span.col if self.span else None,
            "findingType": self.category.value,
            "issueCode": self.issue_code,
            "learnMoreLink": self.learn_more_link,
            "locations": [self._location(source)],
        }
        return out

    def _location(self, source: SourceText | None) -> dict[str, Any]:
        location: dict[str, Any] = {"path": path_elements(self.path)}
        span = self.span
        if span is not None:
            end: dict[str, Any] = {"offset": span.end}
            if source is not None:
                line, col = source.position(span.end)
                end = {"line": line, "column": col - 1, "offset": span.end}
            location["span"] = {"start": {"line": span.line, "column": span.col - 1, "offset": span.offset},
                                "end": end}
        return location

    def with_file(self, file: str) -> Diagnostic:
        return Diagnostic(self.code, self.severity, self.message, self.help, file, self.path, self.span,
                          self.finding_type, self.issue_code)


def has_errors(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> bool:
    return any(d.is_error for d in diagnostics)
