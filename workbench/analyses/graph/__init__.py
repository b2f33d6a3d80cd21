"""The access graph: nodes, edges with their evidence and immutable views (`access_graph`), built
from the evaluator's answers (`build`, with `draft` collecting nodes and edges and `assume_edges`
the role-assumption edges). Drawings (DOT, Graphviz, SVG, HTML) are views in
`workbench.render.graph`."""

from __future__ import annotations

from workbench.analyses.graph.access_graph import (
    EDGE_KINDS,
    IDENTITY_KINDS,
    LEVELS,
    MAX_EDGES,
    MAX_NODES,
    NODE_KINDS,
    REACH_KINDS,
    AccessGraph,
    Edge,
    Evidence,
    Node,
    node_id,
    primary_level,
    to_networkx,
)
from workbench.analyses.graph.build import DEFAULT_LEVELS, build_graph
from workbench.analyses.graph.draft import CanAssumeFn, CanFn, Context, MatrixFn

__all__ = ["AccessGraph", "CanAssumeFn", "CanFn", "Context", "DEFAULT_LEVELS", "EDGE_KINDS", "Edge",
           "Evidence", "IDENTITY_KINDS", "LEVELS", "MAX_EDGES", "MAX_NODES", "MatrixFn", "NODE_KINDS", "Node", "REACH_KINDS", "build_graph",
           "node_id", "primary_level", "to_networkx"]
