"""Numpy helpers for the CSR rows (pointers and indices) the analysis index is made of."""

from __future__ import annotations

from typing import Any


def expand(starts: Any, lengths: Any) -> tuple[Any, Any]:
    """For CSR row ranges [start, start + length): (the range each element is in, the element positions)."""
    import numpy as np

    lengths = np.asarray(lengths, dtype=np.int64)
    group = np.repeat(np.arange(len(lengths)), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return group, np.repeat(np.asarray(starts, dtype=np.int64), lengths) + offsets
