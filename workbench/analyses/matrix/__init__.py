"""The access matrix: principals x (action, resource), every cell decided by the one evaluator's
rules and naming the statements that decided it (`access_matrix`), computed in bulk by the engine
that shares compiled sides and decided combinations (`engine`)."""

from __future__ import annotations

from workbench.analyses.matrix.access_matrix import AccessMatrix, CellChange, MatrixDiff, MatrixSummary
from workbench.analyses.matrix.engine import Cell, MatrixEngine

__all__ = ["AccessMatrix", "Cell", "CellChange", "MatrixDiff", "MatrixEngine", "MatrixSummary"]
