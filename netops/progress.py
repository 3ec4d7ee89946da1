"""How a job tells where each device is: typed events, so that whoever shows them (the CLI's
progress bar) counts finished steps from the stage, never from stage names or guessed totals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class JobStage(StrEnum):
    PLANNED = "planned"
    """job-level (no device): ``of`` more device steps will each end in a finishing stage"""
    READING = "reading"
    READ = "read"
    CONNECTING = "connecting"
    ARMING = "arming revert"
    PUSHING = "pushing"
    SENT = "sent"
    """``done`` of ``of`` config lines sent"""
    VERIFYING = "verifying"
    DONE = "done"
    ROLLING_BACK = "rolling back"
    WAITING = "waiting for the device"
    RECOVERING = "recovering"
    RESTORING = "restoring"

    @property
    def finishes(self) -> bool:
        """A device is through one planned step (a read, a change applied or given up)."""
        return self in _FINISHING


_FINISHING = frozenset({JobStage.READ, JobStage.DONE, JobStage.ROLLING_BACK})


@dataclass(frozen=True)
class ProgressEvent:
    device: str
    stage: JobStage
    done: int = 0
    of: int = 0

    def __str__(self) -> str:
        return f"sent {self.done}/{self.of}" if self.stage is JobStage.SENT else self.stage.value


Progress = Callable[[ProgressEvent], None]
"""progress(event): called as each device moves through a job."""


def quiet(event: ProgressEvent) -> None:
    return None


def planned(progress: Progress, steps: int) -> None:
    """Tell that ``steps`` more device steps follow (each ends in a finishing stage)."""
    progress(ProgressEvent("", JobStage.PLANNED, of=steps))
