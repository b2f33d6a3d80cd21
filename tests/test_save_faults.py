"""No data loss, proven under faults (issue 17 part 5, and the save side of part 1): kill -9 at
every step of a save's transaction and at random instants of it, two processes saving at once, a
full disk at every write and fsync, read-only files and folders, symlinks inside and out, files
changed since the load, entries the load could not read, and edits holding every character
class YAML emitters mishandle, which must reload identically. The machinery of the kill tests is
tests/support/save_faults.py; benchmarks/bench_save_faults.py runs a longer campaign."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import random
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import workbench
from tests.support.save_faults import (
    ACCOUNT,
    Outcome,
    crash_once,
    edit,
    generations,
    kill_a_save,
    leftovers,
    make_workspace,
    policy,
    steps_of_a_save,
    transaction_window,
)
from workbench.load import save

FILES = 8
DOC = json.dumps(policy(7, 0))


def codes(diagnostics: list[Any]) -> list[str]:
    return [d.code for d in diagnostics]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under `folder`: content, mode and mtime_ns (what "nothing was written" keeps)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            out[str(path.relative_to(folder))] = (path.read_bytes(), stat.S_IMODE(info.st_mode), info.st_mtime_ns)
    return out


@pytest.fixture
def big(tmp_path: Path) -> Path:
    make_workspace(tmp_path / "ws", FILES, 6)
    workbench.open(tmp_path / "ws")  # warm the parent's caches, so the forked children start fast
    return tmp_path / "ws"


# -- kill -9 ----------------------------------------------------------------------------------
def test_kill_at_every_step_of_the_transaction(big: Path) -> None:
    """A SIGKILL at each step (after the prepare journal, after each temporary, after the commit
    journal, after each rename, at the end): the next open leaves one generation, the old one
    before the commit and the new one after it, and no temporary or journal."""
    outcome = Outcome()
    gen = 0
    steps = steps_of_a_save(FILES)
    for kill_at in range(1, steps + 1):
        before = gen
        gen = crash_once(big, gen, outcome, kill_at=kill_at)
        decided = kill_at > FILES + 2  # past "prepared", the temporaries and "committed"
        assert gen == (before + 1 if decided else before), (kill_at, outcome.bad)
    assert not outcome.bad, outcome.bad
    assert outcome.iterations == steps and outcome.counts["old"] == FILES + 2, outcome
    # every crashed save left a journal or a temporary that the next open reported and resolved
    assert outcome.recovered["workspace-save-interrupted"] == steps - 1, outcome.recovered
    print(f"kill at each step: {outcome.iterations} iterations, {dict(outcome.counts)}")


def test_kill_at_random_instants(big: Path) -> None:
    """SIGKILL at a random instant of the transaction's window (from its start to its end as
    measured once): every outcome is one whole generation."""
    window, gen = transaction_window(big, 0)
    rng = random.Random(17)
    outcome = Outcome()
    for _ in range(10):
        gen = crash_once(big, gen, outcome, window=window * 1.2, rng=rng)
    assert not outcome.bad, outcome.bad
    assert outcome.iterations == 10 and outcome.counts["BAD"] == 0
    print(f"kill at random instants: {outcome.iterations} iterations, {dict(outcome.counts)}, window {window:.3f} s")


def test_a_save_completes_an_interrupted_one_before_its_own(big: Path) -> None:
    """A crash after the commit, then a save by a workspace opened before the crash: the save
    first completes the interrupted one, then refuses (the files changed since its load)."""
    stale = workbench.open(big)
    assert kill_a_save(big, 0, kill_at=FILES + 4) == (True, 0)  # after the commit journal and one rename
    assert leftovers(big)
    edit(stale, 5)
    problems = stale.save()
    assert "workspace-save-interrupted" in codes(problems) and "workspace-save-conflict" in codes(problems)
    assert generations(big) == {1} and leftovers(big) == []


def test_a_hostile_journal_touches_nothing_outside(tmp_path: Path) -> None:
    """A journal is data from the folder: one that names a file outside is not acted on."""
    folder = tmp_path / "ws"
    make_workspace(folder, 1, 0)
    victim = tmp_path / "victim.txt"
    victim.write_text("mine\n")
    (folder / "evil.tmp").write_text("attacker's\n")
    journal = {"iamwb_save": 1, "state": "commit", "files": [
        {"target": "../victim.txt", "temp": "evil.tmp", "sha256": save.digest(b"attacker's\n"), "old": None}]}
    (folder / ".workspace.yaml.iamwb-journal").write_text(json.dumps(journal))
    ws = workbench.open(folder)
    assert "workspace-save-journal" in codes(ws.diagnostics)
    assert victim.read_text() == "mine\n"


# -- two processes ----------------------------------------------------------------------------
def _save_in_child(folder: str, key: str, gen: int, barrier: Any, results: Any) -> None:
    ws = workbench.open(folder)
    assert ws.replace_policy(key, json.dumps(policy(gen, 0))).ok
    barrier.wait()
    results.put((gen, codes(ws.save())))


def _race(folder: Path, keys: list[str]) -> list[tuple[int, list[str]]]:
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(len(keys)), ctx.Queue()
    children = [ctx.Process(target=_save_in_child, args=(str(folder), key, 100 + i, barrier, results))
                for i, key in enumerate(keys)]
    for child in children:
        child.start()
    got = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    return sorted(got)


def test_two_processes_editing_the_same_file(tmp_path: Path) -> None:
    """Both change workspace.yaml: one saves, the other is refused with a conflict; the file holds
    the winner's edit, never a mix, and no edit is lost without a diagnostic."""
    folder = tmp_path / "ws"
    make_workspace(folder, 0, 2)
    workbench.open(folder)
    for _ in range(3):
        got = _race(folder, [f"{ACCOUNT}/user/u0/inline/I0", f"{ACCOUNT}/user/u1/inline/I1"])
        winners = [gen for gen, found in got if not found]
        losers = [gen for gen, found in got if found == ["workspace-save-conflict"]]
        assert len(winners) == 1 and len(losers) == 1, got
        text = (folder / "workspace.yaml").read_text()
        assert f"gen-{winners[0]}" in text and f"gen-{losers[0]}" not in text
        make_workspace(folder, 0, 2)


def test_two_processes_editing_different_files(tmp_path: Path) -> None:
    """Each changes its own policy file: both saves succeed and both edits are on disk."""
    folder = tmp_path / "ws"
    make_workspace(folder, 2, 0)
    workbench.open(folder)
    got = _race(folder, [f"{ACCOUNT}/policy/P0", f"{ACCOUNT}/policy/P1"])
    assert got == [(100, []), (101, [])]
    assert "gen-100" in (folder / "policies" / "p0.json").read_text()
    assert "gen-101" in (folder / "policies" / "p1.json").read_text()


# -- full disk --------------------------------------------------------------------------------
def _failing(real: Callable[..., Any], fail_at: int, calls: list[int], root: Path) -> Callable[..., Any]:
    """`real` (os.write or os.fsync) failing with ENOSPC at its `fail_at`-th call on a file under
    `root`."""
    def fake(fd: int, *args: Any) -> Any:
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        if name.startswith(str(root)):
            calls[0] += 1
            if calls[0] == fail_at:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, *args)
    return fake


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_a_full_disk_at_every_write_leaves_the_old_set(call: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC at the n-th write (or fsync) of a save, for every n: before the save is decided the
    old set stays, byte for byte, with no temporary; after it (a folder's fsync), the new set is in
    place and the next open finds it whole."""
    folder = tmp_path / "ws"
    outcomes = []
    for fail_at in range(1, 40):
        make_workspace(folder, 3, 2)
        before = snapshot(folder)
        ws = workbench.open(folder)
        edit(ws, 1)
        calls = [0]
        monkeypatch.setattr(os, call, _failing(getattr(os, call), fail_at, calls, folder))
        problems = ws.save()
        monkeypatch.undo()
        if not problems:
            outcomes.append("saved")
            break  # past the last call: the save went through
        assert codes(problems) == ["workspace-save"] and "No space left" in problems[0].message, problems
        if generations(folder) == {0}:
            assert snapshot(folder) == before and leftovers(folder) == [], fail_at
            outcomes.append("old")
        else:
            assert "after it was decided" in problems[0].message and generations(folder) == {1}
            outcomes.append("new")
        again = workbench.open(folder)
        assert not again.errors and leftovers(folder) == [] and generations(folder) in ({0}, {1})
    assert outcomes[-1] == "saved" and outcomes.count("old") >= 5, outcomes


# -- read-only, symlinks, modes ---------------------------------------------------------------
def test_a_read_only_file_or_folder_is_respected(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    make_workspace(folder, 2, 1)
    for blocked in (folder / "policies" / "p1.json", folder / "workspace.yaml", folder / "policies", folder):
        ws = workbench.open(folder)
        edit(ws, 1)
        mode = stat.S_IMODE(blocked.stat().st_mode)
        blocked.chmod(mode & ~0o222)
        try:
            before = snapshot(folder)
            problems = ws.save()
            assert codes(problems) == ["workspace-save-readonly"], (blocked, problems)
            assert blocked.name in problems[0].message or blocked == folder
            assert snapshot(folder) == before
        finally:
            blocked.chmod(mode)
        assert ws.save() == [] and generations(folder) == {1}
        make_workspace(folder, 2, 1)


def test_writes_through_symlinks_inside_and_keeps_modes(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    make_workspace(folder, 2, 1)
    (folder / "shared").mkdir()
    real = folder / "shared" / "p0.json"
    (folder / "policies" / "p0.json").rename(real)
    (folder / "policies" / "p0.json").symlink_to("../shared/p0.json")
    (folder / "policies" / "p1.json").chmod(0o640)
    (folder / "workspace.yaml").chmod(0o604)
    ws = workbench.open(folder)
    edit(ws, 1)
    assert ws.save() == []
    assert (folder / "policies" / "p0.json").is_symlink() and "gen-1" in real.read_text()
    assert stat.S_IMODE((folder / "policies" / "p1.json").stat().st_mode) == 0o640
    assert stat.S_IMODE((folder / "workspace.yaml").stat().st_mode) == 0o604
    assert generations(folder) == {1}


def test_a_symlink_out_of_the_folder_is_never_written(tmp_path: Path) -> None:
    """A policy file that is a symlink to a file outside the workspace (a shared workspace that
    points at your ~/.bashrc): the save refuses, the outside file is untouched."""
    folder = tmp_path / "ws"
    make_workspace(folder, 1, 0)
    outside = tmp_path / "home" / ".bashrc"
    outside.parent.mkdir()
    outside.write_text(json.dumps(policy(0, 0)))
    (folder / "policies" / "p0.json").unlink()
    (folder / "policies" / "p0.json").symlink_to(outside)
    ws = workbench.open(folder)
    key = f"{ACCOUNT}/policy/P0"
    if key in ws.policies():  # the load may already refuse to read it (read confinement)
        assert ws.replace_policy(key, DOC).ok
        assert codes(ws.save()) == ["workspace-save-refused"]
    assert outside.read_text() == json.dumps(policy(0, 0))


def test_colliding_policy_keys_do_not_write_the_other_policy(tmp_path: Path) -> None:
    """The reproducer of issue 17: user `u` with inline `p/inline/q` and user `u/inline/p` with
    inline `q` (in a file) share a key; whatever the key scheme, the file is written only with
    the policy the load read from it."""
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "q.json").write_text(json.dumps(policy(0, 1)) + "\n")
    (folder / "workspace.yaml").write_text(
        f"accounts:\n  '{ACCOUNT}':\n    users:\n      u:\n        inline:\n          p/inline/q: {DOC}\n"
        "      u/inline/p:\n        inline:\n          q: {file: q.json}\n")
    ws = workbench.open(folder)
    before = (folder / "q.json").read_text()
    problems = ws.save()
    assert not [d for d in problems if d.is_error] or codes(problems) == ["workspace-save-refused"]
    assert (folder / "q.json").read_text() == before


# -- changes since the load, nothing changed, what did not load -------------------------------
def test_a_file_changed_since_the_load_is_not_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    make_workspace(folder, 2, 1)
    ws = workbench.open(folder)
    edit(ws, 1)
    other = folder / "policies" / "p1.json"
    for change in (lambda: other.write_text(json.dumps(policy(9, 1))),
                   lambda: other.write_text(other.read_text().replace("gen-9", "gen-8")), other.unlink):
        change()
        before = snapshot(folder)
        assert codes(ws.save()) == ["workspace-save-conflict"]
        assert snapshot(folder) == before
    other.write_text(json.dumps(policy(0, 1), indent=2) + "\n")  # back as loaded: the save goes through
    assert ws.save() == [] and generations(folder) == {1}


def test_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    make_workspace(folder, 2, 1)
    text = (folder / "workspace.yaml").read_text().replace("workbench: 1", "workbench:    1   # odd spacing")
    (folder / "workspace.yaml").write_text(text)
    before = snapshot(folder)
    ws = workbench.open(folder)
    assert ws.save() == []
    edit(ws, 0)  # the same documents again
    assert ws.save() == []
    assert snapshot(folder) == before


def test_what_did_not_load_is_kept_verbatim(tmp_path: Path) -> None:
    """A policy whose file is missing, an unknown field, a reference to an unknown group, a
    resource entry without an ARN: an edit elsewhere saves, and all of them are still there."""
    folder = tmp_path / "ws"
    folder.mkdir()
    text = (f"workbench: 1\nmy_notes: keep me\naccounts:\n  '{ACCOUNT}':\n    groups:\n      devs: {{}}\n"
            f"    policies:\n      Gone: {{file: missing.json}}\n      Here: {DOC}\n"
            "    users:\n      bob:\n        groups: [devs, nosuch]\n        inline:\n"
            "          Lost: {file: also-missing.json}\n          Kept: " + DOC + "\n"
            "resources:\n  - {name: no-arn}\n  - arn: arn:aws:s3:::b\n")
    (folder / "workspace.yaml").write_text(text)
    ws = workbench.open(folder)
    assert ws.errors
    assert ws.replace_policy(f"{ACCOUNT}/policy/Here", json.dumps(policy(3, 0))).ok
    assert ws.replace_policy(f"{ACCOUNT}/user/bob/inline/Kept", json.dumps(policy(4, 0))).ok
    assert ws.save() == []
    saved = (folder / "workspace.yaml").read_text()
    for kept in ("my_notes: keep me", "Gone: {file: missing.json}", "Lost: {file: also-missing.json}",
                 "groups: [devs, nosuch]", "{name: no-arn}", "gen-3", "gen-4"):
        assert kept in saved, kept
    # a change to a list that holds an entry that did not load would drop it: refused
    ws.inventory.accounts[ACCOUNT].users["bob"].groups.clear()
    before = snapshot(folder)
    problems = ws.save()
    assert codes(problems) == ["workspace-save-refused"] and "groups" in problems[0].message
    assert snapshot(folder) == before


def test_an_export_is_never_overwritten_by_a_workspace_file(tmp_path: Path) -> None:
    export = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(export))
    ws = workbench.open(path)
    assert codes(ws.save()) == ["workspace-save-refused"]
    assert json.loads(path.read_text()) == export


# -- what YAML emitters mishandle -------------------------------------------------------------
SPECIALS = ["\u2028", "\u2029", "\x85", "\x00", "\x07", "\x1b[2K", "\t", "\r", "\r\n", "\n", "\ufeff", " ", "  ",
            ": ", " #", "#", "'", '"', "---", "...", "- ", "? ", "&a", "*a", "!tag", "%", "@", "`", "|", ">",
            "{", "}", "[", "]", ",", "0123", "1e3", "0x1F", "0o17", "1_000", ".inf", "-.nan", "2024-01-01",
            "12:30:00", "yes", "no", "on", "off", "y", "n", "null", "Null", "~", "true", "False", "<<", "=",
            "\\", "é", "中", "😀", "\u202e", "\u00a0"]
TEXT = st.lists(st.one_of(st.sampled_from(SPECIALS), st.text(st.characters(exclude_categories=("Cs",)), max_size=8)),
                max_size=8).map("".join)
LONG = st.builds(lambda word, n: " ".join([word] * n), st.sampled_from(["a", "ab c", "x: y", "#z"]),
                 st.integers(1000, 3000))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("emit")
    make_workspace(folder, 1, 1)
    return folder


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(TEXT, LONG), key=TEXT.filter(lambda s: s.strip() != ""))
@example(value="", key="? '")  # ruamel wrote this key plain, which reads back as a complex key
@example(value="x", key="- a")
@example(value="x", key="a:")
def test_edits_with_every_character_class_reload_identically(small: Path, value: str, key: str) -> None:
    """A tag value and key, a role's description and a condition value in an inline policy (the
    document written into workspace.yaml) and in a policy file: saved, reopened, identical."""
    make_workspace(small, 1, 1)
    ws = workbench.open(small)
    user = ws.inventory.accounts[ACCOUNT].users["u0"]
    user.tags = {key: value, "plain": value}
    document = policy(1, 0)
    short = value[:300]  # a policy has a size quota; the long lines go into the tags
    document["Statement"][0]["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": [short, key]}}  # type: ignore[index]
    for policy_key in (f"{ACCOUNT}/user/u0/inline/I0", f"{ACCOUNT}/policy/P0"):
        result = ws.replace_policy(policy_key, document)
        assert result.ok, result.diagnostics
    problems = ws.save()
    assert problems == [], problems
    again = workbench.open(small)
    assert not again.errors, again.errors
    assert again.inventory.accounts[ACCOUNT].users["u0"].tags == {key: value, "plain": value}
    for policy_key in (f"{ACCOUNT}/user/u0/inline/I0", f"{ACCOUNT}/policy/P0"):
        conditions = again.policies()[policy_key].statements[0].conditions
        assert [v.text for c in conditions for v in c.values] == [short, key], policy_key


# -- what a person sees -----------------------------------------------------------------------
def test_the_cli_says_what_opening_recovered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli.main import main
    folder = tmp_path / "ws"
    make_workspace(folder, 1, 1)
    (folder / ".workspace.yaml.iamwb-save.0123456789ab.tmp").write_text("half a save")
    code = main(["inventory", str(folder)])
    _, err = capsys.readouterr()
    assert code == 0 and "workspace-save-interrupted" in err and "Traceback" not in err
    (folder / ".workspace.yaml.iamwb-journal").write_text("{not json")
    code = main(["inventory", str(folder)])
    _, err = capsys.readouterr()
    assert code == 1 and "workspace-save-journal" in err and "Traceback" not in err


def test_the_policy_editor_shows_the_refusal_and_its_code(tmp_path: Path) -> None:
    from workbench.widgets.policy_editor import PolicyEditor
    folder = tmp_path / "ws"
    make_workspace(folder, 1, 0)
    ws = workbench.open(folder)
    editor = PolicyEditor(ws, f"{ACCOUNT}/policy/P0")
    editor.text = json.dumps(policy(5, 0))
    (folder / "policies" / "p0.json").chmod(0o444)
    assert not editor.save()
    assert editor.saved.startswith("not saved") and "[workspace-save-readonly]" in editor.saved and editor.unsaved
    assert "gen-0" in (folder / "policies" / "p0.json").read_text()
