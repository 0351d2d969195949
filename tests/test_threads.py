"""Work shared with threads (danvan_survey.threads): order, once each, and no thread at all."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_survey import threads
from danvan_survey.threads import Background, in_order


def _calls(n: int, runs: Counter[int], who: dict[int, int]) -> list[Callable[[], int]]:
    lock = threading.Lock()

    def make(i: int) -> Callable[[], int]:
        def call() -> int:
            with lock:
                runs[i] += 1
                who[i] = threading.get_ident()
            return i * i

        return call

    return [make(i) for i in range(n)]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 12), helpers=st.integers(0, 4))
def test_results_in_order_each_call_once(n: int, helpers: int) -> None:
    runs: Counter[int] = Counter()
    assert in_order(_calls(n, runs, {}), helpers) == [i * i for i in range(n)]
    assert runs == Counter(range(n))


def test_threads_share_the_work() -> None:
    started = threading.Event()

    def slow() -> str:
        started.wait(5)  # held until the caller has taken the next call
        return threading.current_thread().name

    def quick() -> str:
        started.set()
        return threading.current_thread().name

    with Background([slow, quick], threads=1) as work:
        assert work.started == 1
        names = work.results()
    assert names[0] != names[1]  # one call on the helper thread, one in the caller's


def test_no_thread_can_start_the_caller_does_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threads.threading.Thread, "start", refuse)
    runs: Counter[int] = Counter()
    who: dict[int, int] = {}
    work = Background(_calls(5, runs, who), threads=2)
    assert work.started == 0
    assert work.results() == [0, 1, 4, 9, 16]
    assert runs == Counter(range(5))
    assert set(who.values()) == {threading.get_ident()}


def test_the_first_error_in_call_order_is_raised_after_all_ran() -> None:
    ran: list[int] = []

    def fail(i: int) -> Callable[[], int]:
        def call() -> int:
            ran.append(i)
            raise ValueError(f"call {i}")

        return call

    calls = [lambda: 0, fail(1), fail(2), lambda: 3]
    with pytest.raises(ValueError, match="call 1"):
        in_order(calls, 2)
    assert sorted(ran) == [1, 2]


def test_leaving_the_block_on_an_error_waits_for_the_threads() -> None:
    release = threading.Event()
    finished: list[int] = []

    def held() -> int:
        release.wait(5)
        finished.append(1)
        return 1

    with pytest.raises(KeyError):
        with Background([held], threads=1):
            release.set()
            raise KeyError("block failed")
    assert finished == [1]
