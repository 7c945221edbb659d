"""The ECG path on real recordings: a Polar H10 with frequent PVCs, and ECG against a belt.

Reads ``../shared/data/polar-h10-pvc`` and ``../shared/data/ecg-respiration`` (marked
``realdata``: skipped without the folder, failing under ``CI=true``). The loading,
the placing of the strap's beats, the belt's rate and the leave-one-subject-out
cross-validation are those of ``bench/ecg_bench.py``, so the test and the printed
figures cannot drift apart (``python -m bench.ecg_bench`` prints them).

Achieved (NeuroKit2 0.3.0):
- H10: 808 R peaks, 798 strap beats; sensitivity 98.4 %, PPV 99.6 %, median
  |ΔRR| 2.3 ms over 785 consecutive pairs; the shape rule flags 259 beats ectopic,
  238 of them ventricular, against 255 premature beats.
- EDR against the belt (13 one-minute windows, 2 recordings): leave-one-subject-out
  MAE 0.76/min, 88.9 % within 2/min, 69.2 % of the minutes rated; with the shipped
  set (the choice on both recordings) MAE 0.65/min, 90.9 % within 2/min, 84.6 % rated.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.breathing_bench import score
from bench.ecg_bench import BELT_FILES, cross_validate_edr, edr_rates, load_belt, strap_check
from signals.ecg.edr import EDR_PARAMS
from tests.support.paths import shared_file

pytestmark = pytest.mark.realdata


def test_strap_beats_agree_with_the_ecg_and_the_pvcs_are_flagged() -> None:
    c = strap_check(shared_file("polar-h10-pvc", "polar_h10_ecg_rr.csv"))
    a = c.agreement
    print(
        f"\nH10: {a.n_ecg} R peaks, {a.n_strap} strap beats, sensitivity {a.sensitivity:.3f},"
        f" PPV {a.ppv:.3f}, median |ΔRR| {a.median_abs_delta_rr_ms:.1f} ms;"
        f" ectopic {int(c.beats.ectopic.sum())}, ventricular {int(c.beats.ventricular.sum())},"
        f" premature {c.n_premature}"
    )
    assert a.sensitivity >= 0.97 and a.ppv >= 0.99
    assert a.median_abs_delta_rr_ms is not None and a.median_abs_delta_rr_ms <= 4.0
    assert a.delta_rr_ms.size >= 750
    # about one beat in three is a PVC (trigeminy/bigeminy): the shape rule finds them
    ventricular = int(c.beats.ventricular.sum())
    assert 0.85 * c.n_premature <= ventricular <= c.n_premature
    assert int(c.beats.ectopic.sum()) <= 1.1 * c.n_premature
    assert c.beats.quality >= 0.9


def test_ecg_derived_breathing_against_the_belt_cross_validated() -> None:
    recs = tuple(load_belt(shared_file("ecg-respiration", name)) for name in BELT_FILES)
    ref = np.concatenate([r.ref_per_min for r in recs])
    assert ref.size == 13 and not np.isnan(ref).any()
    cv = cross_validate_edr(recs)
    held_out = score(cv.rates, ref)
    shipped = score(np.concatenate([edr_rates(r) for r in recs]), ref)
    print(
        f"\nEDR vs belt, leave-one-subject-out: MAE {held_out.mae_per_min:.2f}/min,"
        f" {100 * held_out.within_2_share:.1f} % within 2/min,"
        f" {100 * held_out.coverage:.1f} % rated;"
        f" shipped: MAE {shipped.mae_per_min:.2f}, {100 * shipped.within_2_share:.1f} %,"
        f" {100 * shipped.coverage:.1f} % rated"
    )
    assert cv.full_choice == EDR_PARAMS
    assert held_out.mae_per_min <= 1.0
    assert held_out.within_2_share >= 0.85
    assert held_out.coverage >= 0.6
    assert shipped.mae_per_min <= 1.0 and shipped.coverage >= 0.8
