"""What one benchmark run found: figures per page, per data size, and the hello world's."""

from __future__ import annotations

from dataclasses import dataclass

from .client import Sample


@dataclass(frozen=True)
class Figures:
    """One page's latency with one client and throughput with four."""

    median_ms: float
    p95_ms: float
    rate: float

    @classmethod
    def of(cls, single: Sample, parallel: Sample) -> Figures:
        return cls(single.median_ms, single.p95_ms, parallel.rate)


@dataclass(frozen=True)
class ServerRun:
    """Every page measured on one server, None for pages not built, and its workers' peak."""

    figures: dict[str, Figures | None]
    memory_mib: float
    workers: int


@dataclass(frozen=True)
class SizeRun:
    """The app on one data size, the hello world measured just before it, and the load time.

    Each size has its own hello world, so a machine that slows down during a long run moves
    both sides of that size's ratios.
    """

    size: int
    load_seconds: float
    heavy_rows: int
    app: ServerRun
    hello: ServerRun

    @property
    def hello_figures(self) -> Figures:
        (figures,) = self.hello.figures.values()
        return figures


@dataclass(frozen=True)
class Results:
    """A whole run: every size, smallest first, and the command that made it."""

    sizes: list[SizeRun]
    command: str
