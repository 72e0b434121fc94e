"""The 2:1 resampler of 8 kHz calls (media/narrowband.c), through the C functions
themselves: what it keeps, what it rejects, how late it is."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from softphone.media.nativebridge import ExtensionMissing, extension

AMPLITUDE = 10000  # -10 dBFS: far from clipping, far above the int16 rounding


@pytest.fixture(scope="module")
def lib():
    try:
        return extension()
    except ExtensionMissing as e:
        pytest.skip(str(e))


def run(lib, name: str, samples: np.ndarray) -> np.ndarray:
    x = np.ascontiguousarray(samples, dtype=np.int16)
    down = name == "nb_downsample"
    n = len(x) // 2 if down else len(x)
    out = np.zeros(n if down else 2 * n, dtype=np.int16)
    getattr(lib, name)(
        x.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(n)
    )
    return out


def tone(hz: float, rate: int, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return AMPLITUDE * np.sin(2 * np.pi * hz * t)


def amplitude_at(x: np.ndarray, hz: float, rate: int) -> float:
    """The amplitude of `hz` in `x` (the filter's start cut off; Hann-windowed FFT)."""
    x = x[len(x) // 10 :].astype(np.float64)
    w = np.hanning(len(x))
    spectrum = np.abs(np.fft.rfft(x * w)) * 2 / w.sum()
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    near = np.abs(freqs - hz) <= 15
    return float(spectrum[near].max())


def db(ratio: float) -> float:
    return 20 * np.log10(max(ratio, 1e-9))


@pytest.mark.parametrize("hz", [300, 1000, 2000, 3000, 3400])
def test_speech_band_passes_within_a_fifth_of_a_db_both_ways(lib, hz):
    down = amplitude_at(run(lib, "nb_downsample", tone(hz, 16000)), hz, 8000)
    up = amplitude_at(run(lib, "nb_upsample", tone(hz, 8000)), hz, 16000)
    assert abs(db(down / AMPLITUDE)) < 0.2 and abs(db(up / AMPLITUDE)) < 0.2, (down, up)


@pytest.mark.parametrize(("hz", "low", "high"), [(3600, -0.3, 0.0), (3800, -3.0, -2.0)])
def test_band_edge_is_kept_where_pjmedias_filter_drops_it(lib, hz, low, high):
    """3.6 kHz within 0.3 dB, 3.8 kHz within 3 dB, both ways; libresample's large filter
    is at -2.4 dB already over 3.4-3.7 kHz and -17 dB over 3.7-4.0 kHz (measured through
    pjmedia's bridge, README). The Kaiser-windowed filter before: -1.5 and -6 dB."""
    down = db(amplitude_at(run(lib, "nb_downsample", tone(hz, 16000)), hz, 8000) / AMPLITUDE)
    up = db(amplitude_at(run(lib, "nb_upsample", tone(hz, 8000)), hz, 16000) / AMPLITUDE)
    assert low < down < high and low < up < high, (down, up)


@pytest.mark.parametrize("hz", [4400, 5000, 6000, 7500])
def test_above_the_narrow_band_nothing_folds_back(lib, hz):
    """Downwards, a tone above 4 kHz would fold to 8000 - hz: 70 dB down at least from
    4.4 kHz, so nothing folds below 3.6 kHz."""
    out = run(lib, "nb_downsample", tone(hz, 16000))
    assert db(amplitude_at(out, 8000 - hz, 8000) / AMPLITUDE) < -69.5


@pytest.mark.parametrize("hz", [1000, 3000, 3600])
def test_upsampling_leaves_no_image_above_4_khz(lib, hz):
    out = run(lib, "nb_upsample", tone(hz, 8000))
    image = amplitude_at(out, 8000 - hz, 16000)  # zero-stuffing mirrors hz about 4 kHz
    kept = amplitude_at(out, hz, 16000)
    assert db(image / kept) < -69.5, (hz, db(image / kept))


def test_delay_is_under_two_milliseconds_down_and_up(lib):
    """An impulse comes out of the downsampler at most 32 samples at 16 kHz later (the
    filter's centre is 31), and down then up at most 64 (two filters)."""
    x = np.zeros(1600)
    x[800] = 20000
    down = run(lib, "nb_downsample", x).astype(np.float64)
    peak_16k = 2 * int(np.argmax(np.abs(down))) + 1  # the output keeps the odd inputs
    assert 0 <= peak_16k - 800 <= 32, peak_16k
    up = run(lib, "nb_upsample", run(lib, "nb_downsample", x)).astype(np.float64)
    assert abs(int(np.argmax(np.abs(up))) - 800) <= 64


@pytest.fixture(scope="module")
def g711_tables():
    """pjmedia's own G.711 tables, from pjsua2's extension (what its encoder looks up)."""
    import pjsua2 as pj

    so = ctypes.CDLL(pj._pjsua2.__file__)
    try:
        tables = {
            name: np.ctypeslib.as_array((ctype * n).in_dll(so, f"pjmedia_{name}_tab"))
            for name, ctype, n in (
                ("linear2ulaw", ctypes.c_uint8, 16384),
                ("ulaw2linear", ctypes.c_int16, 256),
                ("linear2alaw", ctypes.c_uint8, 16384),
                ("alaw2linear", ctypes.c_int16, 256),
            )
        }
    except ValueError as e:  # a build without the tables
        pytest.skip(str(e))
    return tables


@pytest.mark.parametrize("law", ["ulaw", "alaw"])
def test_g711_even_makes_pjmedias_coding_of_every_sample_mirror_its_negative(lib, g711_tables, law):
    """Every int16 value and its negative through pjmedia's G.711 tables (indexed as
    pjmedia_linear2ulaw/alaw do: `pcm >> 2`), before and after `nb_g711_even`."""
    encode, decode = g711_tables[f"linear2{law}"], g711_tables[f"{law}2linear"]

    def coded(x: np.ndarray) -> np.ndarray:
        return decode[encode[(x.astype(np.int64) >> 2) & 0x3FFF]].astype(np.int64)

    def evened(x: np.ndarray) -> np.ndarray:
        y = np.ascontiguousarray(x, dtype=np.int16).copy()
        lib.nb_g711_even(y.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(len(y)))
        return y

    x = np.arange(4, 32768, dtype=np.int16)  # 1..3 and their negatives: one zero code
    assert np.count_nonzero(coded(x) != -coded(-x)) > 300  # pjmedia alone: lopsided
    after = np.count_nonzero(coded(evened(x)) != -coded(evened(-x)))
    assert after == 0, f"{after} samples still coded unlike their negatives"
    assert np.array_equal(evened(x), x), "positive samples must pass untouched"
    y = np.array([-32768, -4, -3, -2, -1, 0], dtype=np.int16)
    assert evened(y).tolist() == [-32765, -1, 0, 0, 0, 0]
