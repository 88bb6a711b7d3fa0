"""Pause, resume, stop and hurry: the flags a training run reads at every step, set from another thread or process."""

import ctypes
import threading
import time


class Control:
    """Pause, resume and stop a run from another thread or process; the loop checks it every step.

    Three flags the loop reads at every step without a lock, and a semaphore it sleeps on while paused.
    Whoever changes a flag never waits for the loop. (multiprocessing's Event.set waits until every
    sleeper has woken: Reset on a paused run whose worker had been killed then waited forever for the dead
    sleeper, and the page with it.)
    """

    def __init__(self, context=None):
        """Start in the running state; with a multiprocessing `context` it works across processes."""
        def flag(value: int):
            return context.RawValue("b", value) if context else ctypes.c_byte(value)
        self._running, self._stopped, self._hurried = flag(1), flag(0), flag(0)
        self._wake = (context or threading).Semaphore(0)

    def pause(self) -> None:
        """Hold the run after its current step."""
        self._running.value = 0

    def resume(self) -> None:
        """Let a paused run go on."""
        self._running.value = 1
        self._wake.release()  # a stale wake-up costs nothing: the loop checks its flags again

    def stop(self) -> None:
        """End the run after its current step (a paused run ends at once)."""
        self._stopped.value = 1
        self._wake.release()

    def hurry(self) -> None:
        """Drop the slow-motion rests: the rest of the run goes at full speed."""
        self._hurried.value = 1
        self._wake.release()  # a rest under way ends now

    @property
    def hurried(self) -> bool:
        """True once hurry() was called."""
        return bool(self._hurried.value)

    @property
    def paused(self) -> bool:
        """True while paused (and not stopped)."""
        return not self._running.value and not self._stopped.value

    @property
    def stopped(self) -> bool:
        """True once stop() was called."""
        return bool(self._stopped.value)

    def rest(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking at once if the run is stopped or hurried."""
        deadline = time.monotonic() + seconds
        while not self.stopped and not self.hurried and (left := deadline - time.monotonic()) > 0:
            self._wake.acquire(timeout=left)

    def wait_while_paused(self) -> float:
        """Block while paused; return the seconds spent waiting."""
        if not self.paused:
            return 0.0
        start = time.perf_counter()
        while self.paused:
            self._wake.acquire(timeout=1.0)
        return time.perf_counter() - start
