"""Seeded coloured noise by spectral synthesis, vectorised with numpy.

Every slow random process of the generator (heart-rate wander, breathing-rate
drift, Mayer waves, the wobble of a session's demand) is Gaussian noise with a
prescribed power spectrum: white noise is transformed with a real FFT, shaped by
the square root of the target spectrum and transformed back, then scaled to unit
standard deviation. It is cut from a slightly longer circular series of an
FFT-friendly length, so its two ends are unrelated. Only the :class:`numpy.random.Generator` handed
in is used, so the output depends on the seed alone.

References
----------
Timmer J, König M. On generating power law noise. Astron Astrophys 1995;300:707-710.
Kobayashi M, Musha T. 1/f fluctuation of heartbeat period. IEEE Trans Biomed Eng
1982;29(6):456-457.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "lorentzian_noise", "narrowband_noise", "pink_noise", "shaped_noise"]

FloatArray = npt.NDArray[np.float64]
"""A one-dimensional array of float64."""

_TINY: Final = 1e-12


def _fast_length(n: int) -> int:
    """The smallest ``2**a * 3**b * 5**c >= n``: FFT lengths with large prime factors are slow."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p235 = p35
            while p235 < n:
                p235 *= 2
            best = min(best, p235)
            p35 *= 3
        p5 *= 5
    return best


def shaped_noise(
    rng: np.random.Generator,
    n: int,
    fs_hz: float,
    spectrum: Callable[[FloatArray], FloatArray],
) -> FloatArray:
    """Gaussian noise with a prescribed power spectrum, scaled to unit standard deviation.

    Parameters
    ----------
    rng : the only source of randomness.
    n : number of samples.
    fs_hz : sampling rate, in hertz.
    spectrum : maps frequencies in hertz (``numpy.fft.rfftfreq``) to a relative
        power spectral density; only its shape matters.

    Returns
    -------
    FloatArray
        ``n`` samples with mean 0 and standard deviation 1 (all zeros when the
        spectrum is zero everywhere).
    """
    if n <= 0:
        return np.zeros(0)
    size = _fast_length(n)
    freqs_hz = np.asarray(np.fft.rfftfreq(size, d=1.0 / fs_hz), dtype=np.float64)
    white = np.fft.rfft(rng.standard_normal(size))
    shaped = np.fft.irfft(white * np.sqrt(np.maximum(spectrum(freqs_hz), 0.0)), n=size)[:n]
    std = float(np.std(shaped))
    if std < _TINY:
        return np.zeros(n)
    return (shaped - float(np.mean(shaped))) / std


def pink_noise(
    rng: np.random.Generator,
    n: int,
    fs_hz: float,
    *,
    low_hz: float,
    high_hz: float,
    exponent: float = 1.0,
) -> FloatArray:
    """Unit-variance ``1/f**exponent`` noise, band-limited to ``low_hz``..``high_hz``.

    Below ``low_hz`` the spectrum is flat (no unbounded drift); above ``high_hz``
    it falls off as ``1/f**4`` so that the beat-to-beat scale stays to the
    breathing and beat-noise terms.
    """

    def spectrum(freqs_hz: FloatArray) -> FloatArray:
        f = np.maximum(freqs_hz, low_hz)
        shape: FloatArray = f**-exponent / (1.0 + (freqs_hz / high_hz) ** 4)
        shape[0] = 0.0
        return shape

    return shaped_noise(rng, n, fs_hz, spectrum)


def lorentzian_noise(
    rng: np.random.Generator, n: int, fs_hz: float, *, corner_hz: float
) -> FloatArray:
    """Unit-variance Ornstein-Uhlenbeck-like noise (Lorentzian spectrum).

    ``corner_hz`` is the corner frequency; the correlation time is
    ``1 / (2 * pi * corner_hz)`` seconds.
    """

    def spectrum(freqs_hz: FloatArray) -> FloatArray:
        shape: FloatArray = 1.0 / (1.0 + (freqs_hz / corner_hz) ** 2)
        shape[0] = 0.0
        return shape

    return shaped_noise(rng, n, fs_hz, spectrum)


def narrowband_noise(
    rng: np.random.Generator, n: int, fs_hz: float, *, centre_hz: float, width_hz: float
) -> FloatArray:
    """Unit-variance quasi-oscillation: a Gaussian spectral peak at ``centre_hz``.

    Its amplitude and phase wander on the time scale ``1 / width_hz`` seconds,
    as Mayer waves do.
    """

    def spectrum(freqs_hz: FloatArray) -> FloatArray:
        shape: FloatArray = np.exp(-0.5 * ((freqs_hz - centre_hz) / width_hz) ** 2)
        return shape

    return shaped_noise(rng, n, fs_hz, spectrum)
