"""Where the costly signal steps run: batching, errors, and the process worker's equality."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from companion.pipeline.offload import BatchingExecutor, make_executor
from companion.pipeline.runs import run_source
from sensors.replay import ReplaySource
from signals.scores.baseline import NORMS
from tests.support.paths import FIXTURES


class CountingExecutor(ThreadPoolExecutor):
    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def _square(x: int) -> int:
    return x * x


def _fail(x: int) -> int:
    raise ValueError(f"no {x}")


def test_jobs_travel_in_batches_and_keep_their_order() -> None:
    inner = CountingExecutor()
    batching = BatchingExecutor(inner, batch_jobs=4)
    futures = [batching.submit(_square, k) for k in range(10)]
    assert inner.submitted == 2  # two full batches shipped, two jobs still collected
    batching.shutdown(wait=True)
    assert inner.submitted == 3
    assert [f.result() for f in futures] == [k * k for k in range(10)]


def test_waiting_on_a_collected_job_ships_its_batch() -> None:
    inner = CountingExecutor()
    batching = BatchingExecutor(inner, batch_jobs=100)
    future = batching.submit(_square, 7)
    assert inner.submitted == 0
    assert future.result(timeout=30) == 49
    assert inner.submitted == 1
    batching.shutdown()


def test_an_exception_reaches_only_its_own_job() -> None:
    batching = BatchingExecutor(ThreadPoolExecutor(max_workers=1), batch_jobs=3)
    ok, bad, ok2 = (
        batching.submit(_square, 2),
        batching.submit(_fail, 3),
        batching.submit(_square, 4),
    )
    assert ok.result(timeout=30) == 4
    assert ok2.result(timeout=30) == 16
    with pytest.raises(ValueError, match="no 3"):
        bad.result(timeout=30)
    batching.shutdown()


def test_keyword_arguments_are_refused() -> None:
    batching = BatchingExecutor(ThreadPoolExecutor(max_workers=1))
    with pytest.raises(TypeError):
        batching.submit(_square, x=2)
    batching.shutdown()


def test_inline_has_no_executor() -> None:
    assert make_executor("inline") is None


def _outcome(offload: Any) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        source = ReplaySource(FIXTURES / "rest-5min.hsrec", speed=None)
        outcome = await run_source(source, None, baseline=NORMS, offload=offload)
        assert outcome.stage is not None
        return {
            "summary": outcome.to_json(),
            "breathing": [m.resp_per_min for m in outcome.stage.minutes],
            "reports": [s.to_json() for s in outcome.stage.sessions],
        }

    return asyncio.run(go())


def test_the_worker_process_computes_what_inline_computes() -> None:
    inline = _outcome("inline")
    worker = _outcome("process")
    assert any(rate is not None for rate in inline["breathing"])
    assert worker == inline
    assert np.isfinite([r for r in worker["breathing"] if r is not None]).all()


def _day_like(n_beats: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(17)
    t = np.arange(n_beats, dtype=np.float64)
    rr = 800.0 + 40.0 * np.sin(2 * np.pi * 0.25 * t * 0.8) + rng.normal(0.0, 15.0, n_beats)
    rr[::997] *= 0.6  # a premature beat now and then
    return np.cumsum(rr) / 1000.0, rr, np.zeros(n_beats, dtype=np.bool_)


def test_a_long_file_s_report_beside_the_epochs_equals_the_report_computed_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from companion.pipeline import offload
    from signals.artifacts.batch import screen_artifacts

    t, rr, gaps = _day_like(offload.MIN_FORKED_REPORT_BEATS)
    screen = screen_artifacts(rr, gaps)
    here = offload.whole_report(t, rr, gaps, True, screen)
    started: list[str] = []
    real = offload.make_executor

    def spy(kind: offload.Offload) -> Any:
        started.append(kind)
        return real(kind)

    monkeypatch.setattr(offload, "make_executor", spy)
    beside = offload.report_beside(t, rr, gaps, True, screen)()
    assert started == (["process"] if offload._start_method() == "fork" else [])
    assert beside.to_json() == here.to_json()
    # A short file is computed here, when asked for: no worker is started.
    short = offload.report_beside(
        t[:1000], rr[:1000], gaps[:1000], True, screen_artifacts(rr[:1000], gaps[:1000])
    )
    assert short().n_beats == 1000 and started == (
        ["process"] if offload._start_method() == "fork" else []
    )
