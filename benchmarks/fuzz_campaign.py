"""The long fuzz campaign (issue 17 part 3). Run: `python benchmarks/fuzz_campaign.py [N] [--seed S]
[--minutes M] [--targets workspace,export,...]`.

Mutates seed inputs (the example organization's workspace file and policy files, small
authorization-details exports, the organizations test folder, the scenario corpus, command lines)
with byte flips, truncations, splices of hostile tokens (YAML anchors and aliases, control
characters, BOMs, deep brackets, huge numbers, path escapes), gzip wrapping and cutting, and runs
each input through the same targets as tests/test_fuzz_inputs.py (tests/support/fuzz_targets.py).
Default N is 100,000 inputs; `--minutes` stops earlier. Every crash is written as a regression file
under tests/data/fuzz/ (one per distinct failure: exception type and the last frame) and counted.
Prints inputs tried per target, crashes, distinct crashes and inputs per second. Nothing is
asserted; figures go in the issue's note."""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.fuzz_targets import Crash, run_target, save_regression  # noqa: E402

EXAMPLE = ROOT / "datasets" / "example-org"
ORG = ROOT / "tests" / "data" / "organizations"
SCENARIOS = sorted((ROOT / "datasets" / "scenarios").rglob("*.json"))[:200]

TOKENS = [b"&a ", b"*a", b"<<: *a", b"!!python/object:os.system", b"\x1b[2K", b"\xef\xbb\xbf", b"\xff\xfe",
          b"\x00", b"\xe2\x80\xa8", b"[" * 300, b"{" * 300, b"9" * 400, b"-1e999", b"../../etc/passwd",
          b"/dev/zero", b"{file: ../x}", b"\t", b"\r", b"---\n", b"...\n", b": ", b"- ", b"? ", b"|\n", b">-\n",
          b"\"", b"'", b"\\u0000", b"\\ud800", b"null", b"true", b"[]", b"{}", b"%YAML 1.1\n", b"!!binary ",
          b"user/deploy", b"p/inline/q", b"\x85", b"\xc0\xaf", b"\"Statement\": 5", b"\"Version\": []"]


def seeds() -> dict[str, list[dict[str, bytes]]]:
    workspace = (EXAMPLE / "workspace.yaml").read_bytes()
    policies = {f"policies/{p.name}": p.read_bytes() for p in sorted((EXAMPLE / "policies").glob("*.json"))}
    small = (b'accounts:\n  "111122223333":\n    users:\n      alice:\n        inline:\n'
             b'          P: {file: p.json}\n        tags: &t {team: a}\n      deploy: {tags: *t}\n    roles:\n'
             b'      deploy:\n        trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: '
             b'{AWS: "*"}, Action: "sts:AssumeRole"}]}\nresources:\n  - {arn: "arn:aws:s3:::b", account: '
             b'"111122223333"}\n')
    policy = b'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
    export = json.dumps({"UserDetailList": [{"UserName": "deploy", "Arn": "arn:aws:iam::111122223333:user/deploy",
                                             "UserPolicyList": [{"PolicyName": "P", "PolicyDocument":
                                                                 "%7B%22Version%22%3A%222012-10-17%22%7D"}],
                                             "GroupList": ["g"], "AttachedManagedPolicies": []}],
                         "RoleDetailList": [{"RoleName": "deploy", "Arn": "arn:aws:iam::111122223333:role/deploy",
                                             "AssumeRolePolicyDocument": json.loads(policy)}],
                         "GroupDetailList": [{"GroupName": "g", "Arn": "arn:aws:iam::111122223333:group/g"}],
                         "Policies": []}).encode()
    org = {p.name: p.read_bytes() for p in sorted(ORG.glob("*.json"))}
    argvs = [["inventory", "{dir}"], ["can", "{dir}", "user/deploy", "s3:GetObject", "arn:aws:s3:::b/k"],
             ["who-can", "{dir}", "s3:GetObject", "arn:aws:s3:::b/k"], ["matrix", "{dir}", "-a", "s3:GetObject"],
             ["explain", "{dir}", "alice", "s3:GetObject", "arn:aws:s3:::b/k", "-f", "json"],
             ["graph", "{dir}", "-o", "{dir}/g.dot"], ["validate", "{dir}/p.json", "--json"]]
    return {
        "workspace": [{"workspace.yaml": workspace, **policies}, {"workspace.yaml": small, "p.json": policy}],
        "export": [{"export.json": export}, {"export.json": gzip.compress(export)}],
        "organizations": [org],
        "scenario": [{"scenario.json": p.read_bytes()} for p in SCENARIOS],
        "cli": [{"argv.json": json.dumps(a).encode(), "workspace.yaml": small, "p.json": policy} for a in argvs],
    }


def mutate(data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.choice((1, 1, 2, 3, 5))):
        n = len(data)
        at = rng.randrange(n + 1)
        how = rng.randrange(9)
        if how == 0 and n:
            data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]
        elif how == 1:
            data = data[:at]
        elif how == 2:
            data = data[:at] + rng.choice(TOKENS) + data[at:]
        elif how == 3 and n:
            end = min(n, at + rng.randrange(1, 200))
            data = data[:at] + data[end:]
        elif how == 4 and n:
            start = rng.randrange(n)
            piece = data[start:start + rng.randrange(1, 120)]
            data = data[:at] + piece * rng.randrange(1, 4) + data[at:]
        elif how == 5:
            data = gzip.compress(data)
            if rng.random() < 0.5:
                data = data[:rng.randrange(len(data) + 1)]
        elif how == 6:
            data = data.replace(b"alice", rng.choice(TOKENS), rng.randrange(1, 4))
        elif how == 7 and n:
            data = data.decode("utf-8", errors="replace").encode(rng.choice(["utf-16", "utf-8-sig", "latin-1"]),
                                                                 errors="replace")
        else:
            data = data[:at] + rng.randbytes(rng.randrange(1, 16)) + data[at:]
    return data


def mutate_argv(files: dict[str, bytes], rng: random.Random) -> dict[str, bytes]:
    argv = json.loads(files["argv.json"])
    for _ in range(rng.randrange(1, 3)):
        choice = rng.randrange(4)
        if choice == 0 and len(argv) > 1:
            argv.pop(rng.randrange(1, len(argv)))
        elif choice == 1:
            argv.insert(rng.randrange(len(argv) + 1), rng.choice(
                ["--json", "-f", "html", "csv", "-c", "aws:x=1", "=", "-a", "*", "--depth", "-1", "--allow-path", "/",
                 "x" * 300, "--focus", "role/deploy", "deploy", "\x1b[2K", "", "-o", "{dir}/o.html", "--zone", "org"]))
        elif choice == 2 and argv:
            i = rng.randrange(len(argv))
            argv[i] = mutate(argv[i].encode(), rng).decode("utf-8", errors="replace").replace("\x00", "")
        else:
            files = {**files, "workspace.yaml": mutate(files["workspace.yaml"], rng)}
    return {**files, "argv.json": json.dumps(argv).encode()}


def one_input(target: str, seed: dict[str, bytes], rng: random.Random) -> dict[str, bytes]:
    if target == "cli":
        return mutate_argv(seed, rng)
    files = dict(seed)
    for name in rng.sample(sorted(files), k=min(len(files), rng.choice((1, 1, 2)))):
        files[name] = mutate(files[name], rng)
    return files


def signature(error: BaseException) -> str:
    cause = error.__cause__ or error
    frames = traceback.extract_tb(cause.__traceback__)
    last = next((f for f in reversed(frames) if "/workbench/" in f.filename), frames[-1] if frames else None)
    where = f"{Path(last.filename).name}:{last.lineno}" if last else "?"
    text = str(error)
    kind = text.split(":", 1)[0] if "internal error" not in text else text.split("internal error:", 1)[1].split(":")[0]
    return f"{type(cause).__name__} {kind.strip()[:60]} at {where}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--minutes", type=float, default=0)
    parser.add_argument("--targets", default="workspace,export,organizations,scenario,cli")
    parser.add_argument("--save", action="store_true", help="write each distinct crash to tests/data/fuzz/")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    corpus = seeds()
    targets = args.targets.split(",")
    tried: Counter[str] = Counter()
    crashes: Counter[str] = Counter()
    distinct: dict[str, tuple[str, dict[str, bytes], str]] = {}
    started = time.monotonic()
    deadline = started + args.minutes * 60 if args.minutes else None
    with tempfile.TemporaryDirectory(prefix="iamwb-fuzz-") as scratch:
        for i in range(args.count):
            if deadline is not None and time.monotonic() > deadline:
                break
            target = targets[i % len(targets)]
            files = one_input(target, rng.choice(corpus[target]), rng)
            tried[target] += 1
            try:
                run_target(target, files, Path(scratch) / "case")
            except Crash as error:
                crashes[target] += 1
                key = signature(error)
                if key not in distinct:
                    distinct[key] = (target, files, str(error)[:300])
                    print(f"crash #{len(distinct)} ({target}): {key}", flush=True)
                    if args.save:
                        print(f"  saved {save_regression(target, files)}", flush=True)
            if (i + 1) % 1000 == 0:
                rate = sum(tried.values()) / (time.monotonic() - started)
                print(f"{i + 1} inputs, {sum(crashes.values())} crashes ({len(distinct)} distinct), {rate:.0f}/s",
                      flush=True)
    seconds = time.monotonic() - started
    total = sum(tried.values())
    print(f"\ninputs tried: {total} in {seconds:.0f} s ({total / max(seconds, 1e-9):.0f}/s)")
    for target in targets:
        print(f"  {target:14} {tried[target]:7} inputs, {crashes[target]} crashes")
    print(f"distinct crashes: {len(distinct)}")
    for key, (target, _, message) in distinct.items():
        print(f"  [{target}] {key}\n      {message.splitlines()[0] if message else ''}")


if __name__ == "__main__":
    main()
