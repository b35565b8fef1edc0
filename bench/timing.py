"""Turning repeated measurements into the figures the benchmarks report."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Timing", "summarize"]


@dataclass(frozen=True, slots=True)
class Timing:
    """Milliseconds over ``runs`` measurements."""

    runs: int
    median_ms: float
    p95_ms: float
    min_ms: float
    max_ms: float

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def summarize(samples_ns: Sequence[int]) -> Timing:
    """Median, 95th percentile (nearest rank), min and max of nanosecond samples, in ms.

    >>> summarize([1_000_000 * n for n in range(1, 101)]).p95_ms
    95.0
    """
    if not samples_ns:
        raise ValueError("samples_ns: no measurements")
    ordered = sorted(samples_ns)
    rank = max(1, round(0.95 * len(ordered)))  # nearest rank: p95 of 200 runs is the 190th
    return Timing(
        runs=len(ordered),
        median_ms=statistics.median(ordered) / 1e6,
        p95_ms=ordered[rank - 1] / 1e6,
        min_ms=ordered[0] / 1e6,
        max_ms=ordered[-1] / 1e6,
    )
