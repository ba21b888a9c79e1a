"""One durable timer for the earliest due moment, re-armed only when it moves.

Messages that leave the earliest moment where it was add nothing to the
history; a moved moment cancels the old timer and starts a new one.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

from workflows.agenda import Due


class DueTimer:
    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._due: Due | None = None

    def arm(self, due: Due | None) -> None:
        if self._same_moment(due) and (self._task is None or not self._task.done()):
            return
        self.cancel()
        self._due = due
        if due is None:
            return
        delay = due.at - workflow.now()
        if delay > timedelta(0):
            self._task = asyncio.create_task(workflow.sleep(delay, summary=due.label))

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        self._due = None

    def fired(self) -> bool:
        """Whether the armed moment has come (timer fired, or it was already past)."""
        if self._due is None:
            return False
        if self._task is not None and self._task.done():
            return True
        return self._due.at <= workflow.now()

    def _same_moment(self, due: Due | None) -> bool:
        return due is not None and self._due is not None and due.at == self._due.at
