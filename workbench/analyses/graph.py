"""The access graph's public surface, re-exported from the modules that do the work: `graph_model`
(nodes, edges with their evidence, immutable views), `graph_build` with `graph_assume` and
`graph_builder` (building from the evaluator's answers), `graph_export` (DOT, Graphviz, SVG,
networkx, HTML). Names imported `as` themselves were public here before the split and stay
importable, outside `__all__` as before."""

from __future__ import annotations

from workbench.analyses.graph_build import DEFAULT_LEVELS as DEFAULT_LEVELS
from workbench.analyses.graph_build import build_graph
from workbench.analyses.graph_builder import CanAssumeFn as CanAssumeFn
from workbench.analyses.graph_builder import CanFn as CanFn
from workbench.analyses.graph_builder import Context as Context
from workbench.analyses.graph_builder import MatrixFn as MatrixFn
from workbench.analyses.graph_export import EDGE_STYLE as EDGE_STYLE
from workbench.analyses.graph_export import LABELLED_EDGES as LABELLED_EDGES
from workbench.analyses.graph_export import NODE_STYLE as NODE_STYLE
from workbench.analyses.graph_export import GraphTooLargeError, RenderTimeoutError, dot_quote
from workbench.analyses.graph_model import (
    EDGE_KINDS,
    LEVELS,
    NODE_KINDS,
    AccessGraph,
    Edge,
    Evidence,
    Node,
    node_id,
    primary_level,
)
from workbench.analyses.graph_model import MAX_EDGES as MAX_EDGES
from workbench.analyses.graph_model import MAX_NODES as MAX_NODES

__all__ = ["EDGE_KINDS", "LEVELS", "NODE_KINDS", "AccessGraph", "Edge", "Evidence", "GraphTooLargeError", "Node",
           "RenderTimeoutError", "build_graph", "dot_quote", "node_id", "primary_level"]
