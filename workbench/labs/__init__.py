"""Exercise checkers for the teaching labs (notebooks/01-05): each exercise names one policy of the
example organization that the student rewrites, the requests that policy must then allow or
deny, and the scope over which its whole access must equal the intended access. The exercises
are data, read from datasets/example-org/labs/*.yaml by `workbench.load.labs`.
`check_exercise(id, policy)` puts the student's policy into a fresh copy of the example
organization and (1) compares its access with the intended access (the solution's, or the
organization's own) over every action of the exercise's services and every applicable resource
(`workbench.labs.access`), reporting what it allows that it should not, what it misses and the
statement responsible; (2) asks the named expectations, saying for each failed one why, in the
words of `Workspace.explain`. It passes only when both agree. It never raises on a wrong or
broken policy: a policy that does not parse fails with its positioned diagnostics.

The AWS pages behind each exercise are cited in its `docs`; the decisions are those of the
policy evaluation logic (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from workbench.analyses.explain import Explanation
from workbench.analyses.matrix.engine import Cell
from workbench.core import display
from workbench.core.arn import short_name
from workbench.core.diagnostics import Diagnostic
from workbench.core.source import SourceText
from workbench.evaluate import ALLOWED, Decision, StatementRef
from workbench.labs.access import AccessComparison, Request, compare, decide, scope_of
from workbench.labs.analyses import AnalysisCheck, check_analyses, observed_calls
from workbench.load.labs import ActivityExpectation, Exercise, Expectation, Labs, read_labs
from workbench.policy import parse_policy
from workbench.policy.serialize import policy_to_dict
from workbench.render.html import esc
from workbench.render.text import render_diagnostics
from workbench.workspace import Workspace, open_workspace

DENIED = "denied"  # either kind of deny
YOUR_POLICY = "your policy"


def describe(expectation: Expectation) -> str:
    """The request in a few words: `svc-backup s3:PutObject 2026-11-28.tar.gz [key=value]`."""
    e = expectation
    ctx = ", ".join(f"{k}={v}" for k, v in e.context.items())
    return f"{short_name(e.principal)} {e.action} {short_name(e.resource)}" + (f" [{ctx}]" if ctx else "")


@dataclass(frozen=True)
class Check:
    """One expectation, the decision the evaluator reached, and why."""

    expectation: Expectation
    decision: Decision
    passed: bool
    reason: str
    explanation: Explanation | None = None
    policy: str = ""  # the name of the student's policy in the workspace

    def lines(self) -> list[str]:
        """Why not, in a few lines: the reason, the gate's sentences, the nearest misses, and the
        context changes that would give the wanted answer (all from the explanation)."""
        out = [self.reason]
        explanation = self.explanation
        if explanation is None:
            return out
        if explanation.why_not is not None:
            out += [r.text for r in explanation.why_not.reasons]
            out += [m.text for m in explanation.why_not.nearest_misses[:3]]
        out += [c.text for c in explanation.what_would_change.changes if self._wanted(c.decision)][:3]
        return out

    def _wanted(self, decision: Decision) -> bool:
        """Whether a changed request's decision is what the exercise wants, for the student's reason."""
        if self.expectation.decision == ALLOWED:
            return decision.allowed
        return not decision.allowed and any(r.policy == self.policy for r in decision.deciding)


@dataclass(frozen=True)
class LabResult:
    """The outcome of `check_exercise`: passed or not, each check, and the policy's diagnostics."""

    exercise: Exercise
    checks: tuple[Check, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    source: str = ""
    access: AccessComparison | None = None
    analyses: tuple[AnalysisCheck, ...] = ()

    @property
    def passed(self) -> bool:
        return (bool(self.checks) and all(c.passed for c in self.checks) and not self.errors
                and self.access is not None and self.access.same and all(a.passed for a in self.analyses))

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def diagnostics_text(self) -> str:
        return render_diagnostics(self.diagnostics, {YOUR_POLICY: SourceText.of(YOUR_POLICY, self.source)})

    def to_text(self) -> str:
        head = f"{self.exercise.id} {self.exercise.title}: " + ("PASSED" if self.passed else "NOT YET")
        out = [head]
        if self.errors:
            out += ["your policy has errors, so nothing was evaluated:", self.diagnostics_text()]
        if self.access is not None:
            out.append(access_sentence(self.access))
            out += self.access.summary()
        for analysis in self.analyses:
            mark = "ok  " if analysis.passed else "FAIL"
            out.append(f"{mark} {analysis.subject}: expected {analysis.wanted}, got {analysis.got}")
            if not analysis.passed:
                out += [f"       {line}" for line in analysis.lines()]
        for check in self.checks:
            mark = "ok  " if check.passed else "FAIL"
            out.append(f"{mark} {describe(check.expectation)}: expected {check.expectation.decision}, "
                       f"got {check.decision.decision}")
            if not check.passed:
                out += [f"       {line}" for line in check.lines()]
        if not self.passed and self.exercise.hint:
            out.append(f"hint: {self.exercise.hint}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<LabResult {self.exercise.id} {'passed' if self.passed else 'failed'}>"

    def _repr_html_(self) -> str:
        return str(display.show(self, "html"))


# -- checking -----------------------------------------------------------------------------------

def check_exercise(exercise_id: str, policy: str | Mapping[str, Any], *,
                   workspace: Callable[[], Workspace] | None = None) -> LabResult:
    """Check the student's `policy` (JSON text or a dict) for an exercise. Opens a fresh example
    organization (or `workspace()`), replaces the exercise's policy with the student's, and asks
    every expectation's request. Never raises for a wrong policy: look at `.passed` and print it."""
    exercise = EXERCISES[exercise_id] if exercise_id in EXERCISES else _unknown(exercise_id)
    text = policy if isinstance(policy, str) else json.dumps(dict(policy), indent=2)
    ws = (workspace or _opener(exercise))()
    current = ws.policies().get(exercise.policy_key)
    if current is None:
        raise KeyError(f"the workspace has no policy `{exercise.policy_key}` for exercise {exercise_id}")
    parsed = parse_policy(text, name=current.name, kind=current.kind, file=YOUR_POLICY)
    if not parsed.ok:
        return LabResult(exercise, (), parsed.diagnostics, text)
    ws.replace_policy(exercise.policy_key, text)
    checks = tuple(check_one(ws, e, current.name) for e in exercise.expectations)
    request = scope_of(ws, exercise)
    intended = _intended(exercise.id) if workspace is None else _decide_intended(workspace, exercise, request)
    access = compare(decide(ws, request), intended, request, current.name, current.name)
    mine = ws.policies()[exercise.policy_key]
    analyses = check_analyses(ws, exercise, mine, lambda e: _observed(exercise.workspace, e))
    return LabResult(exercise, checks, parsed.diagnostics, text, access, analyses)


def _opener(exercise: Exercise) -> Callable[[], Workspace]:
    """Opens a fresh copy of the workspace the exercise edits (by default the example organization)."""
    return lambda: open_workspace(exercise.workspace)


@cache
def _observed(workspace: str | None, expectation: ActivityExpectation) -> list[dict[str, Any]]:
    return observed_calls(open_workspace(workspace), expectation)


def access_sentence(access: AccessComparison) -> str:
    if access.same:
        return f"your access equals the intended access on all {access.cells} requests compared"
    return (f"your access differs from the intended access on {len(access.differences)} of {access.cells} "
            f"requests compared ({len(access.scope.principals)} principal(s), {len(access.scope.actions)} actions, "
            f"{len(access.scope.resources)} resources, {len(access.scope.contexts)} context(s))")


def _decide_intended(workspace: Callable[[], Workspace], exercise: Exercise,
                     request: Request) -> list[list[tuple[str, str, str, Cell]]]:
    """The intended access: the exercise's solution (else the organization's own policy) in a
    fresh workspace, over the same requests."""
    ws = workspace()
    if exercise.solution is not None:
        ws.replace_policy(exercise.policy_key, exercise.solution)
    return decide(ws, request)


@cache
def _intended(exercise_id: str) -> list[list[tuple[str, str, str, Cell]]]:
    exercise = EXERCISES[exercise_id]
    ws = open_workspace(exercise.workspace)
    return _decide_intended(lambda: ws, exercise, scope_of(ws, exercise))


def check_one(ws: Workspace, expectation: Expectation, policy_name: str) -> Check:
    e = expectation
    decision = ws.can(e.principal, e.action, e.resource, e.context)
    got = decision.decision
    mine = [r for r in decision.deciding if r.policy == policy_name]
    if e.decision == DENIED:
        passed = got != ALLOWED
    else:
        passed = got == e.decision
    decided = (f"decided by {_refs(decision.deciding)}" if decision.deciding
               else f"gate {decision.gate}" if decision.gate else "nothing decided")
    if passed and e.yours and not mine:
        passed = False
        reason = f"wanted {e.decision} from YOUR policy ({e.why}); got {got}, but {decided}"
    elif passed:
        reason = f"{got}: {decided}"
    else:
        reason = f"wanted {e.decision} ({e.why}); got {got}: {decided}"
    explanation = None if passed else ws.explain(e.principal, e.action, e.resource, e.context)
    return Check(e, decision, passed, reason, explanation, policy_name)


def exercise(exercise_id: str) -> Exercise:
    return EXERCISES[exercise_id] if exercise_id in EXERCISES else _unknown(exercise_id)


def current_policy(exercise_id: str) -> str:
    """The workspace's own version of the exercise's policy (the example organization's unless the
    exercise names another workspace), as JSON text."""
    ws = open_workspace(exercise(exercise_id).workspace)
    return json.dumps(policy_to_dict(ws.policies()[exercise(exercise_id).policy_key]), indent=2)


def _unknown(exercise_id: str) -> Exercise:
    problems = [d for d in _labs().diagnostics if d.is_error]
    broken = f"; the lab files have errors: {'; '.join(f'{d.location}: {d.message}' for d in problems)}" if problems else ""
    raise KeyError(f"no exercise `{exercise_id}`; known: {', '.join(EXERCISES)}{broken}")


def _refs(refs: Sequence[StatementRef]) -> str:
    return ", ".join(r.label + (f" (line {r.line})" if r.line else "") for r in refs) or "nothing"


# -- rendering -------------------------------------------------------------------------------------

def prose_html(text: str) -> str:
    """A sentence of the lab files (a hint, a why) as HTML: escaped, with `code spans` as <code>,
    so that backticks do not show and a policy variable (`${aws:PrincipalTag/team}`) is code,
    never mathematics (MathJax skips <code>; the enclosing block also carries MathJax's ignore
    classes)."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: keep it as written
        return esc(text)
    return "".join(f"<code>{esc(p)}</code>" if i % 2 else esc(p) for i, p in enumerate(parts))


def render_access_html(access: AccessComparison) -> str:
    out = [f"<div class='iamwb-lab-access' data-same='{str(access.same).lower()}' data-cells='{access.cells}'>"
           f"<div>{esc(access_sentence(access))}</div>"]
    group: list[str] = []
    for line in [*access.summary(), ""]:
        if line.startswith("  "):
            group.append(f"<li><code>{esc(line.strip())}</code></li>")
            continue
        if group:
            out.append(f"<ul>{''.join(group)}</ul>")
            group = []
        if line:
            out.append(f"<div>{esc(line)}</div>")
    return "".join(out) + "</div>"


def render_result_html(result: LabResult) -> str:
    ok = result.passed
    colour, words = ("#2e7d32", "Passed") if ok else ("#c62828", "Not yet")
    parts = [f"<div class='iamwb-lab tex2jax_ignore mathjax_ignore' data-exercise='{esc(result.exercise.id)}' "
             f"data-passed='{str(ok).lower()}' style='border-left:4px solid {colour};padding:4px 10px;margin:4px 0'>",
             f"<div><b style='color:{colour}'>{words}</b> &mdash; <b>{esc(result.exercise.id)}</b> "
             f"{esc(result.exercise.title)}: {sum(c.passed for c in result.checks) + sum(a.passed for a in result.analyses)} of "
             f"{len(result.exercise.expectations) + _analyses(result.exercise)} checks pass</div>"]
    if result.errors:
        parts.append("<div>Your policy has errors, so nothing was evaluated:</div>"
                     f"<pre>{esc(result.diagnostics_text())}</pre>")
    if result.access is not None and not result.access.same:
        parts.append(f"<div style='margin-top:6px'><b>Why not: your whole access</b>{render_access_html(result.access)}</div>")
    elif result.access is not None:
        parts.append(render_access_html(result.access))
    if result.analyses:
        parts.append(render_analyses_html(result.analyses))
    if result.checks:
        rows = []
        for check in result.checks:
            mark = "&#10003;" if check.passed else "&#10007;"
            style = "color:#2e7d32" if check.passed else "color:#c62828;font-weight:bold"
            why = esc(check.reason) if check.passed else prose_html(check.expectation.why)
            rows.append(f"<tr><td style='{style}'>{mark}</td><td style='text-align:left'><code>{esc(describe(check.expectation))}</code></td>"
                        f"<td>{esc(check.expectation.decision)}</td><td>{esc(check.decision.decision)}</td>"
                        f"<td style='text-align:left'>{why}</td></tr>")
        parts.append("<table style='text-align:left'><thead><tr><th></th><th>request</th><th>wanted</th><th>got</th><th></th></tr></thead>"
                     f"<tbody>{''.join(rows)}</tbody></table>")
    for check in result.failed:
        items = "".join(f"<li>{prose_html(line)}</li>" for line in check.lines())
        parts.append(f"<div style='margin-top:6px'><b>Why not: {esc(describe(check.expectation))}</b><ul>{items}</ul>")
        if check.explanation is not None:
            parts.append(f"<details><summary>full explanation</summary>{check.explanation._repr_html_()}</details>")
        parts.append("</div>")
    if not ok and result.exercise.hint:
        parts.append(f"<div><i>Hint:</i> {prose_html(result.exercise.hint)}</div>")
    if result.diagnostics and not result.errors:
        parts.append(f"<details><summary>{len(result.diagnostics)} warning(s) about your policy</summary>"
                     f"<pre>{esc(result.diagnostics_text())}</pre></details>")
    return "".join(parts) + "</div>"


def _analyses(exercise: Exercise) -> int:
    return len(exercise.findings) + len(exercise.escalation) + len(exercise.activity)


def render_analyses_html(analyses: Sequence[AnalysisCheck]) -> str:
    """The analysis checks (findings, escalation, activity): one row each, and for a failed one
    what is wrong, naming the student's statements."""
    rows = []
    for a in analyses:
        mark, style = (("&#10003;", "color:#2e7d32") if a.passed else ("&#10007;", "color:#c62828;font-weight:bold"))
        rows.append(f"<tr><td style='{style}'>{mark}</td><td style='text-align:left'>{esc(a.subject)}</td>"
                    f"<td style='text-align:left'>{esc(a.wanted)}</td><td style='text-align:left'>{esc(a.got)}</td></tr>")
    out = [f"<table class='iamwb-lab-analyses' style='text-align:left'><thead><tr><th></th><th>analysis</th>"
           f"<th>wanted</th><th>got</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"]
    for a in analyses:
        if not a.passed:
            items = "".join(f"<li>{prose_html(line)}</li>" for line in a.lines())
            out.append(f"<div style='margin-top:6px'><b>Why not: {esc(a.subject)}</b><ul>{items}</ul></div>")
    return "".join(out)


# -- the exercises -----------------------------------------------------------------------------------

@cache
def _labs() -> Labs:
    return read_labs()


class _Exercises(Mapping[str, Exercise]):
    """The exercises by id, read from the lab files on first use."""

    def _all(self) -> dict[str, Exercise]:
        return {e.id: e for e in _labs().exercises}

    def __getitem__(self, exercise_id: str) -> Exercise:
        return self._all()[exercise_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(_labs().exercises)


EXERCISES: Mapping[str, Exercise] = _Exercises()

__all__ = ["Check", "EXERCISES", "Exercise", "Expectation", "LabResult", "check_exercise", "current_policy",
           "describe", "exercise"]


# The lab is a top-layer feature with one result type: it keeps its view here and registers it.
display.install({(LabResult, "html"): render_result_html})
