"""Read YAML (round-trip, comments kept) and turn its nodes into positioned JSON nodes, so policy
documents written inline in a workspace file get `file:line:col` diagnostics like JSON ones."""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.core.jsonnode import (
    KIND_ARRAY,
    KIND_BOOL,
    KIND_NULL,
    KIND_NUMBER,
    KIND_OBJECT,
    KIND_STRING,
    JMember,
    JNode,
)
from workbench.core.source import Span


def yaml_loader() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def read_yaml(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    """The round-trip document (CommentedMap ...), or None and a diagnostic."""
    try:
        return yaml_loader().load(text), []
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        span = Span(0, 0, mark.line + 1, mark.column + 1) if mark is not None else None
        message = (error.problem or error.context or "invalid YAML").strip()
        return None, [make("yaml-syntax", f"invalid YAML: {message}", file=file, span=span)]
    except (YAMLError, ValueError, TypeError) as error:
        return None, [make("yaml-syntax", f"invalid YAML: {error}", file=file)]
    except RecursionError:
        return None, [make("yaml-syntax", "invalid YAML: nested too deeply", file=file,
                           span=Span(0, 0, 1, 1))]


def _span(pos: Any) -> Span | None:
    if pos is None:
        return None
    line, col = pos[0], pos[1]
    return Span(0, 0, line + 1, col + 1)


def to_jnode(value: Any, pos: tuple[int, int] | None = None, depth: int = 0) -> JNode:
    """A positioned JSON node for a YAML value; `pos` is the value's (line, col), 0-based."""
    span = _span(pos)
    if depth > 200:
        return JNode(KIND_STRING, span, "<too deeply nested>")
    if isinstance(value, CommentedMap):
        members = []
        for key in value:
            key_pos = value.lc.key(key) if key in value.lc.data else None
            val_pos = value.lc.value(key) if key in value.lc.data else None
            members.append(JMember(str(key), _span(key_pos), to_jnode(value[key], val_pos, depth + 1)))
        own = (value.lc.line, value.lc.col) if value.lc.line is not None else pos
        return JNode(KIND_OBJECT, _span(own), members=tuple(members))
    if isinstance(value, dict):
        return JNode(KIND_OBJECT, span, members=tuple(JMember(str(k), None, to_jnode(v, None, depth + 1))
                                                      for k, v in value.items()))
    if isinstance(value, CommentedSeq):
        items = []
        for i, item in enumerate(value):
            item_pos = value.lc.item(i) if i in value.lc.data else None
            items.append(to_jnode(item, item_pos, depth + 1))
        return JNode(KIND_ARRAY, span, items=tuple(items))
    if isinstance(value, (list, tuple)):
        return JNode(KIND_ARRAY, span, items=tuple(to_jnode(v, None, depth + 1) for v in value))
    if isinstance(value, bool):
        return JNode(KIND_BOOL, span, value)
    if value is None:
        return JNode(KIND_NULL, span, None)
    if isinstance(value, (int, float)):
        return JNode(KIND_NUMBER, span, str(value))
    return JNode(KIND_STRING, span, str(value))


def plain(value: Any) -> Any:
    """Plain Python data (dict, list, str ...) from round-trip YAML values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)
