"""Plan and check a workspace save before `save.commit` writes it: which files change (none when
nothing changed), the workspace file merged three ways so nothing the load could not read is
dropped, each policy file written only if the load read it as that policy's file, and the whole
new set reloaded in memory (the policy files from the texts about to be written) to the same
model before anything touches the disk."""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.load.files import norm
from workbench.load.save import FileWrite, Stamp, commit, recover, stamp_of
from workbench.load.sources import WORKSPACE_NAMES, known_aws_policy, loaders
from workbench.load.workspace_file import WorkspaceFile, load_workspace_text
from workbench.load.workspace_writer import (
    Unrepresented,
    policy_file_text,
    policy_keys,
    render_workspace,
    workspace_data,
)
from workbench.load.yamlnode import plain
from workbench.model.inventory import Inventory


@dataclass
class SaveState:
    """What a save knows of the files the load read as the workspace's own: their text and
    stamps (by `files.norm` path), and the writer's data for the model as loaded (the base of
    the three-way merge, computed at the first save)."""

    texts: dict[Path, str] = field(default_factory=dict)
    stamps: dict[Path, Stamp] = field(default_factory=dict)
    baseline: dict[str, Any] | None = None
    baseline_key: tuple[Path, Path] | None = None
    baseline_errors: Counter[tuple[str, str]] = field(default_factory=Counter)

    @classmethod
    def of(cls, texts: dict[Path, str]) -> SaveState:
        return cls(dict(texts), {path: stamp_of(path, text) for path, text in texts.items()})


@dataclass
class Saving:
    """The workspace being saved, as `Workspace.save` hands it over."""

    inventory: Inventory
    path: Path | None
    document: Any
    policy_files: dict[str, Path]
    name: str
    description: str
    from_sources: set[str]


@dataclass
class Saved:
    diagnostics: list[Diagnostic]
    #: the round-trip document of the saved file (None when nothing was saved)
    document: Any = None
    written: list[Path] = field(default_factory=list)


def recover_before_open(path: Path) -> list[Diagnostic]:
    """Complete or roll back a save of the workspace at `path` (a workspace file or the folder
    holding one) that a crash interrupted."""
    if path.is_dir():
        return [d for name in WORKSPACE_NAMES for d in recover(path / name)]
    return recover(path) if path.parent.is_dir() else []


def _reload(text: str, target: Path, overlay: dict[Path, str], parsed: Any = None) -> WorkspaceFile:
    loaded = load_workspace_text(text, str(target), target.parent, loaders(), known_aws_policy, overlay, parsed)
    loaded.path = target
    return loaded


def _model(inventory: Inventory, name: str, description: str, skip: set[str]) -> dict[str, Any]:
    """What a workspace file can say about a model, every policy as its document."""
    return workspace_data(inventory, name=name, description=description, skip=skip)


def _errors(loaded: WorkspaceFile) -> Counter[tuple[str, str]]:
    return Counter((d.code, d.path) for d in loaded.diagnostics if d.is_error)


def first_difference(a: Any, b: Any, where: str = "") -> str:
    """The path of the first place where `a` and `b` differ (`` when they are equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in a or key not in b:
                return f"{where}.{key}" if where else str(key)
            found = first_difference(a[key], b[key], f"{where}.{key}" if where else str(key))
            if found:
                return found
        return ""
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{where}[{i}]")
            if found:
                return found
        return ""
    return "" if a == b else (where or "(the whole document)")


def _canonical_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def save_workspace(ws: Saving, state: SaveState, target: Path) -> Saved:
    """Save `ws` to `target` (see the module's doc), updating `state` on success."""
    base = target.parent
    loaded_file = ws.path if ws.path is not None and norm(ws.path) in state.texts else None
    same_folder = loaded_file is not None and norm(loaded_file.parent) == norm(base)

    def refused(message: str, help: str | None = None) -> Saved:
        return Saved([make("workspace-save-refused", message, help=help, file=str(target))])

    baseline = None
    if ws.document is not None and loaded_file is not None and same_folder:
        baseline_key = (norm(loaded_file), norm(base))
        if state.baseline is None or state.baseline_key != baseline_key:
            original = _reload(state.texts[norm(loaded_file)], loaded_file, state.texts, ws.document)
            state.baseline = workspace_data(original.inventory, name=original.name, description=original.description,
                                            skip=original.from_sources, files=original.policy_files, base=base)
            state.baseline_key = baseline_key
            state.baseline_errors = _errors(original)
        baseline = state.baseline
    data = workspace_data(ws.inventory, name=ws.name, description=ws.description, skip=ws.from_sources,
                          files=ws.policy_files, base=base)
    try:
        document, text = render_workspace(copy.deepcopy(ws.document), data, baseline)
    except Unrepresented as error:
        return refused(f"`{error.where}` holds entries that did not load, and saving this change would drop them: "
                       "nothing was written", "fix the entries the load reported (or remove them), then save")
    writes: list[FileWrite] = []
    overlay = dict(state.texts)
    by_key = policy_keys(ws.inventory)
    for key, file in ws.policy_files.items():
        policy = by_key.get(key)
        if policy is None:
            continue
        if policy.file != str(file):
            return refused(f"the policy key `{key}` names two policies, and `{file}` belongs to the other: "
                           "nothing was written", "rename one of the two so their keys differ")
        new_text = policy_file_text(policy)
        loaded_text = state.texts.get(norm(file))
        if loaded_text is None:
            return refused(f"`{file}` was not read by the load as this workspace's policy file: nothing was written")
        if _canonical_text(loaded_text) != _canonical_text(new_text):
            writes.append(FileWrite(file, new_text, state.stamps.get(norm(file))))
            overlay[norm(file)] = new_text
    same_file = loaded_file is not None and norm(loaded_file) == norm(target)
    unchanged = same_file and (text == state.texts[norm(target)] or (baseline is not None and baseline == data))
    if not unchanged:
        writes.append(FileWrite(target, text, state.stamps.get(norm(target)) if same_file else None, confined=False))
    if not writes:
        return Saved([])
    again = _reload(text, target, overlay)
    problem = _verify(ws, document, again, state.baseline_errors if baseline is not None else Counter())
    if problem:
        return Saved([make("workspace-save-verify", problem, file=str(target))])
    confine = loaded_file.parent if loaded_file is not None else base
    problems = commit(target, base, writes, confine_to=confine)
    if any(d.is_error for d in problems):
        return Saved(problems)
    for write in writes:
        state.texts[norm(write.path)] = write.text
        state.stamps[norm(write.path)] = stamp_of(write.path, write.text)
    state.baseline = workspace_data(again.inventory, name=again.name, description=again.description,
                                    skip=again.from_sources, files=again.policy_files, base=base)
    state.baseline_key = (norm(target), norm(base))
    state.baseline_errors = _errors(again)
    return Saved(problems, again.document if not unchanged else ws.document, [w.path for w in writes])


def _verify(ws: Saving, document: Any, again: WorkspaceFile, allowed: Counter[tuple[str, str]]) -> str:
    """Why the new text would not reload as the model (`` when it does)."""
    if again.document is None or plain(again.document) != plain(document):
        where = first_difference(plain(document), plain(again.document)) if again.document is not None else ""
        return (f"the YAML to write does not read back as written (at `{where}`): nothing was written" if where
                else "the YAML to write does not read back: nothing was written")
    want = _model(ws.inventory, ws.name, ws.description, ws.from_sources)
    got = _model(again.inventory, again.name, again.description, again.from_sources)
    if want != got:
        return f"the saved files would read back differently at `{first_difference(want, got)}`: nothing was written"
    new = _errors(again) - allowed
    if new:
        (code, path), _ = next(iter(new.items()))
        return f"the saved files would read back with a new error ({code} at `{path}`): nothing was written"
    return ""
