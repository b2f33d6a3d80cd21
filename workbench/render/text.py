"""Plain-text rendering: diagnostics with the offending line and a caret under the column, and
decisions with their deciding statements and trace."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from workbench.core.diagnostics import FINDING_TYPES, Diagnostic
from workbench.core.source import SourceText
from workbench.evaluate.decision import Decision, StatementRef


def render_diagnostic(diagnostic: Diagnostic, sources: Mapping[str, SourceText] | None = None) -> str:
    """`file:line:col: severity code: message`, then the line with a caret, then the help."""
    lines = [f"{diagnostic.location}: {diagnostic.severity.value} {diagnostic.code}: {diagnostic.message}"]
    source = (sources or {}).get(diagnostic.file)
    span = diagnostic.span
    if source is not None and span is not None:
        text = source.line_text(span.line)
        if len(text) > 200:  # keep minified documents readable: show a window around the column
            start = max(0, span.col - 80)
            shown = ("..." if start else "") + text[start:start + 160] + ("..." if start + 160 < len(text) else "")
            caret_col = span.col - start + (3 if start else 0)
        else:
            shown, caret_col = text, span.col
        gutter = f"{span.line:>5} | "
        lines.append(gutter + shown.expandtabs(1))
        lines.append(" " * (len(gutter) - 2) + "| " + " " * (caret_col - 1) + "^")
    if diagnostic.path:
        lines.append(f"      = at {diagnostic.path}")
    if diagnostic.issue_code:
        lines.append(f"      = Access Analyzer {diagnostic.category.value} {diagnostic.issue_code}: "
                     f"{diagnostic.learn_more_link}")
    if diagnostic.help:
        lines.append(f"      help: {diagnostic.help}")
    return "\n".join(lines)


def render_diagnostics(diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceText] | None = None) -> str:
    return "\n".join(render_diagnostic(d, sources) for d in diagnostics)


def render_diagnostics_by_category(diagnostics: Iterable[Diagnostic],
                                   sources: Mapping[str, SourceText] | None = None) -> str:
    """The diagnostics grouped by Access Analyzer's finding type (ERROR, SECURITY_WARNING,
    WARNING, SUGGESTION), each group under a `-- TYPE (n) --` line, in the order of the input."""
    listed = list(diagnostics)
    blocks = []
    for finding_type in FINDING_TYPES:
        group = [d for d in listed if d.category is finding_type]
        if group:
            blocks.append(f"-- {finding_type.value} ({len(group)}) --\n" + render_diagnostics(group, sources))
    return "\n".join(blocks)


def category_counts(diagnostics: Iterable[Diagnostic]) -> str:
    """`ERROR 1, SECURITY_WARNING 0, WARNING 2, SUGGESTION 0`."""
    listed = list(diagnostics)
    return ", ".join(f"{t.value} {sum(d.category is t for d in listed)}" for t in FINDING_TYPES)


def describe_ref(ref: StatementRef) -> str:
    where = ref.policy_type + (f" level {ref.level}" if ref.level is not None else "")
    sid = f"Sid {ref.sid}" if ref.sid else "no Sid"
    line = f", line {ref.line}" if ref.line is not None else ""
    return f"{where}: policy {ref.policy}, statement {ref.index} ({sid}{line})"


def render_decision(decision: Decision, *, title: str = "", trace: bool = True) -> str:
    head = f"{title}: {decision.decision}" if title else decision.decision
    lines = [head]
    if decision.deciding:
        lines.append("  deciding statements:")
        lines.extend(f"    - {describe_ref(ref)}" for ref in decision.deciding)
    elif decision.decision == "implicitDeny":
        level = f" at level {decision.gate_level}" if decision.gate_level is not None else ""
        lines.append(f"  no statement allows it; gate that failed: {decision.gate}{level}")
    else:
        lines.append("  deciding statements: none (" + ("; ".join(decision.notes) or "implicit") + ")")
    if trace and decision.trace:
        lines.append("  trace:")
        lines.extend(f"    {line}" for line in decision.trace)
    return "\n".join(lines)


def printable(text: object) -> str:
    """Text for a terminal: every control character that comes from the input (ESC, C0 and C1
    controls, line and paragraph separators) shown as its Python escape (`\\x1b`, `\\u2028`),
    never sent to the terminal to interpret."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))
