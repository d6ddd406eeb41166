"""One benchmark figure with its target, printed as `figure, target, ratio, verdict`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Goal(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="


@dataclass(frozen=True, slots=True)
class Result:
    benchmark: str  # e.g. "T1 durable collect"
    metric: str  # e.g. "events/s"
    value: float
    target: float
    goal: Goal

    @property
    def ratio(self) -> float:
        """How far past the target: >= 1.0 means the target is met, whichever the direction."""
        if self.goal is Goal.AT_LEAST:
            return self.value / self.target if self.target else float("inf")
        return self.target / self.value if self.value else float("inf")

    @property
    def met(self) -> bool:
        return self.ratio >= 1.0

    def line(self) -> str:
        verdict = "MET" if self.met else "MISSED"
        return (
            f"{self.benchmark:<34} {self.metric:<28} {self.value:>14,.2f}  "
            f"target {self.goal.value} {self.target:>12,.2f}  ratio {self.ratio:>6.2f}  {verdict}"
        )
