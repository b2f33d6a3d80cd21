"""The export's network-load check (issue 17 part 7): what a browser would fetch is found the way
the browser tokenizes the page (elements' URL attributes, CSS url()/@import, srcdoc), escaped text
that only shows such markup is not, and an export whose page would load anything from outside
fails and writes nothing. Exporting runs the notebook's code, and the help says so."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from workbench.cli.main import build_parser, main
from workbench.export.page import external_loads

REAL = [
    ('<img src="https://evil.example/x.png">', "https://evil.example/x.png"),
    ("<script src=//evil.example/a.js></script>", "//evil.example/a.js"),
    ('<link rel="stylesheet" href="http://evil.example/s.css">', "http://evil.example/s.css"),
    ('<div style="background: url(\'//evil.example/bg\')">x</div>', "//evil.example/bg"),
    ("<style>@import 'https://evil.example/i.css';</style>", "https://evil.example/i.css"),
    ("<style>p { background: u\\72l(https://evil.example/e) }</style>", "https://evil.example/e"),
    ('<img srcset="a.png 1x, https://evil.example/2x.png 2x">', "https://evil.example/2x.png"),
    ('<img src="&#x68;ttps://evil.example/entity">', "https://evil.example/entity"),
    ('<svg><image href="https://evil.example/i.svg"/></svg>', "https://evil.example/i.svg"),
    ("<iframe srcdoc=\"<img src='https://evil.example/inner'>\"></iframe>", "https://evil.example/inner"),
    ('<img src="ht\ttps://evil.example/tab">', "ht\ttps://evil.example/tab"),
]

ESCAPED = [
    '&lt;img src="https://evil.example/x.png"&gt;',
    "<pre>background: url(https://evil.example/bg); @import 'https://evil.example/i.css';</pre>",
    '<script type="application/vnd.jupyter.widget-state+json">{"name": "<img src=\\"https://evil.example/x\\">",'
    ' "css": "url(//evil.example/y)"}</script>',
    '<a href="https://docs.aws.amazon.com/IAM/latest/UserGuide/">the AWS page</a>',
    '<img src="data:image/png;base64,AAAA"> <img src="local.png">',
    '<code>&lt;link href="//evil.example"&gt;</code>',
]


@pytest.mark.parametrize(("page", "url"), REAL)
def test_a_real_load_is_found(page: str, url: str) -> None:
    assert external_loads(f"<html><body>{page}</body></html>") == [url]


@pytest.mark.parametrize("page", ESCAPED)
def test_escaped_text_and_links_are_not_loads(page: str) -> None:
    assert external_loads(f"<html><body>{page}</body></html>") == []


def _notebook(tmp_path: Path, output: dict[str, str]) -> Path:
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbconvert")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('x')")
    cell.outputs = [nbformat.v4.new_output("display_data", data=output)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Names\n\n`<img src=\"https://evil.example/md.png\">`"), cell]
    path = tmp_path / "saved.ipynb"
    nbformat.write(nb, str(path))
    return path


def run(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(argv))
    return code, err.getvalue()


def test_an_export_of_escaped_names_passes_without_a_warning(tmp_path: Path) -> None:
    path = _notebook(tmp_path, {"text/plain": '<img src="https://evil.example/plain.png"> url(//evil.example/z)'})
    target = tmp_path / "page.html"
    code, err = run("export", str(path), "--no-execute", "-o", str(target))
    assert code == 0 and "network" not in err and target.is_file(), err


def test_an_export_with_a_real_outside_load_fails_and_writes_nothing(tmp_path: Path) -> None:
    path = _notebook(tmp_path, {"text/html": '<img src="https://evil.example/beacon.png">', "text/plain": "x"})
    target = tmp_path / "page.html"
    code, err = run("export", str(path), "--no-execute", "-o", str(target))
    assert code == 1 and "https://evil.example/beacon.png" in err and not target.exists(), err
    code, err = run("export", str(path), "--no-execute", "-o", str(target), "--allow-external-loads")
    assert code == 0 and target.is_file(), err


def test_the_help_says_an_export_runs_the_notebooks_code() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    text = sub.choices["export"].format_help()  # type: ignore[attr-defined]
    assert "export only notebooks you trust" in " ".join(text.split())
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "export only notebooks you trust" in " ".join(readme.split()).lower()
