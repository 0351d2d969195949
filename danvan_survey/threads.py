"""Work shared with a few threads, done in the caller's thread when no thread can start.

Writing files and scanning Arrow columns release the GIL, so a second thread shortens a
national run. A thread cannot always start, though: under an address-space limit
(``ulimit -v``) a new thread's stack and malloc arena are refused and Python raises
``RuntimeError: can't start new thread``. :class:`Background` then leaves every call to
the caller, which runs them in order: the result is the same, only slower.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """Run ``calls`` on up to ``threads`` threads started now; the caller finishes the rest.

    Each call runs exactly once. :meth:`results` runs the calls no thread has taken yet
    in the caller's thread, waits for the threads and returns every result in the order
    of ``calls`` (raising the first call's error, in that order). Used as a context
    manager, leaving the block waits for the threads even when the block raised.
    """

    def __init__(self, calls: Sequence[Callable[[], T]], threads: int) -> None:
        self._todo: queue.SimpleQueue[tuple[int, Callable[[], T]]] = queue.SimpleQueue()
        for i, call in enumerate(calls):
            self._todo.put((i, call))
        self._done: list[tuple[bool, Any]] = [(False, None)] * len(calls)
        self._threads: list[threading.Thread] = []
        for _ in range(min(threads, len(calls))):
            thread = threading.Thread(target=self._work, daemon=True)
            try:
                thread.start()
            except RuntimeError:  # no thread can start: the caller does the work
                break
            self._threads.append(thread)

    @property
    def started(self) -> int:
        """How many threads started."""
        return len(self._threads)

    def _work(self) -> None:
        while True:
            try:
                i, call = self._todo.get_nowait()
            except queue.Empty:
                return
            try:
                self._done[i] = (True, call())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller by results()
                self._done[i] = (False, exc)

    def _finish(self) -> None:
        self._work()
        for thread in self._threads:
            thread.join()

    def results(self) -> list[T]:
        """Every call's result, in order, once all have run (the caller helps)."""
        self._finish()
        out = []
        for ok, value in self._done:
            if not ok:
                raise value
            out.append(value)
        return out

    def __enter__(self) -> Background[T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._finish()


def in_order(calls: Sequence[Callable[[], T]], threads: int) -> list[T]:
    """Results of ``calls`` in order, computed by the caller and up to ``threads`` more."""
    return Background(calls, threads).results()
