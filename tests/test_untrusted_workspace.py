"""A workspace from an untrusted source (issue 17): files it names (`file:`, `sources:`) are read
only inside its folder, symlinks resolved, unless the user allows more (`allow_paths=`,
`--allow-path`, or the workspace's own `allow_paths:` once confirmed); FIFOs and devices are never
opened for reading; gzip bombs, billion laughs and deep nesting stop at their limits (each an
environment variable); and opening, analysing, reporting and saving it opens no file outside its
folder, which an audit hook watching every `open` checks."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.cli.main import main
from workbench.core.diagnostics import Diagnostic
from workbench.load.safe_read import decode
from workbench.policy.serialize import policy_to_dict
from workbench.workspace import open_workspace

ACCOUNT = "111122223333"
ALLOW = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
SECRET = "TOP-SECRET-CONTENT-7f3a"


def workspace_with(policy_file: str, extra: str = "") -> str:
    return (f'{extra}accounts:\n  "{ACCOUNT}":\n    users:\n      alice:\n        inline:\n'
            f"          P: {{file: {policy_file}}}\n")


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """`ws/` (the workspace's folder) and `outside/` beside it, holding a secret policy file."""
    ws, outside = tmp_path / "ws", tmp_path / "outside"
    ws.mkdir()
    outside.mkdir()
    secret = dict(ALLOW, Statement=[dict(ALLOW["Statement"][0], Sid=SECRET.replace("-", ""))])
    (outside / "secret.json").write_text(json.dumps(secret), encoding="utf-8")
    (outside / "note.txt").write_text(SECRET, encoding="utf-8")
    return ws, outside


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def write(folder: Path, text: str) -> Path:
    path = folder / "workspace.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# -- watching every open ---------------------------------------------------------------------------

_WATCHED: list[tuple[str, list[str]]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _WATCHED and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        for prefix, seen in _WATCHED:
            if os.path.realpath(path).startswith(prefix):
                seen.append(path)


sys.addaudithook(_audit)


@contextlib.contextmanager
def opens_under(folder: Path) -> Iterator[list[str]]:
    """Every path opened (builtins.open, os.open, io.open) under `folder` while the block runs."""
    seen: list[str] = []
    entry = (str(folder.resolve()), seen)
    _WATCHED.append(entry)
    try:
        yield seen
    finally:
        _WATCHED.remove(entry)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# -- confinement -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../../../../../../etc/passwd", "/etc/passwd", "../outside/secret.json"])
def test_a_path_out_of_the_folder_is_a_positioned_diagnostic_never_a_read(layout: tuple[Path, Path],
                                                                           name: str) -> None:
    ws, outside = layout
    path = write(ws, workspace_with(name))
    with opens_under(outside) as seen_outside, opens_under(Path("/etc")) as seen_etc:
        opened = open_workspace(path)
    assert seen_outside == [] and [p for p in seen_etc if "passwd" in p] == []
    [problem] = [d for d in opened.diagnostics if d.code == "file-outside-workspace"]
    assert problem.location.endswith(":6:21") and problem.file == str(path)
    assert "root:" not in problem.message and SECRET not in problem.message


def test_a_symlink_out_is_refused_and_one_inside_is_followed(layout: tuple[Path, Path]) -> None:
    ws, outside = layout
    (ws / "escape.json").symlink_to(outside / "secret.json")
    (ws / "real.json").write_text(json.dumps(ALLOW), encoding="utf-8")
    (ws / "alias.json").symlink_to(ws / "real.json")
    (ws / "policies").symlink_to(outside, target_is_directory=True)
    for name, expected in (("escape.json", ["file-outside-workspace"]), ("policies/secret.json", ["file-outside-workspace"]),
                           ("alias.json", [])):
        with opens_under(outside) as seen:
            opened = open_workspace(write(ws, workspace_with(name)))
        assert seen == [], name
        assert codes(opened.diagnostics) == expected, (name, opened.diagnostics)


def test_sources_out_of_the_folder_are_refused_at_their_line(layout: tuple[Path, Path]) -> None:
    ws, outside = layout
    (outside / "authz.json").write_text(json.dumps({"UserDetailList": []}), encoding="utf-8")
    text = "sources:\n  authorization_details: [../outside/authz.json]\n  organization: ../outside\n"
    with opens_under(outside) as seen:
        opened = open_workspace(write(ws, text))
    assert seen == []
    locations = [d.location.rsplit(":", 2)[-2] for d in opened.diagnostics if d.code == "file-outside-workspace"]
    assert locations == ["2", "3"]


def test_a_folder_of_exports_does_not_follow_a_symlink_out(layout: tuple[Path, Path]) -> None:
    ws, outside = layout
    (outside / "authz.json").write_text(json.dumps({"UserDetailList": [
        {"UserName": "mallory", "Arn": f"arn:aws:iam::{ACCOUNT}:user/mallory"}]}), encoding="utf-8")
    (ws / "authz.json").symlink_to(outside / "authz.json")
    with opens_under(outside) as seen:
        opened = open_workspace(ws)
    assert seen == [] and opened.inventory.users() == []


def test_allow_paths_and_the_cli_option_let_the_user_allow_a_folder(layout: tuple[Path, Path]) -> None:
    ws, outside = layout
    path = write(ws, workspace_with("../outside/secret.json"))
    opened = open_workspace(path, allow_paths=[outside])
    assert opened.diagnostics == [] and opened.inventory.users()[0].inline[0].statements[0].sid.startswith("TOP")
    code, _, err = run("inventory", str(path))
    assert code == 1 and "file-outside-workspace" in err
    code, _, err = run("inventory", str(path), "--allow-path", str(outside))
    assert code == 0, err


def test_a_workspace_line_asking_for_more_needs_the_users_confirmation(layout: tuple[Path, Path]) -> None:
    ws, _ = layout
    path = write(ws, workspace_with("../outside/secret.json", extra="allow_paths: [../outside]\n"))
    unconfirmed = open_workspace(path)
    assert codes(unconfirmed.diagnostics) == ["workspace-paths-unconfirmed", "file-outside-workspace"]
    assert unconfirmed.diagnostics[0].location.endswith(":1:15")
    confirmed = open_workspace(path, allow_declared_paths=True)
    assert confirmed.diagnostics == [] and len(confirmed.inventory.users()[0].inline) == 1
    code, _, err = run("inventory", str(path), "--allow-declared-paths")
    assert code == 0, err


# -- files that are not files -------------------------------------------------------------------------

def finishes(target: Any, *args: Any, seconds: float = 20) -> Any:
    """`target(*args)` run in a thread; a failure (not a hang of the suite) if it blocks."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(target(*args)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{target.__name__} blocked"
    return result[0]


def test_a_fifo_is_refused_without_blocking(layout: tuple[Path, Path]) -> None:
    ws, _ = layout
    os.mkfifo(ws / "pipe.json")
    opened = finishes(open_workspace, write(ws, workspace_with("pipe.json")))
    assert codes(opened.diagnostics) == ["file-not-regular"]
    os.mkfifo(ws / "trail.json")  # and in a folder, where formats are told apart by their first bytes
    (ws / "workspace.yaml").unlink()
    finishes(open_workspace, ws)


def test_a_device_is_refused_even_when_its_folder_is_allowed(layout: tuple[Path, Path]) -> None:
    ws, _ = layout
    opened = finishes(lambda: open_workspace(write(ws, workspace_with("/dev/zero")), allow_paths=["/dev"]))
    assert codes(opened.diagnostics) == ["file-not-regular"]


# -- resource limits -----------------------------------------------------------------------------------

def test_a_gzip_bomb_stops_at_the_ratio_limit_and_the_limit_can_be_raised(layout: tuple[Path, Path],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    ws, _ = layout
    body = json.dumps({"UserDetailList": [], "pad": " " * (8 << 20)}).encode()
    (ws / "authz.json.gz").write_bytes(gzip.compress(body, compresslevel=9))
    path = write(ws, "sources:\n  authorization_details: [authz.json.gz]\n")
    assert codes(open_workspace(path).diagnostics) == ["gzip-ratio"]
    monkeypatch.setenv("IAMWB_MAX_GZIP_RATIO", "100000")
    assert open_workspace(path).diagnostics == []
    monkeypatch.setenv("IAMWB_MAX_GZIP_BYTES", str(1 << 20))
    assert codes(open_workspace(path).diagnostics) == ["gzip-too-large"]


def test_a_truncated_or_corrupt_gzip_is_a_diagnostic(layout: tuple[Path, Path]) -> None:
    ws, _ = layout
    whole = gzip.compress(json.dumps({"UserDetailList": []}).encode())
    for data, code in ((whole[:-10], "file-truncated"), (whole[:10] + b"\xff" * 20, "file-unreadable"),
                       (gzip.compress(b'{"UserDetailList": [], "x": "caf\xe9"}'), "file-encoding")):
        (ws / "authz.json.gz").write_bytes(data)
        opened = open_workspace(write(ws, "sources:\n  authorization_details: [authz.json.gz]\n"))
        assert code in codes(opened.diagnostics), (code, opened.diagnostics)


def test_a_file_over_the_size_limit_is_not_read(layout: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    ws, _ = layout
    (ws / "p.json").write_text(json.dumps(ALLOW) + " " * 5000, encoding="utf-8")
    path = write(ws, workspace_with("p.json"))
    monkeypatch.setenv("IAMWB_MAX_FILE_BYTES", "1000")
    assert codes(open_workspace(path).diagnostics) == ["file-too-large"]
    monkeypatch.setenv("IAMWB_MAX_FILE_BYTES", "100000")
    assert open_workspace(path).diagnostics == []


LAUGHS = "".join(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))


@pytest.mark.parametrize("where", ["inline", "tags", "password_policy", "claims"])
def test_billion_laughs_stops_at_the_alias_limit(layout: tuple[Path, Path], where: str) -> None:
    ws, _ = layout
    use = {"inline": "      alice:\n        inline:\n          P: *l9\n",
           "tags": "      alice:\n        tags: *l9\n",
           "password_policy": "", "claims": ""}[where]
    text = (f"x-laughs:\n  l0: &l0 lol\n{LAUGHS}accounts:\n  \"{ACCOUNT}\":\n"
            + ("    password_policy: *l9\n" if where == "password_policy" else "")
            + ("    users:\n" + use if use else "")
            + ("sessions:\n  - {user: alice, name: s, claims: *l9}\n" if where == "claims" else ""))
    opened = finishes(open_workspace, write(ws, text))
    assert codes(opened.diagnostics) == ["yaml-alias-limit"]


def test_a_few_aliases_are_fine_and_the_limits_can_be_raised(layout: tuple[Path, Path],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ws, _ = layout
    text = (f"accounts:\n  \"{ACCOUNT}\":\n    users:\n      alice: {{tags: &t {{team: a, env: prod}}}}\n"
            "      bob: {tags: *t}\n")
    opened = open_workspace(write(ws, text))
    assert opened.diagnostics == [] and opened.inventory.users()[1].tags == {"team": "a", "env": "prod"}
    monkeypatch.setenv("IAMWB_MAX_YAML_ALIAS_NODES", "1")
    assert codes(open_workspace(write(ws, text)).diagnostics) == ["yaml-alias-limit"]
    deep = "name: " + "[" * 60 + "]" * 60 + "\n"
    assert "yaml-depth-limit" not in codes(open_workspace(write(ws, deep)).diagnostics)
    monkeypatch.setenv("IAMWB_MAX_YAML_DEPTH", "20")
    assert codes(open_workspace(write(ws, deep)).diagnostics) == ["yaml-depth-limit"]


def test_a_self_referring_alias_is_refused(layout: tuple[Path, Path]) -> None:
    ws, _ = layout
    assert codes(open_workspace(write(ws, "name: &a [*a]\n")).diagnostics) == ["yaml-alias-limit"]


# -- encodings --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_text_in_utf8_or_with_a_bom_is_read(layout: tuple[Path, Path], encoding: str) -> None:
    ws, _ = layout
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    policy = json.dumps(dict(ALLOW, Statement=[dict(ALLOW["Statement"][0],
                                                    Condition={"StringEquals": {"aws:username": "Caf\u00e9"}})]))
    (ws / "p.json").write_bytes(bom + policy.encode(encoding))
    (ws / "workspace.yaml").write_bytes(bom + workspace_with("p.json").encode(encoding))
    opened = open_workspace(ws / "workspace.yaml")
    assert opened.diagnostics == [], opened.diagnostics
    read = policy_to_dict(opened.inventory.users()[0].inline[0])
    assert read["Statement"][0]["Condition"] == {"StringEquals": {"aws:username": "Caf\u00e9"}}


def test_an_undecodable_byte_is_a_diagnostic_at_its_line_and_column(layout: tuple[Path, Path]) -> None:
    ws, _ = layout
    (ws / "workspace.yaml").write_bytes(b"name: ok\ndescription: caf\xe9\n")
    [problem] = open_workspace(ws / "workspace.yaml").diagnostics
    assert problem.code == "file-encoding" and problem.location.endswith(":2:17")
    assert decode(b"\xff\xfe\x00\xd8", "x")[1] is not None  # a lone UTF-16 surrogate


# -- the whole journey ----------------------------------------------------------------------------------------

def test_an_untrusted_workspace_is_opened_analysed_reported_and_saved_without_reading_outside(
        layout: tuple[Path, Path], tmp_path: Path) -> None:
    ws, outside = layout
    (ws / "own.json").write_text(json.dumps(ALLOW), encoding="utf-8")
    (ws / "link.json").symlink_to(outside / "secret.json")
    text = (f"allow_paths: [../outside]\nsources:\n  authorization_details: [../outside/secret.json]\n"
            f'accounts:\n  "{ACCOUNT}":\n    users:\n      alice:\n        inline:\n'
            "          Own: {file: own.json}\n          Out: {file: ../outside/secret.json}\n"
            "          Link: {file: link.json}\n          Etc: {file: /etc/passwd}\n"
            "resources:\n  - {arn: 'arn:aws:s3:::b', account: '111122223333'}\n")
    path = write(ws, text)
    report = tmp_path / "report.html"
    with opens_under(outside) as seen, opens_under(Path("/etc/passwd")) as etc:
        opened = open_workspace(path)
        assert opened.can("alice", "s3:GetObject", "arn:aws:s3:::b/k").decision == "allowed"
        page = opened.matrix("*", ["s3:GetObject"], "all")._repr_html_()
        code, _, err = run("report", str(path), "-o", str(report))  # its errors are printed, exit 1
        assert code == 1 and "file-outside-workspace" in err and "internal error" not in err
        assert opened.save() == []
    assert seen == [] and etc == []
    assert sorted(codes(opened.diagnostics)) == ["file-outside-workspace"] * 4 + ["workspace-paths-unconfirmed"]
    assert SECRET.replace("-", "") not in page + err + (ws / "workspace.yaml").read_text(encoding="utf-8")
    assert (outside / "secret.json").read_text(encoding="utf-8").count("TOPSECRET") == 1  # untouched
    shutil.rmtree(ws)


def test_the_open_watch_sees_reads(layout: tuple[Path, Path]) -> None:
    """The audit hook the tests above rely on does see a read, through `open` and through an
    allowed workspace (so their empty lists mean something)."""
    ws, outside = layout
    with opens_under(outside) as seen:
        (outside / "note.txt").read_text(encoding="utf-8")
        open_workspace(write(ws, workspace_with("../outside/secret.json")), allow_paths=[outside])
    assert len(seen) == 2
