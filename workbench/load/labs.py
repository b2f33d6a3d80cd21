"""Read the teaching labs' exercises: one YAML file per lab (datasets/example-org/labs/*.yaml,
beside the organization they edit), each a list of exercises: the policy to rewrite (by its
workspace key) and the requests it must then get, with the expected decision of the policy
evaluation logic (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
Every problem is a diagnostic at its `file:line:col`; nothing raises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.instant import parse_utc
from workbench.core.jsonnode import (
    KIND_ARRAY,
    KIND_BOOL,
    KIND_NULL,
    KIND_OBJECT,
    KIND_STRING,
    JNode,
    describe_kind,
)
from workbench.core.source import Span
from workbench.load.files import read_text
from workbench.load.sources import example_path
from workbench.load.yamlnode import read_yaml, to_jnode

#: what an expectation may want: `denied` is either kind of deny
Wanted = Literal["allowed", "denied", "explicitDeny", "implicitDeny"]
WANTED: tuple[str, ...] = get_args(Wanted)
EXERCISE_FIELDS = ("id", "title", "policy", "hint", "docs", "expect", "solution", "scope", "wrong", "correct",
                   "workspace", "findings", "escalation", "activity")
FINDING_FIELDS = ("resource", "zone", "parties", "why")
ESCALATION_FIELDS = ("principal", "reaches", "why")
ACTIVITY_FIELDS = ("principal", "since", "until", "why")
ZONES = ("account", "organization")
SCOPE_FIELDS = ("principals", "actions", "resources", "contexts")
ANSWER_FIELDS = ("policy", "why")
EXPECT_FIELDS = ("principal", "action", "resource", "decision", "why", "context", "yours")


@dataclass(frozen=True)
class Expectation:
    """One request and the answer the exercise wants for it. With `yours=True` a statement of
    the student's policy must be among the deciding ones (the deny must come from YOUR policy)."""

    principal: str
    action: str
    resource: str
    decision: Wanted
    why: str
    context: Mapping[str, Any] = field(default_factory=dict)
    yours: bool = False


@dataclass(frozen=True)
class Scope:
    """The requests over which the student's access must equal the intended access: principals
    (names or ARNs), action patterns (`s3:*`, expanded against the service catalog), resources
    added to the organization's own, and the contexts to ask them in. Empty: from the expectations."""

    principals: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    contexts: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class FindingExpectation:
    """After the student's policy, the external-access findings on `resource` in `zone` (IAM Access
    Analyzer's zone of trust: the resource's account, or the organization) are for exactly
    `parties` (a finding's external party: an account root ARN, `*` for public, a provider ARN);
    empty: no finding. The resource must also carry no confused-deputy warning."""

    resource: str
    parties: tuple[str, ...]
    why: str
    zone: str = "account"


@dataclass(frozen=True)
class EscalationExpectation:
    """After the student's policy, whether `principal` can still reach admin (`ws.escalation()`)."""

    principal: str
    reaches: bool
    why: str


@dataclass(frozen=True)
class ActivityExpectation:
    """The student's policy for `principal` allows every successful call the principal made between
    `since` and `until` (ISO 8601, from the workspace's CloudTrail), and grants no service it did
    not use then."""

    principal: str
    since: str
    until: str
    why: str


@dataclass(frozen=True)
class Answer:
    """A shipped answer: a policy (JSON text) that must fail (`wrong`) or pass (`correct`), and why;
    `line` is where its policy text starts in the lab file."""

    policy: str
    why: str
    line: int = 0


@dataclass(frozen=True)
class Exercise:
    """An exercise: the policy to write (by its workspace key), and what it must do. `solution`
    is a policy that passes (None: the organization's own policy does); `file` and `line` say where
    the exercise is written."""

    id: str
    title: str
    policy_key: str
    expectations: tuple[Expectation, ...]
    hint: str = ""
    docs: tuple[str, ...] = ()
    solution: str | None = None
    file: str = ""
    line: int = 0
    scope: Scope | None = None
    wrong: tuple[Answer, ...] = ()
    correct: tuple[Answer, ...] = ()
    workspace: str | None = None  # the workspace the exercise edits (a path); None: the example organization
    findings: tuple[FindingExpectation, ...] = ()
    escalation: tuple[EscalationExpectation, ...] = ()
    activity: tuple[ActivityExpectation, ...] = ()


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def report(self, code: str, message: str, at: JNode | Span | None, path: str, help: str | None = None) -> None:
        span = at.span if isinstance(at, JNode) else at
        self.diagnostics.append(make(code, message, help=help, file=self.file, path=path, span=span))

    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)

    def mapping(self, node: JNode, known: tuple[str, ...], path: str) -> bool:
        """Whether `node` is a mapping (else a diagnostic); each unknown field is a diagnostic."""
        if node.kind != KIND_OBJECT:
            self.report("lab-wrong-type", f"`{path}` must be a mapping, found {describe_kind(node)}", node, path)
            return False
        for member in node.members:
            if member.key not in known:
                self.report("lab-unknown-field", f"unknown field `{path}.{member.key}`", member.key_span,
                            f"{path}.{member.key}", f"the fields here are {', '.join(known)}")
        return True

    def get(self, parent: JNode, key: str, path: str, kind: str = KIND_STRING, required: bool = True) -> JNode | None:
        """The value of `key` when it has the right kind; else None, and a diagnostic."""
        node = parent.get(key)
        if node is None or node.kind == KIND_NULL:
            if required:
                self.report("lab-missing", f"`{path}` has no `{key}`", parent, f"{path}.{key}")
            return None
        if node.kind != kind:
            self.report("lab-wrong-type", f"`{path}.{key}` must be {_KINDS[kind]}, found {describe_kind(node)}",
                        node, f"{path}.{key}")
            return None
        return node

    def text(self, parent: JNode, key: str, path: str, required: bool = True) -> str:
        node = self.get(parent, key, path, KIND_STRING, required)
        return "" if node is None else str(node.value)

    def expectation(self, node: JNode, path: str) -> Expectation | None:
        errors = self.errors()
        if not self.mapping(node, EXPECT_FIELDS, path):
            return None
        principal, action, resource, decision, why = (self.text(node, key, path) for key in EXPECT_FIELDS[:5])
        if decision and decision not in WANTED:
            self.report("lab-invalid-decision", f"`{path}.decision` is `{decision}`", node.get("decision"),
                        f"{path}.decision")
        context = self.get(node, "context", path, KIND_OBJECT, required=False)
        if context is not None:
            self.context_values(context, f"{path}.context")
        yours = self.get(node, "yours", path, KIND_BOOL, required=False)
        if self.errors() > errors:  # an expectation with an error is not read
            return None
        return Expectation(principal, action, resource, cast(Wanted, decision), why,
                           context.to_python() if context is not None else {}, bool(yours and yours.value))

    def strings(self, parent: JNode, key: str, path: str) -> tuple[str, ...]:
        """A list of strings (absent: empty); each item of another kind is a diagnostic."""
        node = self.get(parent, key, path, KIND_ARRAY, required=False)
        out = []
        for i, item in enumerate(node.items if node is not None else ()):
            if item.kind != KIND_STRING:
                self.report("lab-wrong-type", f"`{path}.{key}[{i}]` must be a string, found {describe_kind(item)}",
                            item, f"{path}.{key}[{i}]")
            else:
                out.append(str(item.value))
        return tuple(out)

    def scope(self, parent: JNode, path: str) -> Scope | None:
        node = self.get(parent, "scope", path, KIND_OBJECT, required=False)
        if node is None or not self.mapping(node, SCOPE_FIELDS, f"{path}.scope"):
            return None
        where = f"{path}.scope"
        contexts_node = self.get(node, "contexts", where, KIND_ARRAY, required=False)
        contexts: list[Mapping[str, Any]] = []
        for i, item in enumerate(contexts_node.items if contexts_node is not None else ()):
            if item.kind != KIND_OBJECT:
                self.report("lab-wrong-type", f"`{where}.contexts[{i}]` must be a mapping, found {describe_kind(item)}",
                            item, f"{where}.contexts[{i}]")
                continue
            self.context_values(item, f"{where}.contexts[{i}]")
            contexts.append(item.to_python())
        return Scope(self.strings(node, "principals", where), self.strings(node, "actions", where),
                     self.strings(node, "resources", where), tuple(contexts))

    def context_values(self, context: JNode, path: str) -> None:
        for member in context.members:
            values = member.value.items if member.value.kind == KIND_ARRAY else (member.value,)
            if any(v.kind in (KIND_OBJECT, KIND_ARRAY, KIND_NULL) for v in values):
                self.report("lab-wrong-type", f"`{path}.{member.key}` must be a value or a list of values",
                            member.value, f"{path}.{member.key}")

    def answers(self, parent: JNode, key: str, path: str) -> tuple[Answer, ...]:
        node = self.get(parent, key, path, KIND_ARRAY, required=False)
        out = []
        for i, item in enumerate(node.items if node is not None else ()):
            where = f"{path}.{key}[{i}]"
            if not self.mapping(item, ANSWER_FIELDS, where):
                continue
            policy = self.get(item, "policy", where)
            why = self.text(item, "why", where)
            if policy is not None and why:
                out.append(Answer(str(policy.value), why, policy.span.line if policy.span else 0))
        return tuple(out)

    def items(self, parent: JNode, key: str, path: str, fields: tuple[str, ...]) -> list[tuple[JNode, str]]:
        """The mappings of list `key` (absent: none), each with its path; others are diagnostics."""
        node = self.get(parent, key, path, KIND_ARRAY, required=False)
        out = []
        for i, item in enumerate(node.items if node is not None else ()):
            if self.mapping(item, fields, f"{path}.{key}[{i}]"):
                out.append((item, f"{path}.{key}[{i}]"))
        return out

    def findings(self, parent: JNode, path: str) -> tuple[FindingExpectation, ...]:
        out = []
        for item, where in self.items(parent, "findings", path, FINDING_FIELDS):
            resource, why, zone = self.text(item, "resource", where), self.text(item, "why", where), \
                self.text(item, "zone", where, required=False) or "account"
            if zone not in ZONES:
                self.report("lab-invalid-value", f"`{where}.zone` is `{zone}`", item.get("zone"), f"{where}.zone")
            if item.get("parties") is None:
                self.report("lab-missing", f"`{where}` has no `parties`", item, f"{where}.parties")
            out.append(FindingExpectation(resource, self.strings(item, "parties", where), why, zone))
        return tuple(out)

    def escalations(self, parent: JNode, path: str) -> tuple[EscalationExpectation, ...]:
        out = []
        for item, where in self.items(parent, "escalation", path, ESCALATION_FIELDS):
            reaches = self.get(item, "reaches", where, KIND_BOOL)
            out.append(EscalationExpectation(self.text(item, "principal", where), bool(reaches and reaches.value),
                                             self.text(item, "why", where)))
        return tuple(out)

    def activities(self, parent: JNode, path: str) -> tuple[ActivityExpectation, ...]:
        out = []
        for item, where in self.items(parent, "activity", path, ACTIVITY_FIELDS):
            times = []
            for key in ("since", "until"):
                value = self.text(item, key, where)
                if value and parse_utc(value) is None:
                    self.report("lab-invalid-value", f"`{where}.{key}` is `{value}`, not an ISO 8601 time",
                                item.get(key), f"{where}.{key}")
                times.append(value)
            out.append(ActivityExpectation(self.text(item, "principal", where), times[0], times[1],
                                           self.text(item, "why", where)))
        return tuple(out)

    def workspace(self, parent: JNode, path: str) -> str | None:
        """The exercise's workspace: a path relative to the lab file, which must exist."""
        node = self.get(parent, "workspace", path, required=False)
        if node is None:
            return None
        target = Path(self.file).parent / str(node.value)
        if not target.exists():
            self.report("lab-workspace-missing", f"`{path}.workspace`: no file or folder `{node.value}` beside "
                        f"the lab file", node, f"{path}.workspace")
        return str(target.resolve())

    def exercise(self, node: JNode, path: str) -> Exercise | None:
        errors = self.errors()
        if not self.mapping(node, EXERCISE_FIELDS, path):
            return None
        ident, title, policy = (self.text(node, key, path) for key in ("id", "title", "policy"))
        docs = self.get(node, "docs", path, KIND_ARRAY, required=False)
        for i, doc in enumerate(docs.items if docs is not None else ()):
            if doc.kind != KIND_STRING:
                self.report("lab-wrong-type", f"`{path}.docs[{i}]` must be a URL", doc, f"{path}.docs[{i}]")
        expect = self.get(node, "expect", path, KIND_ARRAY)
        if expect is not None and not expect.items:
            self.report("lab-missing", f"`{path}.expect` lists no request", expect, f"{path}.expect")
        expectations = [self.expectation(item, f"{path}.expect[{i}]") for i, item in
                        enumerate(expect.items if expect is not None else ())]
        hint, solution = self.text(node, "hint", path, False), self.get(node, "solution", path, required=False)
        scope, wrong, correct = self.scope(node, path), self.answers(node, "wrong", path), self.answers(node, "correct", path)
        workspace, findings = self.workspace(node, path), self.findings(node, path)
        escalation, activity = self.escalations(node, path), self.activities(node, path)
        if self.errors() > errors:  # an exercise with an error is not read
            return None
        return Exercise(ident, title, policy, tuple(e for e in expectations if e is not None), hint,
                        tuple(str(d.value) for d in docs.items) if docs is not None else (),
                        str(solution.value) if solution is not None else None, self.file,
                        node.span.line if node.span else 0, scope, wrong, correct, workspace, findings,
                        escalation, activity)


_KINDS = {KIND_STRING: "a string", KIND_OBJECT: "a mapping", KIND_ARRAY: "a list", KIND_BOOL: "true or false"}


@dataclass(frozen=True)
class Labs:
    """The exercises read from lab files, in file order, and every diagnostic."""

    exercises: tuple[Exercise, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


def read_labs_text(text: str, file: str, seen: Mapping[str, Exercise] | None = None) -> Labs:
    """The exercises of one lab file's text; an id used before (in it, or in `seen`) is a diagnostic."""
    document, diagnostics = read_yaml(text, file)
    if document is None and diagnostics:
        return Labs((), tuple(diagnostics))
    node = to_jnode(document)
    reader = _Reader(file)
    if node.kind != KIND_ARRAY:
        reader.report("lab-not-list", f"a lab file is a list of exercises, found {describe_kind(node)}",
                      node.span or Span(0, 0, 1, 1), "")
        return Labs((), tuple(reader.diagnostics))
    known = dict(seen or {})
    for i, item in enumerate(node.items):
        exercise = reader.exercise(item, f"[{i}]")
        if exercise is not None and exercise.id in known:
            reader.report("lab-duplicate-id", f"exercise `{exercise.id}` is defined twice (first at "
                          f"{known[exercise.id].file}:{known[exercise.id].line})", item.get("id"), f"[{i}].id")
        elif exercise is not None:
            known[exercise.id] = exercise
    return Labs(tuple(e for e in known.values() if e.id not in (seen or {})), tuple(reader.diagnostics))


def read_labs(folder: Path | None = None) -> Labs:
    """Every lab file (`*.yaml`, in name order) of `folder`, by default the example organization's."""
    folder = folder if folder is not None else example_path().parent / "labs"
    exercises: dict[str, Exercise] = {}
    diagnostics: list[Diagnostic] = []
    for path in sorted(folder.glob("*.yaml")):
        text, problem = read_text(path)
        labs = read_labs_text(text, str(path), exercises) if text is not None else Labs((), (problem,) if problem else ())
        exercises.update((e.id, e) for e in labs.exercises)
        diagnostics.extend(labs.diagnostics)
    return Labs(tuple(exercises.values()), tuple(diagnostics))
