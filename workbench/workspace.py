"""A workspace: an inventory loaded from files (a workspace file, AWS exports, or both) that
answers questions with the one evaluator, and saves itself back atomically."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.analyses.assemble import (
    PrincipalSide,
    Question,
    ResourceSide,
    assemble,
    combine_sides,
    environment,
    principal_side,
    request_context,
    resource_side,
    unknown_notes,
)
from workbench.analyses.assume import AssumePath, AssumeResult, assume_paths, chain_session_arn
from workbench.analyses.compare import Comparison, compare
from workbench.analyses.escalation import (
    Admin,
    EscalationModel,
    EscalationResult,
    default_context,
    find_admins,
)
from workbench.analyses.escalation import escalation as find_escalation
from workbench.analyses.explain import Explanation, explain_question
from workbench.analyses.external import (
    AccessPreview,
    ExternalAccess,
    apply_archive_rules,
    external_access,
    preview_external_access,
)
from workbench.analyses.graph import AccessGraph, build_graph
from workbench.analyses.lookup import find_principal, find_role
from workbench.analyses.matrix import AccessMatrix, MatrixEngine
from workbench.analyses.selectors import Selector, select_actions, select_principals, select_resources
from workbench.analyses.trusted import assume_candidates
from workbench.analyses.who import (
    WhatCan,
    WhoCan,
    policy_action_patterns,
    policy_resource_patterns,
    what_can,
    who_can,
)
from workbench.catalog.resource_types import takes_no_resource
from workbench.core.diagnostics import Diagnostic
from workbench.evaluate import CompiledPolicySet, Decision, compile_policy_set, evaluate
from workbench.evaluate.applicability import TRUST_ACTIONS
from workbench.load import safe_read
from workbench.load.files import atomic_write as write_atomic
from workbench.load.sources import example_path, load_path, resolver_for
from workbench.load.workspace_save import SaveState, Saving, recover_before_open, save_workspace
from workbench.load.workspace_writer import policy_keys
from workbench.model.inventory import Group, Inventory, ManagedPolicy, Role, Session, User
from workbench.model.request import ContextValue, PolicySet, normalize_context
from workbench.policy import ParseResult, Policy, PolicyKind, parse_policy
from workbench.policy.serialize import policy_to_dict
from workbench.workspace_activity import events, ws_generate_policy, ws_hygiene, ws_last_accessed, ws_unused

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from workbench.analyses.activity import Hygiene, Reach, UnusedAccess
    from workbench.analyses.activity.generate import GeneratedPolicy


#: Above this many cells `Workspace.matrix` warns before it computes.
MATRIX_WARN_CELLS = 2_000_000


class LargeSelectionWarning(UserWarning):
    """A selection that expands to more cells than asked for: it may take long and use much memory."""


class Workspace:
    """An organization's access model, ready for questions."""

    def __init__(self, inventory: Inventory, *, path: Path | None = None, document: Any = None,
                 diagnostics: list[Diagnostic] | None = None, policy_files: dict[str, Path] | None = None,
                 name: str = "", description: str = "", from_sources: set[str] | None = None,
                 now: datetime | None = None) -> None:
        self.inventory = inventory
        #: the instant every question is asked at (aws:CurrentTime, aws:EpochTime)
        self.now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        if not inventory.environment:
            # What AWS puts in every request, at one instant (analyses/assemble.environment);
            # `ws.inventory.environment` can be changed or emptied, then `ws.invalidate()`.
            inventory.environment = environment(self.now)
        self.path = path
        self.document = document
        self.diagnostics = list(diagnostics or [])
        self.policy_files = dict(policy_files or {})
        self.declared_name = name  # as the workspace file says (written back as is)
        self.name = name or (path.stem if path else "workspace")
        self.description = description
        self.from_sources = set(from_sources or ())
        #: the text and stamps of the files the load read (`open_workspace` fills it)
        self._save_state = SaveState()
        #: the folders the load could read (and whether the workspace's allow_paths: counted)
        self._read_scope: tuple[list[Path], bool] | None = None
        self._resolve = resolver_for(inventory)
        self._version = 0
        self._principal_sides: dict[str, PrincipalSide] = {}
        self._resource_sides: dict[tuple[str, bool], ResourceSide] = {}
        self._compiled: dict[tuple[object, ...], tuple[PolicySet, CompiledPolicySet]] = {}

    def invalidate(self) -> None:
        """Forget cached lookups; call it after changing `inventory` directly (the workspace's own
        editing methods call it)."""
        self._version += 1
        self._principal_sides.clear()
        self._resource_sides.clear()

    # -- questions -------------------------------------------------------------------------
    def resolve_policy(self, arn: str) -> ManagedPolicy | None:
        return self._resolve(arn)

    def question(self, principal: str, action: str, resource: str,
                 context: Mapping[str, ContextValue] | None = None) -> Question:
        return assemble(self.inventory, principal, action, resource, context, self._resolve)

    def _sides(self, principal: str, action: str, resource: str) -> tuple[PrincipalSide, ResourceSide]:
        side = self._principal_sides.get(principal)
        if side is None:
            side = principal_side(self.inventory, principal, self._resolve)
            self._principal_sides[principal] = side
        trust = action.lower() in TRUST_ACTIONS
        target = self._resource_sides.get((resource, trust))
        if target is None:
            target = resource_side(self.inventory, resource, trust, None)
            self._resource_sides[(resource, trust)] = target
        return side, target

    def _compile(self, policies: PolicySet) -> CompiledPolicySet:
        key = (tuple(id(p) for p in policies.identity), id(policies.permission_boundary), id(policies.session),
               id(policies.resource), tuple(tuple(id(p) for p in level) for level in policies.scps),
               tuple(tuple(id(p) for p in level) for level in policies.rcps))
        found = self._compiled.get(key)
        if found is None:
            if len(self._compiled) > 20_000:
                self._compiled.clear()
            found = (policies, compile_policy_set(policies))
            self._compiled[key] = found
        return found[1]

    def can(self, principal: str, action: str, resource: str, context: Mapping[str, Any] | None = None,
            *, trace: bool = False) -> Decision:
        """Whether `principal` (ARN or short name) may do `action` on `resource` (ARN or `*`)."""
        side, target = self._sides(principal, action, resource)
        given = normalize_context(context)
        request, policies = combine_sides(side, target, action, given)
        compiled = self._compile(policies)
        decision = evaluate(request, compiled, trace=trace)
        inventory = self.inventory
        notes = decision.notes + request_context(side, target, given)[1] if given else decision.notes
        notes += unknown_notes(side, target, compiled, request, given)
        return replace(decision, notes=notes, explainer=lambda: explain_question(inventory, request, policies))

    def explain(self, principal: str, action: str, resource: str,
                context: Mapping[str, Any] | None = None) -> Explanation:
        """The same question as `can`, explained: every policy type and OU level, why not, and
        which context changes would flip the answer (found by re-evaluating)."""
        q = self.question(principal, action, resource, normalize_context(context))
        return explain_question(self.inventory, q.request, q.policies)

    def scenario(self, principal: str, action: str, resource: str, context: Mapping[str, Any] | None = None,
                 path: str | Path | None = None) -> dict[str, Any]:
        """The same question as a standalone scenario (scenario-format.md), written to `path` if
        given, so it can be shared and replayed with `iamwb simulate`."""
        q = self.question(principal, action, resource, normalize_context(context))
        decision = evaluate(q.request, q.policies)
        request: dict[str, Any] = {"principal": q.request.principal.identifier, "action": action,
                                   "resource": resource}
        if q.request.resource_account:
            request["resource_account"] = q.request.resource_account
        request["context"] = dict(q.request.context)
        p = q.request.principal
        request["principal_meta"] = {"role_arn": p.role_arn, "is_service_linked_role": p.is_service_linked_role,
                                     "account_is_management": p.account_is_management}
        request["resource_meta"] = {"account_is_management": q.request.resource_is_management,
                                    "aws_managed_kms_key": q.request.aws_managed_kms_key}

        def doc(policy: Any) -> dict[str, Any] | None:
            return None if policy is None else {"name": policy.name, "document": policy_to_dict(policy)}
        scenario = {
            "name": f"{self.name}-{_slug(principal)}-{_slug(action)}",
            "description": f"Can {principal} call {action} on {resource}? (from workspace {self.name})",
            "source": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
            "request": request,
            "policies": {
                "identity": [doc(x) for x in q.policies.identity],
                "permission_boundary": doc(q.policies.permission_boundary),
                "session": doc(q.policies.session),
                "resource": doc(q.policies.resource),
                "scps": [[doc(x) for x in level] for level in q.policies.scps],
                "rcps": [[doc(x) for x in level] for level in q.policies.rcps],
            },
            "expect": {"decision": decision.decision,
                       "deciding": [{"policy": r.policy, "sid": r.sid, "index": r.index,
                                     "policy_type": r.policy_type, **({"level": r.level} if r.level is not None
                                                                      else {})} for r in decision.deciding]},
        }
        if path is not None:
            write_atomic(Path(path), json.dumps(scenario, indent=2) + "\n")
        return scenario

    # -- matrices -------------------------------------------------------------------------------
    def matrix(self, principals: Selector = "*", actions: Selector = None, resources: Selector = "all",
               context: Mapping[str, Any] | None = None, *, access_levels: list[str] | None = None,
               progress: bool | None = None, max_cells: int = MATRIX_WARN_CELLS) -> AccessMatrix:
        """Principals x actions x resources, every cell decided as `can` would decide it, for the
        requests AWS can receive: a pair whose resource is not of a type the action acts on is a
        `notApplicable` cell, and an action on a child is asked of the child (`BUCKET/*`).

        principals: ARNs, names, globs, `type:role`, `account:ID`, `ou:NAME`, `tag:K=V`, `*`.
        actions: names or wildcards expanded against the service catalog (`s3:Get*`, `iam:*`),
        optionally filtered by `access_levels` (List, Read, Write, Tagging, Permissions management).
        resources: ARNs, `*` (the wildcard resource), or inventory selectors (`all`: every resource
        and role of the workspace; `type:s3:bucket`, `account:ID`, `tag:K=V`, `service:s3`). When an
        action takes no resource (`s3:ListAllMyBuckets`), a `*` column is added for it.
        A selection of more than `max_cells` cells warns first (`LargeSelectionWarning`)."""
        chosen_principals, chosen_actions, chosen_resources = self.matrix_selection(principals, actions, resources,
                                                                                    access_levels=access_levels)
        cells = len(chosen_principals) * len(chosen_actions) * len(chosen_resources)
        if cells > max_cells:
            warnings.warn(LargeSelectionWarning(
                f"this matrix has {cells:,} cells ({len(chosen_principals)} principals x {len(chosen_actions)} "
                f"actions x {len(chosen_resources)} resources), more than max_cells={max_cells:,}: it may take "
                "a while and a lot of memory; select fewer, or pass a larger max_cells"), stacklevel=2)
        return AccessMatrix(self.inventory, self._resolve, chosen_principals, chosen_actions, chosen_resources,
                            normalize_context(context), progress=progress)

    def matrix_selection(self, principals: Selector = "*", actions: Selector = None, resources: Selector = "all",
                         *, access_levels: list[str] | None = None) -> tuple[list[str], list[str], list[str]]:
        """The principals, actions and resources `matrix` would ask, as `matrix` selects them."""
        chosen_principals = select_principals(self.inventory, principals)
        chosen_actions = select_actions(actions, access_levels)
        chosen_resources = select_resources(self.inventory, resources)
        if "*" not in chosen_resources and any(takes_no_resource(a) for a in chosen_actions):
            chosen_resources.append("*")
        return chosen_principals, chosen_actions, chosen_resources

    def who_can_roles(self) -> list[str]:
        """The roles who-can follows: every role with a trust policy, except service-linked ones."""
        return [r.arn for r in self.inventory.roles() if not r.service_linked and r.trust is not None]

    def who_can(self, action: str, resource: str, context: Mapping[str, Any] | None = None, *,
                principals: Selector = "*", max_depth: int = 4) -> WhoCan:
        """Every principal allowed `action` on `resource`: directly, or through roles it can
        assume (each hop decided like `can_assume`)."""
        chosen = select_principals(self.inventory, principals)
        roles = self.who_can_roles()
        ctx = normalize_context(context)

        engine = MatrixEngine()

        def build(ps: Sequence[str], actions: Sequence[str], resources: Sequence[str]) -> AccessMatrix:
            return AccessMatrix(self.inventory, self._resolve, ps, actions, resources, ctx, progress=False,
                                engine=engine)
        return who_can(self.inventory, build, chosen, roles, action, resource, max_depth=max_depth,
                       candidates=self._assume_candidates)

    def _assume_candidates(self, callers: Sequence[str], roles: Sequence[str]) -> list[list[int]]:
        """For each role, the indices of the callers its trust policy may let assume it: a superset
        of those allowed, found by index (`analyses.trusted`), so who-can asks only those pairs."""
        trusts = {r.arn: r.trust for r in self.inventory.roles()}
        sides = [principal_side(self.inventory, c, self._resolve) for c in callers]
        found, _kept = assume_candidates(sides, {arn: trusts.get(arn) for arn in roles})
        return found

    def what_can(self, principal: str, resource: str | None = None, context: Mapping[str, Any] | None = None, *,
                 actions: Selector = None) -> WhatCan:
        """The principal's effective permissions, by service and access level, with the statements
        that grant them; on `resource`, or on the workspace's resources (and `*`)."""
        ctx = normalize_context(context)
        side = principal_side(self.inventory, principal, self._resolve)
        patterns = list(_as_patterns(actions)) if actions is not None else policy_action_patterns(
            [*side.identity, *[r.policy for r in self.inventory.resources.values() if r.policy is not None]])

        def build(ps: Sequence[str], acts: Sequence[str], resources: Sequence[str]) -> AccessMatrix:
            return AccessMatrix(self.inventory, self._resolve, ps, acts, resources, ctx, progress=False)
        return what_can(self.inventory, build, side.named.arn, patterns, [resource] if resource else None,
                        resource_patterns=policy_resource_patterns(side.identity))

    def graph(self, principals: Selector = "*", actions: Selector = None, resources: Selector = "all",
              context: Mapping[str, Any] | None = None, *, include_assume: bool = True,
              include_groups: bool = True, max_depth: int | None = None, escalation: bool = False) -> AccessGraph:
        """The access graph: group membership, who can assume which role (users, roles, sessions,
        identity providers, services), and who can do what to which resource, every edge with the
        decisions behind it (`analyses/graph.py`). Principals and resources take the selectors of
        `matrix` (`*` targets every resource, role, user and group); actions default, per resource,
        to the Read, Write and Permissions management actions of its service. With a subset of
        principals, roles they can assume join the graph up to `max_depth` hops (None: all). With
        `escalation`, the escalation edges and paths of `ws.escalation()` join it
        (`AccessGraph.with_escalation`, `.escalation_paths(principal)`). `.view()` draws it as
        "who can reach what"."""
        ctx = normalize_context(context)

        def compute(p: Sequence[str], a: Sequence[str], r: Sequence[str]) -> AccessMatrix:
            return AccessMatrix(self.inventory, self._resolve, p, a, r, ctx, progress=False)
        graph = build_graph(self.inventory, principals=select_principals(self.inventory, principals),
                            can_assume=self.can_assume, can=self.can, matrix=compute, context=ctx,
                            resources=None if resources == "all" else select_resources(self.inventory, resources),
                            actions=None if actions is None else select_actions(actions),
                            include_assume=include_assume, include_groups=include_groups, max_depth=max_depth)
        return graph.with_escalation(self.escalation(context=context)) if escalation else graph

    # -- sessions and role assumption -------------------------------------------------------
    def session(self, role: str, name: str, *, policy: Mapping[str, Any] | str | None = None,
                tags: Mapping[str, str] | None = None, mfa: bool | None = None,
                source_identity: str | None = None, transitive_tag_keys: list[str] | None = None) -> Session:
        """Create a role session usable as a principal (its ARN, or its name)."""
        target = find_role(self.inventory, role)
        arn = f"arn:aws:sts::{target.account}:assumed-role/{target.name}/{name}"
        session = Session(arn, target.account, role_arn=target.arn, session_name=name,
                          session_policy=self._session_policy(policy, name), tags=dict(tags or {}), mfa=mfa,
                          source_identity=source_identity, transitive_tag_keys=list(transitive_tag_keys or []))
        self.inventory.sessions[arn] = session
        self.invalidate()
        return session

    def federated_user(self, user: str, name: str, *, policy: Mapping[str, Any] | str | None = None,
                       tags: Mapping[str, str] | None = None) -> Session:
        """A GetFederationToken session of an IAM user; without a session policy it has no
        permissions of its own (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html)."""
        named = find_principal(self.inventory, user)
        if named.user is None:
            raise ValueError(f"`{user}` is not an IAM user of the workspace")
        arn = f"arn:aws:sts::{named.user.account}:federated-user/{name}"
        session = Session(arn, named.user.account, user_arn=named.user.arn, session_name=name,
                          session_policy=self._session_policy(policy, name), tags=dict(tags or {}))
        self.inventory.sessions[arn] = session
        self.invalidate()
        return session

    def web_identity_session(self, role: str, provider: str, name: str, claims: Mapping[str, Any],
                             *, policy: Mapping[str, Any] | str | None = None) -> Session:
        """The session AssumeRoleWithWebIdentity or AssumeRoleWithSAML gives: `aws:FederatedProvider`
        is set and the claims that carry over stay in its context."""
        session = self.session(role, name, policy=policy)
        session.provider = provider
        session.claims = dict(claims)
        self.invalidate()
        return session

    def _session_policy(self, policy: Mapping[str, Any] | str | None, name: str) -> Any:
        if policy is None:
            return None
        result = parse_policy(policy if isinstance(policy, str) else dict(policy), name=f"{name}-session-policy",
                              kind=PolicyKind.SESSION)
        if not result.ok:
            raise ValueError("invalid session policy: " + "; ".join(f"{d.location}: {d.message}"
                                                                    for d in result.errors))
        return result.policy

    def can_assume(self, principal: str, role: str, context: Mapping[str, Any] | None = None, *,
                   tags: Mapping[str, str] | None = None, source_identity: str | None = None,
                   trace: bool = False) -> AssumeResult:
        """Both sides of sts:AssumeRole: the caller's identity side and the role's trust policy.
        Passing session tags adds sts:TagSession, a source identity sts:SetSourceIdentity."""
        target = find_role(self.inventory, role)
        return self._can_assume(principal, target, normalize_context(context), tags=tags, source_identity=source_identity,
                                trace=trace)

    def _can_assume(self, principal: str, target: Role, context: Mapping[str, ContextValue] | None, *,
                    tags: Mapping[str, str] | None = None, source_identity: str | None = None,
                    trace: bool = False) -> AssumeResult:
        ctx: dict[str, ContextValue] = dict(context or {})
        if tags:
            ctx.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
            ctx["aws:TagKeys"] = list(tags)
        if source_identity:
            ctx["sts:SourceIdentity"] = source_identity
        decision = self.can(principal, "sts:AssumeRole", target.arn, ctx, trace=trace)
        extra = []
        if tags:
            extra.append(("sts:TagSession", self.can(principal, "sts:TagSession", target.arn, ctx, trace=trace)))
        if source_identity:
            extra.append(("sts:SetSourceIdentity", self.can(principal, "sts:SetSourceIdentity", target.arn, ctx,
                                                            trace=trace)))
        return AssumeResult(principal, target.arn, decision, tuple(extra))

    def assume_paths(self, principal: str, *, max_depth: int = 5,
                     context: Mapping[str, Any] | None = None) -> list[AssumePath]:
        """Every role `principal` can reach through chains of AssumeRole, each hop with its decision."""
        start = find_principal(self.inventory, principal).arn
        return assume_paths(start, self.inventory.roles(), self._can_assume, max_depth=max_depth,
                            context=normalize_context(context), session_for=chain_session_arn)

    # -- editing and saving ------------------------------------------------------------------
    def policies(self) -> dict[str, Policy]:
        """Every policy of the workspace by a stable key (`ACCOUNT/user/NAME/inline/POLICY`,
        `ACCOUNT/policy/NAME`, `ACCOUNT/role/NAME/trust`, `org/NAME`, `resource/ARN`)."""
        return policy_keys(self.inventory)

    def replace_policy(self, key: str, document: str | Mapping[str, Any]) -> ParseResult:
        """Replace one policy by a new document (text or dict). When the new document has an error,
        nothing changes: the last valid version stays in effect. Returns the parse result."""
        current = self.policies().get(key)
        if current is None:
            raise KeyError(f"no policy `{key}` in the workspace")
        result = parse_policy(document if isinstance(document, str) else dict(document), name=current.name,
                              kind=current.kind, file=current.file or key)
        if result.ok and result.policy is not None:
            self.inventory.replace_policy(current, result.policy)
            self.invalidate()
        return result

    def save(self, path: str | Path | None = None) -> list[Diagnostic]:
        """Write the workspace file (comments and order kept) and the policy files it references
        as one transaction (`workbench/load/save.py`): only what changed is written (nothing when
        nothing did), only files the load read as the workspace's own, inside its folder (through
        symlinks that stay inside, keeping each file's mode); nothing the load could not read is
        dropped; the new files are reloaded to the same model before they replace the old, all
        renamed at the end under a journal, so a crash leaves the old set or the new one; a file
        changed since it was loaded, or read-only, is not overwritten. Returns diagnostics (none
        of them an error on success)."""
        target = Path(path) if path is not None else self.path
        if target is None or target.is_dir() or target.suffix not in (".yaml", ".yml", ".json"):
            target = (target if target is not None and target.is_dir() else Path.cwd()) / "workspace.yaml"
        saving = Saving(self.inventory, self.path, self.document, self.policy_files, self.declared_name,
                        self.description, self.from_sources)
        # the reload that verifies a save reads what the load could read, and nothing more
        roots, declared_ok = self._read_scope or ([target.parent, target], False)
        with safe_read.confined(roots, declared_ok=declared_ok):
            saved = save_workspace(saving, self._save_state, target)
        if any(d.is_error for d in saved.diagnostics):
            return saved.diagnostics
        if saved.document is not None:
            self.document = saved.document
        self.path = target
        return saved.diagnostics

    # -- the inventory ----------------------------------------------------------------------
    def summary(self) -> dict[str, int]:
        inv = self.inventory
        org = inv.organization
        holders: list[User | Group | Role] = [*inv.users(), *inv.groups(), *inv.roles()]
        return {
            "accounts": len(inv.accounts),
            "organizational_units": sum(1 for n in org.nodes.values() if n.kind == "ou") if org else 0,
            "users": len(inv.users()),
            "groups": len(inv.groups()),
            "roles": len(inv.roles()),
            "identity_providers": len(inv.providers()),
            "customer_managed_policies": sum(len(a.policies) for a in inv.accounts.values()),
            "aws_managed_policies_attached": len({arn for p in holders for arn in p.managed
                                                  if ":iam::aws:policy/" in arn}),
            "inline_policies": sum(len(p.inline) for p in holders),
            "resources": len(inv.resources),
            "resources_with_policies": sum(1 for r in inv.resources.values() if r.policy is not None),
            "scps": sum(1 for p in org.policies.values() if p.is_scp) if org else 0,
            "rcps": sum(1 for p in org.policies.values() if not p.is_scp) if org else 0,
            "sessions": len(inv.sessions),
        }

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    # -- external access (Access Analyzer's findings, offline) ------------------------------
    def external_access(self, zone: str = "account", archive_rules: Sequence[Mapping[str, Any]] | None = None
                        ) -> ExternalAccess:
        """What callers outside the zone of trust (`account` or `organization`) can reach: one
        finding per resource x external party x condition set, each with the request the evaluator
        allowed (`analyses/external/`). Archive rules (Access Analyzer's filter format; the
        workspace's own `archive_rules` when not given) mark matching findings ARCHIVED."""
        result = external_access(self.inventory, zone)
        rules = self.archive_rules if archive_rules is None else list(archive_rules)
        apply_archive_rules(result.findings, rules)
        return result

    @property
    def archive_rules(self) -> list[dict[str, Any]]:
        """Access Analyzer archive rules (`{"ruleName": ..., "filter": {...}}`), kept in the workspace
        file's `archive_rules:`."""
        return self.inventory.archive_rules

    @archive_rules.setter
    def archive_rules(self, rules: Sequence[Mapping[str, Any]]) -> None:
        self.inventory.archive_rules = [dict(r) for r in rules]

    def preview_external_access(self, key: str, document: Policy | str | Mapping[str, Any], zone: str = "account", *,
                                against: Policy | str | Mapping[str, Any] | None = None) -> AccessPreview:
        """The findings replacing policy `key` by `document` would add and remove; nothing changes.
        `against`: the version to compare with (the saved one, say) instead of the one in effect."""
        current = self._policy(key)
        new = self._parsed(current, document)
        old = current if against is None else self._parsed(current, against)
        preview = preview_external_access(self.inventory, key, old, new, zone, held=current)
        apply_archive_rules([*preview.added, *preview.removed], self.archive_rules)
        return preview

    def compare_policy(self, key: str, new_text: str | Mapping[str, Any], *, typed: bool = False,
                       timeout: float = 10.0, against: Policy | str | Mapping[str, Any] | None = None) -> Comparison:
        """Does a new version of one workspace policy (by `policies()` key) grant any request the
        current one (or `against`, the saved version say) does not, or remove any? Nothing in the
        workspace changes."""
        current = self._policy(key)
        document = new_text if isinstance(new_text, str) else dict(new_text)
        old: Policy | str | dict[str, Any] = (current if against is None else
                                              against if isinstance(against, Policy | str) else dict(against))
        return compare(old, document, kind=current.kind, typed=typed, timeout=timeout)

    @contextmanager
    def replaced(self, key: str, document: Policy | str | Mapping[str, Any]) -> Iterator[Policy]:
        """The workspace with policy `key` replaced by `document` inside the block, and exactly as
        before after it (the same policy objects, even on error): to ask `can` of a version that
        is not in effect."""
        current = self._policy(key)
        new = self._parsed(current, document)
        self.inventory.replace_policy(current, new)
        self.invalidate()
        try:
            yield new
        finally:
            self.inventory.replace_policy(new, current)
            self.invalidate()

    def _policy(self, key: str) -> Policy:
        current = self.policies().get(key)
        if current is None:
            raise KeyError(f"no policy `{key}` in the workspace")
        return current

    def version_of(self, key: str, document: Policy | str | Mapping[str, Any]) -> Policy:
        """`document` read as a version of policy `key` (its name, kind and file); ValueError if it
        is not a policy."""
        return self._parsed(self._policy(key), document)

    @staticmethod
    def _parsed(current: Policy, document: Policy | str | Mapping[str, Any]) -> Policy:
        if isinstance(document, Policy):
            return document
        result = parse_policy(document if isinstance(document, str) else dict(document), name=current.name,
                              kind=current.kind, file=current.file)
        if result.policy is None:
            raise ValueError("the new document is not a policy: " + "; ".join(d.message for d in result.errors))
        return result.policy

    def __repr__(self) -> str:
        counts = self.summary()
        return (f"<Workspace {self.name}: {counts['accounts']} accounts, {counts['users']} users, "
                f"{counts['roles']} roles, {counts['resources']} resources>")

    # -- privilege escalation (workbench/analyses/escalation) ------------------------------------
    def escalation_model(self, context: Mapping[str, Any] | None = None) -> EscalationModel:
        """The model the escalation techniques see, deciding with this workspace's `can`."""
        ctx = default_context(self.now)
        ctx.update(normalize_context(context) or {})
        return EscalationModel(self.inventory, self._resolve, lambda p, a, r, c: self.can(p, a, r, c),
                               lambda p, r, c: self.can_assume(p, r, c), ctx)
    # -- activity (workbench/workspace_activity.py) -------------------------------------------
    def activity(self) -> pd.DataFrame | None:
        """The CloudTrail records of the workspace's sources, attributed and mapped (a DataFrame)."""
        return events(self)

    def last_accessed(self, principal: str | None = None, granularity: str = "service", *,
                      now: datetime | None = None) -> pd.DataFrame:
        """Access Advisor's view: per entity and service (or action), when it was last accessed."""
        return ws_last_accessed(self, principal, granularity, now)

    def unused_access(self, days: int = 90, *, now: datetime | None = None) -> UnusedAccess:
        """Access Analyzer's unused-access findings, with what the data could not observe."""
        return ws_unused(self, days, now)

    def hygiene(self, *, now: datetime | None = None, reach: Callable[[str], Reach] | None = None) -> Hygiene:
        """Credential hygiene (Prowler / CIS / ScoutSuite checks) joined to reachability."""
        return ws_hygiene(self, now, reach)

    def generate_policy(self, principal: str, since: datetime, until: datetime | None = None) -> GeneratedPolicy:
        """A least-privilege policy from the principal's successful calls, proven by the evaluator."""
        return ws_generate_policy(self, principal, since, until)


    def admins(self, context: Mapping[str, Any] | None = None) -> list[Admin]:
        """Principals that are effectively admin, each with `principal`, `definition` and
        `deciding` (the definition: `workbench/analyses/escalation/goal.py`)."""
        return find_admins(self.escalation_model(context))

    def escalation(self, target: str | None = None, action: str | None = None,
                   context: Mapping[str, Any] | None = None) -> EscalationResult:
        """Who is admin, who can become admin (or reach `target`: a principal, or `action` on a
        resource), by the shortest paths, every step with its decided requests."""
        return find_escalation(self.escalation_model(context), target, action)


def _as_patterns(selector: Selector) -> list[str]:
    if isinstance(selector, str):
        return [selector]
    if selector is None or callable(selector):
        return ["*"]
    return list(selector)


def _slug(text: str) -> str:
    keep = "".join(ch if ch.isalnum() else "-" for ch in text.rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    return keep.strip("-").lower()[:40] or "x"


def open_workspace(path: str | Path | None = None, *, now: datetime | None = None,
                   allow_paths: Sequence[str | Path] = (), allow_declared_paths: bool = False) -> Workspace:
    """Open a workspace: a workspace file (YAML or JSON), an authorization-details export, a folder
    of exports, or, without a path, the bundled example organization. `now` is the instant every
    question is asked at (`aws:CurrentTime`, `aws:EpochTime`; default: the time of opening).
    Files are read only inside the workspace's folder and `allow_paths` (and the workspace's own
    `allow_paths:` when `allow_declared_paths`): see `workbench.load.safe_read`."""
    target = Path(path) if path is not None else example_path()
    recovered = recover_before_open(target)
    loaded = load_path(target, allow_paths, allow_declared_paths=allow_declared_paths)
    ws = Workspace(loaded.inventory, path=loaded.path, document=loaded.document,
                   diagnostics=[*recovered, *loaded.diagnostics], policy_files=loaded.policy_files, name=loaded.name,
                   description=loaded.description, from_sources=loaded.from_sources, now=now)
    ws._save_state = SaveState.of(loaded.texts)
    root = target if target.is_dir() else target.parent
    ws._read_scope = ([root, target, *(Path(p) for p in allow_paths)], allow_declared_paths)
    return ws


__all__ = ["AssumePath", "AssumeResult", "LargeSelectionWarning", "MATRIX_WARN_CELLS", "Workspace", "open_workspace"]
