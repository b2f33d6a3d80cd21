"""Read YAML (round-trip, comments kept) and turn its nodes into positioned JSON nodes, so policy
documents written inline in a workspace file get `file:line:col` diagnostics like JSON ones."""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer, MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, SequenceNode

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
from workbench.load.limits import current


def yaml_loader() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


class YamlLimitError(YAMLError):
    """A document past a limit of `workbench.load.limits`: `code` is the diagnostic code."""

    def __init__(self, code: str, message: str, mark: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.mark = code, message, mark


class BoundedComposer(Composer):
    """ruamel's composer, refusing a document whose aliases would expand past
    `max_yaml_alias_nodes` nodes (billion laughs: the composed graph is small, every consumer that
    walks it is not), that refers to itself, or that nests, aliases expanded, past `max_yaml_depth`.
    The check runs once per document, over each distinct node once (memoized)."""

    def compose_document(self) -> Any:
        node = super().compose_document()
        limits = current()
        sizes: dict[int, int] = {}
        total = _expanded(node, sizes, set(), 0, limits.max_yaml_depth, limits.max_yaml_alias_nodes + len(sizes))
        distinct = len(sizes)
        if total - distinct > limits.max_yaml_alias_nodes:
            raise YamlLimitError("yaml-alias-limit", f"YAML aliases expand to more than {limits.max_yaml_alias_nodes} "
                                 "nodes (IAMWB_MAX_YAML_ALIAS_NODES)", node.start_mark)
        return node


def _expanded(node: Any, sizes: dict[int, int], open_: set[int], depth: int, max_depth: int, budget: int) -> int:
    """The number of nodes `node` stands for with every alias written out (memoized by identity)."""
    if depth > max_depth:
        raise YamlLimitError("yaml-depth-limit", f"YAML nests deeper than {max_depth} levels, aliases expanded "
                             "(IAMWB_MAX_YAML_DEPTH)", node.start_mark)
    key = id(node)
    known = sizes.get(key)
    if known is not None:
        return known
    if key in open_:
        raise YamlLimitError("yaml-alias-limit", "a YAML alias refers to a node that contains it (it never ends)",
                             node.start_mark)
    open_.add(key)
    total = 1
    if isinstance(node, MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, SequenceNode):
        children = list(node.value)
    else:
        children = []
    for child in children:
        total += _expanded(child, sizes, open_, depth + 1, max_depth, budget)
        if total > 10 * budget:  # far past the limit: stop counting (the caller reports it)
            break
    open_.discard(key)
    sizes[key] = total
    return total


def read_yaml(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    """The round-trip document (CommentedMap ...), or None and a diagnostic. Bounded: aliases and
    depth (`BoundedComposer`, `workbench.load.limits`)."""
    try:
        yaml = yaml_loader()
        yaml.Composer = BoundedComposer
        yaml.max_depth = current().max_yaml_depth
        return yaml.load(text), []
    except YamlLimitError as error:
        mark = error.mark
        span = Span(0, 0, mark.line + 1, mark.column + 1) if mark is not None else None
        return None, [make(error.code, error.message, file=file, span=span)]
    except MaxDepthExceededError as error:
        mark = error.problem_mark
        span = Span(0, 0, mark.line + 1, mark.column + 1) if mark is not None else None
        return None, [make("yaml-depth-limit", f"YAML nests deeper than {current().max_yaml_depth} levels "
                           "(IAMWB_MAX_YAML_DEPTH)", file=file, span=span)]
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
