"""Where the signal stage's costly steps run: inline, on a thread, or in a worker process.

Two steps of the signal stage are too costly for the beat path: the breathing
rate of every minute (an RR spectrum) and the HRV report of every session.
Both are pure functions of a few lists of floats, so they can run anywhere:

- ``"thread"`` (live use): one worker thread; a minute's spectrum costs well
  under a millisecond, so sharing the interpreter with the beat path is fine.
- ``"process"`` (a whole file at once: import, fast replay): one worker process
  (forked when that is safe, see :func:`_start_method`), so the spectra and
  reports of a day run on the second core instead of competing with the beat
  path for the interpreter.
  Jobs travel in batches of :data:`BATCH_JOBS` (a process round trip per
  minute would cost more than the spectrum); asking for a result ships the
  batch holding it at once, so waiting never deadlocks.
- ``"inline"``: computed on the spot (tests, and measuring the inline cost).

A chest strap's minutes (:func:`companion.pipeline.chest.work.chest_work`: ECG through
NeuroKit2, the chest's breathing, fusion) run where :func:`make_pmd_executor` says: live,
in a worker *process* of their own, since NeuroKit2 holds the interpreter through its pandas
steps and a thread would delay beats; for a whole file, in the one worker process.

The functions here import only :mod:`signals`, so a worker process loads
nothing else of Holdspace.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np

from signals.artifacts.batch import ArtifactScreen
from signals.breathing.respiration import breathing_rate
from signals.hrv.report import HRVReport, hrv_report

__all__ = [
    "BATCH_JOBS",
    "MIN_FORKED_REPORT_BEATS",
    "MIN_REPORT_BEATS",
    "BatchingExecutor",
    "Offload",
    "breathing_or_none",
    "make_executor",
    "make_pmd_executor",
    "report_beside",
    "span_report",
    "whole_report",
]

Offload = Literal["inline", "thread", "process"]

BATCH_JOBS = 64
"""Jobs sent to the worker process together (an hour of minutes, about)."""

_T = TypeVar("_T")

MIN_REPORT_BEATS = 30
"""Fewest beats for which a span gets an HRV report."""

MIN_FORKED_REPORT_BEATS = 20_000
"""Fewest beats (about four hours) whose whole-file report :func:`report_beside` hands to a
forked worker: the report then costs well over the ~20 ms of forking and shipping."""


def breathing_or_none(time_s: list[float], rr_ms: list[float], gaps: list[bool]) -> float | None:
    """Breathing rate of a window of beats, in breaths/min; None when it cannot be estimated."""
    try:
        return breathing_rate(time_s, rr_ms, gaps)
    except ValueError:
        return None


def span_report(time_s: list[float], rr_ms: list[float], gaps: list[bool]) -> HRVReport | None:
    """HRV report of a span of beats; None for fewer than :data:`MIN_REPORT_BEATS`."""
    if len(rr_ms) < MIN_REPORT_BEATS:
        return None
    return hrv_report(np.asarray(time_s), np.asarray(rr_ms), np.asarray(gaps))


def whole_report(
    time_s: np.ndarray, rr_ms: np.ndarray, gaps: np.ndarray, correct: bool, screen: ArtifactScreen
) -> HRVReport:
    """The HRV report of a whole file whose artifact ``screen`` is known (positional, for a
    worker): :func:`signals.hrv.report.hrv_report`."""
    return hrv_report(time_s, rr_ms, gaps, correct=correct, screen=screen)


def report_beside(
    time_s: np.ndarray, rr_ms: np.ndarray, gaps: np.ndarray, correct: bool, screen: ArtifactScreen
) -> Callable[[], HRVReport]:
    """Start :func:`whole_report` on the second core; return how to wait for it.

    Used by ``holdspace analyze``, whose report of a day and its epochs need each other
    for nothing: a forked worker (Linux, one thread, see :func:`_start_method`) computes
    the report while the caller works out the baseline and the epochs. Elsewhere, or for
    fewer than :data:`MIN_FORKED_REPORT_BEATS` beats, the report is computed when asked
    for, here. A worker that dies is replaced by computing here: the same result.
    """
    args = (time_s, rr_ms, gaps, correct, screen)
    if _start_method() != "fork" or len(rr_ms) < MIN_FORKED_REPORT_BEATS:
        return lambda: whole_report(*args)
    executor = make_executor("process")
    assert isinstance(executor, BatchingExecutor)
    future = executor.submit(whole_report, *args)
    executor.ship()

    def wait() -> HRVReport:
        try:
            return future.result()
        except BrokenProcessPool:
            return whole_report(*args)
        finally:
            executor.shutdown()

    return wait


def _start_worker() -> None:
    """Set up the worker process: interrupts are the parent's.

    Everything the jobs run is loaded by this module's own imports (forked: already
    there; spawned: loaded to unpickle this initializer), none of it lazily, so the
    worker is warm before its first job.
    """
    # Ctrl-C reaches the whole process group; the parent decides what happens.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


Job = tuple[Callable[..., Any], tuple[Any, ...]]


def _run_batch(jobs: list[Job]) -> list[tuple[bool, Any]]:
    """Run jobs in order: (True, result) or (False, the exception) for each."""
    out: list[tuple[bool, Any]] = []
    for fn, args in jobs:
        try:
            out.append((True, fn(*args)))
        except Exception as exc:  # handed back to whoever waits on the job
            out.append((False, exc))
    return out


class _BatchedFuture(Future[_T]):
    """A job's future; waiting on it first ships the batch that holds it."""

    def __init__(self, owner: BatchingExecutor) -> None:
        super().__init__()
        self._owner = owner

    def result(self, timeout: float | None = None) -> _T:
        self._owner.ship()
        return super().result(timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._owner.ship()
        return super().exception(timeout)


class BatchingExecutor(Executor):
    """Collects jobs and hands them to ``inner`` :data:`BATCH_JOBS` at a time."""

    def __init__(self, inner: Executor, batch_jobs: int = BATCH_JOBS) -> None:
        self._inner = inner
        self._batch_jobs = batch_jobs
        self._lock = threading.Lock()
        self._jobs: list[Job] = []
        self._futures: list[_BatchedFuture[Any]] = []

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        if kwargs:
            raise TypeError("batched jobs take positional arguments only")
        future: _BatchedFuture[_T] = _BatchedFuture(self)
        with self._lock:
            self._jobs.append((fn, args))
            self._futures.append(future)
            full = len(self._jobs) >= self._batch_jobs
        if full:
            self.ship()
        return future

    def ship(self) -> None:
        """Send the jobs collected so far."""
        with self._lock:
            jobs, futures = self._jobs, self._futures
            self._jobs, self._futures = [], []
        if not jobs:
            return
        for future in futures:
            future.set_running_or_notify_cancel()
        batch = self._inner.submit(_run_batch, jobs)

        def settle(done: Future[list[tuple[bool, Any]]]) -> None:
            error = done.exception()
            for k, future in enumerate(futures):
                if error is not None:
                    future.set_exception(error)
                    continue
                ok, value = done.result()[k]
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

        batch.add_done_callback(settle)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.ship()
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def _start_method() -> str:
    """``fork`` on Linux while this process runs one thread, else ``spawn``.

    A forked worker starts with numpy, SciPy and :mod:`signals` already loaded
    (a spawned one spends about half a second importing them). Forking is only
    safe without other threads (one could hold a lock the child inherits
    locked), and macOS frameworks do not survive it, hence ``spawn`` otherwise.
    """
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "spawn"


def make_executor(offload: Offload) -> Executor | None:
    """A one-worker executor for ``offload`` (None for ``"inline"``)."""
    if offload == "thread":
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="holdspace-signals")
    if offload == "process":
        method = _start_method()
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
        )
        if method == "fork":
            # Fork now, while this is the only thread: the pool would otherwise fork at
            # its first job, by when the run's store writer may be running.
            pool.submit(int)
        return BatchingExecutor(pool)
    return None


def make_pmd_executor(offload: Offload, shared: Executor | None) -> Executor | None:
    """Where a run's per-minute ECG and chest breathing
    (:func:`~companion.pipeline.chest.work.chest_work`) runs.

    NeuroKit2 costs seconds to import and holds the interpreter through its pandas steps:
    live (``"thread"``) that would delay beats, so it gets a worker process of its own,
    started at the first PMD minute (a run without PMD never starts it). A whole file at
    once (``"process"``) already has one: ``shared``. ``"inline"``: None.
    """
    if offload != "thread":
        return shared
    with _stderr_for_helpers():
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context(_start_method()),
            initializer=_start_quiet_worker,
        )
        pool.submit(int)  # start the worker now, at the first samples, not at a minute's close
    return pool


@contextlib.contextmanager
def _stderr_for_helpers() -> Iterator[None]:
    """``sys.stderr`` is /dev/null while a pool starts its helper processes.

    A spawned pool starts multiprocessing's resource tracker with ``sys.stderr``'s file
    descriptor; under the screen that is Textual's stand-in, whose descriptor is no file
    ("ValueError: bad value(s) in fds_to_keep", and the recording stopped). The tracker
    only ever writes warnings about leaked semaphores, which have no place on the screen.
    """
    with Path(os.devnull).open("w", encoding="utf-8") as null, contextlib.redirect_stderr(null):
        yield


def _start_quiet_worker() -> None:
    """:func:`_start_worker`, with the worker's standard output and error on /dev/null.

    A spawned worker inherits the terminal's descriptors 1 and 2, and under the screen
    nothing may write there (NeuroKit2 and pandas warn on stderr): what the jobs have to
    say comes back in their results.
    """
    _start_worker()
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
