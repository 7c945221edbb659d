"""Polar H10 ECG and chest accelerometer: real-data figures and speed (issue 19).

Run alone with ``python -m bench.ecg_bench`` (``python -m bench`` calls it too).
Decoding PMD frames is not measured here (``sensors.pmd``); this is the signal
processing that runs on the decoded samples.

1. **Strap against ECG** (``../shared/data/polar-h10-pvc``: 10 min of a real
   H10, ECG at ~130 Hz and the RR intervals the strap reported; the wearer has
   frequent premature ventricular contractions). R peaks come from
   :func:`signals.ecg.beats.ecg_beats`. The CSV stamps the strap's RR values
   with the time of the notification that carried them, not of the beats, so
   the strap's beat times are rebuilt as the cumulative sum of its RR intervals,
   placed by the offset (searched over ±2 s in 2-ms steps) that pairs the most
   beats with R peaks within 50 ms, then mapped onto the ECG clock by a straight
   line fitted to those pairs (the two clocks drift by tens of ppm). Figures of
   :func:`signals.ecg.matching.match_beats` (150-ms window): sensitivity, PPV,
   median |ΔRR| between the strap's RR and the ECG's, and the beats the shape
   rule flags (ectopic, ventricular) against the premature ones.
2. **ECG-derived breathing against a belt** (``../shared/data/ecg-respiration``:
   NeuroKit2's two resting recordings, ECG and respiration belt at 100 Hz; the
   8-min one cropped to where ``PhotoSensor`` is low, as its README says). The
   belt's rate per 60-s window from t = 0 (whole windows only) is 60 / the
   mean interval between the belt's breath peaks (``nk.rsp_process``, default
   ``khodadad2018`` method) whose midpoints fall in the window, as the
   ``windows_60s.csv`` of the other breathing sets. The EDR estimator's
   :class:`~signals.breathing.respiration.BreathingParams` are chosen by
   leave-one-subject-out cross-validation over :data:`GRID` (cost as in
   :mod:`bench.breathing_bench`: absolute error, 2/min per refused window);
   pooled held-out figures, then the choice on both recordings.
3. **Speed**, as multiples of real time, best of :data:`REPEATS` runs: our ECG
   path (``ecg_beats`` on 10 min at 130 Hz, then ``ecg_breathing`` for each
   minute) against ``nk.ecg_process`` alone on the same samples, and our
   accelerometer path (``activity_in_window`` and ``chest_breathing`` for each
   minute, ``breath_wave`` on the last 30 s once a second) on 10 min at 50 Hz
   against ``nk.rsp_process`` on one accelerometer axis. Goal: ≥ 100× real time.
"""

from __future__ import annotations

import csv
import itertools
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from bench.breathing_bench import CrossValidation, Scores, leave_one_out, score
from signals.breathing.respiration import BreathingParams
from signals.ecg.beats import EcgBeats, ecg_beats
from signals.ecg.edr import EDR_PARAMS, ecg_breathing
from signals.ecg.matching import BeatAgreement, match_beats
from signals.ecg.shape import premature_beats
from signals.motion.activity import activity_in_window
from signals.motion.chest_breathing import breath_wave, chest_breathing

FloatArray = npt.NDArray[np.float64]

DATA: Final = Path(__file__).resolve().parents[1].parent / "shared" / "data"
H10_CSV: Final = DATA / "polar-h10-pvc" / "polar_h10_ecg_rr.csv"
BELT_DIR: Final = DATA / "ecg-respiration"
BELT_FILES: Final = ("bio_resting_5min_100hz.csv", "bio_resting_8min_100hz.csv")
BELT_RATE_HZ: Final = 100.0
WINDOW_S: Final = 60.0
GRID: Final = tuple(
    BreathingParams(low, thr, tol)
    for low, thr, tol in itertools.product((0.08, 0.1), (0.1, 0.15, 0.25), (2.0, 3.0))
)
"""The EDR parameter sets searched by cross-validation."""
SEARCH_S: Final = 2.0
"""Half-width of the offset search when placing the strap's beats, in seconds."""
SEARCH_STEP_S: Final = 0.002
PLACE_TOLERANCE_S: Final = 0.05
REPEATS: Final = 3
SPEED_SPAN_S: Final = 600.0
ECG_HZ: Final = 130.0
ACC_HZ: Final = 50.0


# --- 1. the strap against the ECG ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StrapCheck:
    """Figures of part 1 of the module docstring."""

    beats: EcgBeats
    agreement: BeatAgreement
    n_premature: int
    clock_ppm: float


def load_h10(path: Path) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Sample times (s), ECG (µV), the strap's RR (ms) and the times of the rows carrying them."""
    data = np.genfromtxt(path, delimiter=",", skip_header=1)
    t_s = data[:, 0] * 1e-9
    has_rr = ~np.isnan(data[:, 3])
    return t_s, data[:, 1] * 1000.0, data[has_rr, 3], t_s[has_rr]


def strap_beat_times(rr_ms: FloatArray, first_report_s: float, r_times_s: FloatArray) -> FloatArray:
    """The strap's beat times on the ECG clock (module docstring, part 1)."""
    base = np.cumsum(rr_ms) / 1000.0
    guess = first_report_s - base[0]
    offsets = guess + np.arange(-SEARCH_S, SEARCH_S, SEARCH_STEP_S)
    counts = [match_beats(r_times_s, base + o, PLACE_TOLERANCE_S).strap_index.size for o in offsets]
    placed = base + offsets[int(np.argmax(counts))]
    pairs = match_beats(r_times_s, placed, PLACE_TOLERANCE_S)
    x, y = placed[pairs.strap_index], r_times_s[pairs.ecg_index]
    slope, intercept = np.polyfit(x - x[0], y - x[0], 1)
    out: FloatArray = x[0] + intercept + slope * (placed - x[0])
    return out


def strap_check(path: Path = H10_CSV) -> StrapCheck:
    """ECG R peaks against the strap's own beats on the real H10 recording."""
    t_s, ecg_uv, rr_ms, report_s = load_h10(path)
    rate_hz = (t_s.size - 1) / float(t_s[-1] - t_s[0])
    beats = ecg_beats(ecg_uv, rate_hz, float(t_s[0]))
    strap = strap_beat_times(rr_ms, float(report_s[0]), beats.r_times_s)
    agreement = match_beats(beats.r_times_s, strap)
    ppm = (float(np.median(np.diff(strap)) / np.median(rr_ms / 1000.0)) - 1.0) * 1e6
    return StrapCheck(beats, agreement, int(premature_beats(beats.r_times_s).sum()), ppm)


# --- 2. ECG-derived breathing against the belt ----------------------------------------------


@dataclass(frozen=True, slots=True)
class BeltRecording:
    """One ECG + belt recording: its beats and the belt's rate per 60-s window."""

    name: str
    beats: EcgBeats
    ref_per_min: FloatArray


def belt_window_rates(rsp: FloatArray, rate_hz: float, n_windows: int) -> FloatArray:
    """60 / mean interval of the belt's breath peaks, per window (module docstring, part 2)."""
    import neurokit2 as nk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, info = nk.rsp_process(rsp, sampling_rate=rate_hz)
    peaks_s = np.asarray(info["RSP_Peaks"], dtype=np.float64) / rate_hz
    mid, interval = (peaks_s[1:] + peaks_s[:-1]) / 2.0, np.diff(peaks_s)
    out = np.full(n_windows, np.nan)
    for w in range(n_windows):
        inside = (mid >= w * WINDOW_S) & (mid < (w + 1) * WINDOW_S)
        if inside.any():
            out[w] = 60.0 / float(interval[inside].mean())
    return out


def load_belt(path: Path) -> BeltRecording:
    """ECG beats and belt window rates of one recording (cropped to the low PhotoSensor)."""
    with path.open(newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        data = np.array([[float(v) for v in row] for row in reader])
    col = {name: i for i, name in enumerate(header)}
    ecg, rsp = data[:, col["ECG"]], data[:, col["RSP"]]
    if "PhotoSensor" in col:
        photo = data[:, col["PhotoSensor"]]
        low = np.flatnonzero(photo < (photo.max() + photo.min()) / 2.0)
        ecg, rsp = ecg[low[0] : low[-1] + 1], rsp[low[0] : low[-1] + 1]
    n_windows = int(ecg.size / BELT_RATE_HZ // WINDOW_S)
    beats = ecg_beats(ecg * 1000.0, BELT_RATE_HZ, 0.0)  # mV -> µV
    return BeltRecording(path.stem, beats, belt_window_rates(rsp, BELT_RATE_HZ, n_windows))


def edr_rates(rec: BeltRecording, params: BreathingParams = EDR_PARAMS) -> FloatArray:
    """EDR rate per reference window (NaN where refused)."""
    out = np.full(rec.ref_per_min.size, np.nan)
    for w in range(out.size):
        e = ecg_breathing(rec.beats, w * WINDOW_S, (w + 1) * WINDOW_S, params=params)
        if e.rate_per_min is not None:
            out[w] = e.rate_per_min
    return out


def cross_validate_edr(
    recs: Sequence[BeltRecording], grid: Sequence[BreathingParams] = GRID
) -> CrossValidation:
    """Leave-one-recording-out choice of the EDR parameters (module docstring, part 2)."""
    table = [[edr_rates(rec, params) for params in grid] for rec in recs]
    return leave_one_out(table, [rec.ref_per_min for rec in recs], grid)


def load_belts(folder: Path = BELT_DIR) -> tuple[BeltRecording, ...]:
    return tuple(load_belt(folder / name) for name in BELT_FILES)


def _scores_line(label: str, s: Scores) -> str:
    return (
        f"  {label:30s} MAE {s.mae_per_min:5.2f}/min  within 2/min {100 * s.within_2_share:5.1f} %"
        f"  rated {100 * s.coverage:5.1f} % of {s.n_windows} windows"
    )


def bench_real_data() -> None:
    if not H10_CSV.exists():
        print(f"[skip] strap against ECG: {H10_CSV} not available")
    else:
        c = strap_check()
        a = c.agreement
        print("Polar H10 (PVC recording): strap beats against ECG R peaks (NeuroKit2)")
        print(
            f"  R peaks {a.n_ecg}, strap beats {a.n_strap}:"
            f" sensitivity {100 * a.sensitivity:.1f} %,"
            f" PPV {100 * a.ppv:.1f} %, median |ΔRR| {a.median_abs_delta_rr_ms:.1f} ms"
            f" over {a.delta_rr_ms.size} intervals, clock drift {c.clock_ppm:+.0f} ppm"
        )
        print(
            f"  shape rule: {int(c.beats.ectopic.sum())} ectopic, "
            f"{int(c.beats.ventricular.sum())} ventricular; {c.n_premature} premature beats;"
            f" quality {c.beats.quality:.2f}"
        )
    if not all((BELT_DIR / n).exists() for n in BELT_FILES):
        print(f"[skip] EDR against the belt: {BELT_DIR} not available")
        return
    recs = load_belts()
    ref = np.concatenate([r.ref_per_min for r in recs])
    print("ECG-derived breathing against the respiration belt (NeuroKit2 resting recordings)")
    cv = cross_validate_edr(recs)
    print(_scores_line("leave-one-subject-out", score(cv.rates, ref)))
    print(f"    fold choices {cv.fold_choices}")
    print(f"    choice on both: {cv.full_choice} (shipped: {EDR_PARAMS})")
    for rec in recs:
        print(_scores_line(f"shipped, {rec.name}", score(edr_rates(rec), rec.ref_per_min)))
    print(_scores_line("shipped, both", score(np.concatenate([edr_rates(r) for r in recs]), ref)))


# --- 3. speed -------------------------------------------------------------------------------


def _speed_ecg() -> FloatArray:
    """Ten minutes of ECG at 130 Hz: the real H10 recording, or NeuroKit2's simulator."""
    if H10_CSV.exists():
        ecg: FloatArray = load_h10(H10_CSV)[1][: int(SPEED_SPAN_S * ECG_HZ)]
        return ecg
    import neurokit2 as nk

    sim = nk.ecg_simulate(duration=int(SPEED_SPAN_S), sampling_rate=int(ECG_HZ), random_state=1)
    return np.asarray(sim, dtype=np.float64) * 1000.0


def speed_acc() -> tuple[FloatArray, FloatArray]:
    """Ten minutes of chest movement at 50 Hz (seeded): gravity, breathing, a 2-min walk."""
    rng = np.random.default_rng(19)
    t = np.arange(int(SPEED_SPAN_S * ACC_HZ)) / ACC_HZ
    breath = 6.0 * np.sin(2 * np.pi * 0.25 * t)
    walking = (t >= 240.0) & (t < 360.0)
    step = np.where(walking, 200.0 * np.sin(2 * np.pi * 1.8 * t), 0.0)
    xyz = np.stack([50.0 + breath, -980.0 + 0.5 * breath + step, 120.0 + 0.3 * step], axis=1)
    return t, xyz + rng.normal(0.0, 3.0, xyz.shape)


def _best_of(run: Callable[[], None]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_speed() -> None:
    import neurokit2 as nk

    ecg = _speed_ecg()
    span_s = ecg.size / ECG_HZ

    def ours_ecg() -> None:
        beats = ecg_beats(ecg, ECG_HZ, 0.0)
        for w in range(int(span_s // WINDOW_S)):
            ecg_breathing(beats, w * WINDOW_S, (w + 1) * WINDOW_S)

    def nk_ecg() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nk.ecg_process(ecg, sampling_rate=int(ECG_HZ))

    t, xyz = speed_acc()

    def ours_acc() -> None:
        for w in range(int(SPEED_SPAN_S // WINDOW_S)):
            activity_in_window(t, xyz, w * WINDOW_S, (w + 1) * WINDOW_S)
            chest_breathing(t, xyz, w * WINDOW_S, (w + 1) * WINDOW_S)
        per_s = int(ACC_HZ)
        for end in range(30 * per_s, t.size + 1, per_s):
            breath_wave(t[end - 30 * per_s : end], xyz[end - 30 * per_s : end])

    def nk_acc() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nk.rsp_process(xyz[:, 0], sampling_rate=int(ACC_HZ))

    print(f"Speed on {span_s / 60:.0f} min of ECG at {ECG_HZ:.0f} Hz and ACC at {ACC_HZ:.0f} Hz")
    for label, ours, base, base_label in (
        ("ECG: ecg_beats + EDR/min", ours_ecg, nk_ecg, "nk.ecg_process"),
        ("ACC: activity + breathing/min, wave/s", ours_acc, nk_acc, "nk.rsp_process (1 axis)"),
    ):
        o, b = _best_of(ours), _best_of(base)
        print(
            f"  {label:40s} {1000 * o:7.1f} ms = {span_s / o:7.0f}x real time [goal >= 100x];"
            f" baseline {base_label} {1000 * b:7.1f} ms = {span_s / b:6.0f}x"
        )


def bench_ecg() -> None:
    bench_real_data()
    bench_speed()


if __name__ == "__main__":
    bench_ecg()
