"""Decide something once per distinct combination of a frame's columns: the rows' combination
codes (factorized column by column, nulls a value of their own), so that a million records are
attributed and mapped by deciding a few thousand distinct identities and event names."""

from __future__ import annotations

import numpy as np
import pandas as pd


def combination_codes(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row, index of the first row of each code); codes are 0..n-1."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for name in columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy(dtype=np.int64)
            size = len(column.cat.categories) + 1
        else:
            codes, uniques = pd.factorize(column, use_na_sentinel=True)
            codes = codes.astype(np.int64)
            size = len(uniques) + 1
        combined, _ = pd.factorize(combined * size + (codes + 1))
        combined = combined.astype(np.int64)
    if len(frame) == 0:
        return combined, np.zeros(0, dtype=np.int64)
    _, first = np.unique(combined, return_index=True)
    return combined, first
