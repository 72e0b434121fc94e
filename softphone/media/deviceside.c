/*
 * The sound devices' half of the audio bridge in C, called by PortAudio.
 *
 * The same work as `AudioBridge.capture` / `.playback` in bridge.py (which stay
 * as the fallback and the reference, tested against this for parity): the drift
 * control of each ring (`_Control`), the band-limited resampler with its trimmed
 * ratio (`StreamResampler`, resample.py; its filter table is computed there and
 * copied here), priming, resyncs, peaks. The streams call `ds_input_callback` /
 * `ds_output_callback` directly (sounddevice with a raw callback pointer), so a
 * device callback costs no Python at all: per 10 ms block, Python callbacks cost
 * the audio process ~2.5 % of a core.
 *
 * Echo cancellation stays in Python (the WebRTC binding has no C API): with it on,
 * the microphone callback writes its resampled block to the `near` ring and wakes
 * a Python thread (one byte on a pipe) that runs the processor and writes the
 * capture ring (softphone/media/nativebridge.py). The speaker callback always
 * keeps what it played in the `far` ring, the canceller's reference.
 *
 * Threads: `ds_capture` on the input stream's thread, `ds_playback` on the output
 * stream's; the configuration calls (ds_set_*) while the stream concerned is
 * stopped; the mode switch (`ds_request_mode`) is acknowledged by the next
 * microphone callback, so the capture ring never has two writers.
 */
#include <math.h>
#include <stdio.h>

#include "bridgestate.h"
#ifndef _WIN32
#include <unistd.h>
#endif

/* Tunables from bridge.py (one source): indices of the `cfg` array. */
enum {
    K_CALL_RATE, K_FRAME_SAMPLES, K_MAX_BLOCK,
    K_CAPTURE_MARGIN_S, K_PLAYBACK_MARGIN_S, K_WAIT_SHARE,
    K_MAX_CORRECTION, K_GAIN_PER_S, K_INTEGRAL_PER_S2, K_LOW_WATER_S, K_MAX_ALLOWANCE_S,
    K_PRIME_CALLBACKS, K_DECAY_AFTER_S, K_DECAY_STEP_S, K_RESYNC_EXCESS_S,
    K_INTEGRATE_WITHIN_S, K_BLOCK_DECAY, K_EMA_ALPHA, K_LOW_RELEASE,
    K_COUNT
};

/* Statistics for Python (`ds_stats`): indices of the array it fills. */
enum {
    S_CAPTURE_TARGET, S_PLAYBACK_EMA, S_PLAYBACK_TARGET, S_PLAYBACK_LOW,
    S_CAPTURE_CORRECTION, S_PLAYBACK_CORRECTION, S_CAPTURE_DRIFT, S_PLAYBACK_DRIFT,
    S_INPUT_ERRORS, S_OUTPUT_ERRORS, S_INPUT_PEAK, S_OUTPUT_PEAK, S_INPUT_AGE,
    S_PLAYBACK_RESYNCS, S_INPUT_AT, S_OUTPUT_AT, S_MODE, S_CAPTURE_EMA, S_CAPTURE_LOW,
    S_COUNT
};

/* ---- fill-level control of one ring (bridge.py `_Control`) --------------- */

typedef struct {
    const double *k;
    double rate, pull, margin_s, wait_share;
    double *f;
    int64_t *i;
    double block, allowance, deficit_seen, integral;
    int primed;
    int64_t callbacks, calm_from, pulls_integrated;
} ds_ctl;

static void ctl_restart(ds_ctl *c)
{
    c->primed = 0;
    c->callbacks = 0;
    c->integral = 0.0;
    c->block = 0.0;
    c->f[F_LOW] = NAN;
    c->f[F_EMA] = -1.0;
}

static void ctl_init(ds_ctl *c, const double *k, double margin_s, double wait_share,
                     double *f, int64_t *i)
{
    c->k = k;
    c->rate = k[K_CALL_RATE];
    c->pull = k[K_FRAME_SAMPLES];
    c->margin_s = margin_s;
    c->wait_share = wait_share;
    c->f = f;
    c->i = i;
    c->allowance = 0.0;
    c->deficit_seen = f[F_DEFICIT];
    c->calm_from = 0;
    c->pulls_integrated = 0;
    ctl_restart(c);
}

static double ctl_least_left(ds_ctl *c) { return (c->margin_s + c->allowance) * c->rate; }
static double ctl_start_left(ds_ctl *c) { return c->block + ctl_least_left(c); }
static double ctl_target(ds_ctl *c)
{
    return c->pull + c->wait_share * c->block + ctl_least_left(c);
}
static void ctl_note_block(ds_ctl *c, double n)
{
    double decayed = c->block * c->k[K_BLOCK_DECAY];
    c->block = n > decayed ? n : decayed;
}
static double clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* What a pull on time saw (bridge.py `_pulled`). */
static void ctl_pulled(ds_ctl *c, int64_t fill, int64_t count)
{
    const double *k = c->k;
    double *f = c->f;
    double left = (double)(fill - count);
    if (left < k[K_LOW_WATER_S] * c->rate)
        f[F_DEFICIT] += k[K_LOW_WATER_S] - left / c->rate;
    c->i[I_PULLS] += 1;
    double low = f[F_LOW];
    f[F_LOW] = !(low <= left) ? left : low + k[K_LOW_RELEASE] * (left - low);
    double ema = f[F_EMA];
    f[F_EMA] = ema < 0 ? (double)fill : ema + k[K_EMA_ALPHA] * ((double)fill - ema);
}

/* The margin from what the pulls saw; returns the ratio trim (`_Control.adapt`). */
static double ctl_adapt(ds_ctl *c)
{
    const double *k = c->k;
    double pull160 = c->pull > 160 ? c->pull : 160;
    int64_t pulls = c->i[I_PULLS];
    double total = c->f[F_DEFICIT];
    double deficit = total - c->deficit_seen;
    int64_t calm_pulls = (int64_t)(k[K_DECAY_AFTER_S] * c->rate / pull160);
    if (deficit > 0) {
        c->deficit_seen = total;
        c->allowance = fmin(k[K_MAX_ALLOWANCE_S], c->allowance + deficit);
        c->calm_from = pulls;
    } else if (c->allowance > 0 && pulls - c->calm_from >= calm_pulls) {
        c->allowance = fmax(0.0, c->allowance - k[K_DECAY_STEP_S]);
        c->calm_from = pulls;
    }
    double ema = c->f[F_EMA], low = c->f[F_LOW];
    if (ema < 0 || low != low)
        return 0.0;
    double a = ema - ctl_target(c), b = low - ctl_least_left(c);
    double error_s = (a < b ? a : b) / c->rate;
    int64_t fresh = pulls - c->pulls_integrated;
    if (fresh) {
        c->pulls_integrated = pulls;
        if (fabs(error_s) > k[K_INTEGRATE_WITHIN_S])
            fresh = 0; /* no wind-up while far off (a stall) */
    }
    if (fresh) {
        double dt = (double)fresh * pull160 / c->rate;
        double limit = k[K_MAX_CORRECTION] / 2;
        c->integral = clamp(c->integral + k[K_INTEGRAL_PER_S2] * error_s * dt, -limit, limit);
    }
    double trim = k[K_GAIN_PER_S] * error_s + c->integral;
    return clamp(trim, -k[K_MAX_CORRECTION], k[K_MAX_CORRECTION]);
}

/* ---- streaming resampler with a trimmed ratio (resample.py) --------------- */

typedef struct {
    int64_t rate_in, rate_out, half, taps, phases, max_block, max_out, hlen;
    double nominal_step, correction, t;
    float *tab, *dtab; /* [phases][taps]: weights, and their step to the next phase */
    float *buf, *y;
} ds_rs;

static void rs_free(ds_rs *r)
{
    free(r->tab);
    free(r->dtab);
    free(r->buf);
    free(r->y);
    memset(r, 0, sizeof(*r));
}

static void rs_reset(ds_rs *r)
{
    r->hlen = r->half - 1;
    memset(r->buf, 0, (size_t)r->hlen * sizeof(float));
    r->t = (double)(r->half - 1);
    r->correction = 0.0;
}

static int rs_init(ds_rs *r, int64_t rate_in, int64_t rate_out, int64_t half, int64_t phases,
                   const float *tab, const float *dtab, int64_t max_block)
{
    rs_free(r);
    r->rate_in = rate_in;
    r->rate_out = rate_out;
    r->nominal_step = (double)rate_in / (double)rate_out;
    r->half = half;
    r->taps = 2 * half;
    r->phases = phases;
    r->max_block = max_block;
    r->max_out = (int64_t)ceil((double)max_block / (r->nominal_step * 0.9)) + 4;
    int64_t hist = r->taps + 8 + (int64_t)(r->nominal_step * 2 + 2);
    size_t table = (size_t)(phases * r->taps) * sizeof(float);
    r->tab = malloc(table);
    r->dtab = malloc(table);
    r->buf = calloc((size_t)(hist + max_block), sizeof(float));
    r->y = calloc((size_t)r->max_out + 1, sizeof(float));
    if (!r->tab || !r->dtab || !r->buf || !r->y) {
        rs_free(r);
        return -1;
    }
    memcpy(r->tab, tab, table);
    memcpy(r->dtab, dtab, table);
    rs_reset(r);
    return 0;
}

static double rs_step(ds_rs *r) { return r->nominal_step * (1.0 + r->correction); }

/* New input samples the next `n_out` outputs need (pull mode). */
static int64_t rs_needed(ds_rs *r, int64_t n_out)
{
    if (n_out <= 0)
        return 0;
    double last = r->t + rs_step(r) * (double)(n_out - 1);
    int64_t n = (int64_t)floor(last) + r->half + 1 - r->hlen;
    return n > 0 ? n : 0;
}

/* Feed `x`; outputs to r->y: every one computable (n_out < 0), or exactly n_out. */
static int64_t rs_process(ds_rs *r, const float *x, int64_t n, int64_t n_out)
{
    if (n > r->max_block)
        n = r->max_block;
    float *src = r->buf;
    int64_t length = r->hlen + n;
    memcpy(src + r->hlen, x, (size_t)n * sizeof(float));
    double step = rs_step(r);
    int64_t count = (int64_t)ceil(((double)(length - r->half) - r->t) / step);
    if (count > r->max_out)
        count = r->max_out;
    if (n_out >= 0 && count > n_out)
        count = n_out;
    if (count < 0)
        count = 0;
    int64_t taps = r->taps, phases = r->phases;
    for (int64_t j = 0; j < count; j++) {
        double pos = (double)j * step + r->t;
        double fl = floor(pos);
        double frac = (pos - fl) * (double)phases;
        double pf = floor(frac);
        int64_t p0 = (int64_t)pf < phases - 1 ? (int64_t)pf : phases - 1;
        float a = (float)(frac - pf);
        const float *g = src + (int64_t)fl - (r->half - 1);
        const float *c = r->tab + p0 * taps, *d = r->dtab + p0 * taps;
        float acc = 0.0f;
        for (int64_t q = 0; q < taps; q++)
            acc += g[q] * (c[q] + d[q] * a);
        r->y[j] = acc;
    }
    double t = r->t + step * (double)count;
    int64_t start = (int64_t)floor(t) - (r->half - 1);
    if (start > length)
        start = length;
    if (start < 0)
        start = 0;
    int64_t keep = length - start;
    memmove(src, src + start, (size_t)keep * sizeof(float));
    r->hlen = keep;
    r->t = t - (double)start;
    if (n_out >= 0 && count < n_out) { /* never happens when fed rs_needed(n_out) */
        float hold = count ? r->y[count - 1] : 0.0f;
        for (int64_t j = count; j < n_out; j++)
            r->y[j] = hold;
        return n_out;
    }
    return count;
}

/* ---- the device side --------------------------------------------------- */

typedef struct {
    double k[K_COUNT];
    bp_ring capture, playback, near, far;
    int64_t *ints;
    double *floats;
    double play_f[STATE_FLOATS];
    int64_t play_i[STATE_INTS];
    ds_ctl cap_ctl, play_ctl;
    ds_rs cap_rs, play_rs;
    int64_t max_block;
    double primings, last_capture, input_peak, output_peak, input_age, in_at, out_at;
    int64_t input_errors, output_errors, playback_resyncs, input_callbacks, output_callbacks;
    /* the mode: 0 the microphone callback writes the capture ring, 1 the `near` ring
       (echo cancellation in Python); requested by Python, acknowledged here */
    volatile int64_t mode_request, mode;
    int wake_fd;
    int64_t in_channels, out_channels;
    /* driving the conference's clock (bridgeport.c): one byte on `drive_fd` per frame
       completed in the capture ring since `drive_origin` (the ring's read position
       when it was primed; -1: not primed). Origin and generation are the microphone
       callback's; `signalled` and `signal_gen` the capture ring's writer's. */
    int drive_fd;
    volatile int64_t drive_origin, drive_generation;
    int64_t signalled, signal_gen;
    /* scratch, callbacks only */
    float *mono, *pf;
    int16_t *i16, *p16, *i16p; /* i16p: the speaker's played block, for the reference */
    int16_t *near_buf, *far_buf;
    int64_t near_c[RING_COUNTERS], far_c[RING_COUNTERS];
} ds;

static int16_t to_int16(float v)
{
    v *= 32767.0f;
    if (v > 32767.0f)
        v = 32767.0f;
    if (v < -32768.0f)
        v = -32768.0f;
    return (int16_t)v; /* truncates toward zero, as numpy's unsafe cast */
}

static void restart_capture(ds *d)
{
    d->floats[F_PRIMED] = 0.0;
    ctl_restart(&d->cap_ctl);
    d->last_capture = -1.0;
    d->drive_origin = -1;
    d->drive_generation += 1;
}

/* The capture ring's writer, after a write: a byte for each frame completed. */
BP_EXPORT void ds_signal(ds *d)
{
#ifdef _WIN32
    (void)d; /* no clock to drive there yet */
#else
    if (d->drive_fd < 0)
        return;
    int64_t gen = d->drive_generation;
    if (gen != d->signal_gen) {
        d->signal_gen = gen;
        d->signalled = 0;
    }
    int64_t origin = d->drive_origin;
    if (origin < 0)
        return;
    int64_t due = (load(&d->capture.c[W]) - origin) / (int64_t)d->k[K_FRAME_SAMPLES];
    char bytes[64] = {0};
    while (d->signalled < due) {
        int64_t n = due - d->signalled < 64 ? due - d->signalled : 64;
        if (write(d->drive_fd, bytes, (size_t)n) <= 0)
            break; /* full: the clock is not reading; the timer takes over */
        d->signalled += n;
    }
#endif
}

/* Samples from the microphone: `frames` frames of `channels` interleaved float32. */
BP_EXPORT void ds_capture(ds *d, const float *in, int64_t frames, int64_t channels, int64_t err,
                          double now)
{
    int64_t mode = d->mode_request;
    if (mode != d->mode)
        d->mode = mode; /* the acknowledgement: this callback writes for the new mode */
    if (err)
        d->input_errors += 1;
    if (frames <= 0)
        return;
    if (frames > d->max_block) {
        in += (frames - d->max_block) * channels;
        frames = d->max_block;
    }
    float peak = 0.0f;
    for (int64_t j = 0; j < frames; j++) {
        float v = in[j * channels];
        d->mono[j] = v;
        v = fabsf(v);
        if (v > peak)
            peak = v;
    }
    d->input_peak = peak > d->input_peak ? peak : d->input_peak * 0.95;
    ds_ctl *ctl = &d->cap_ctl;
    int driving = d->drive_fd >= 0;
    /* driving the conference, the two clocks are one: no trim */
    d->cap_rs.correction = driving ? 0.0 : ctl_adapt(ctl);
    int64_t m = rs_process(&d->cap_rs, d->mono, frames, -1);
    /* what may be missing at a pull: what arrives in the longest wait between two
       deliveries, not one block */
    double last = d->last_capture;
    d->last_capture = now;
    double waited = last >= 0 ? (double)(int64_t)((now - last) * d->k[K_CALL_RATE]) : 0;
    ctl_note_block(ctl, waited > (double)m ? waited : (double)m);
    for (int64_t j = 0; j < m; j++)
        d->i16[j] = to_int16(d->cap_rs.y[j]);
    if (mode == 0) {
        ring_write(&d->capture, d->i16, m);
    } else {
        ring_write(&d->near, d->i16, m);
#ifndef _WIN32
        if (d->wake_fd >= 0 && m > 0) {
            char b = 1;
            ssize_t ignored = write(d->wake_fd, &b, 1); /* full pipe: already awake */
            (void)ignored;
        }
#endif
    }
    d->floats[F_TARGET_LEFT] = ctl_start_left(ctl);
    ctl->callbacks += 1;
    if (!ctl->primed) {
        /* pjmedia's side does not read the ring until it is primed: hold it at
           target while the stream settles (its first blocks come in bursts);
           driving the conference, pjmedia takes each frame as it completes: a
           frame is all it needs */
        double target = ctl->pull + (driving ? 0.0 : ctl_start_left(ctl));
        double fill = (double)ring_fill(&d->capture);
        if (fill > target)
            ring_discard(&d->capture, (int64_t)(fill - target));
        fill = (double)ring_fill(&d->capture);
        if (fill >= target && ctl->callbacks >= (int64_t)d->k[K_PRIME_CALLBACKS]) {
            ctl->primed = 1;
            d->primings += 1;
            if (driving) {
                d->drive_origin = load(&d->capture.c[R]);
                d->drive_generation += 1;
            }
            d->floats[F_PRIMED] = d->primings; /* pjmedia's side reads from now on */
        }
    }
    if (mode == 0)
        ds_signal(d);
}

/* The echo canceller's reference: what the speaker plays. At equal rates the played
   block itself, in the device's time base: what the drift control takes from the
   playback ring runs faster or slower than the device (the ratio trim), and a reference
   in that time base slid against the echo by as much (3-4 ms a second while the ring
   settled at the start of a call: the canceller lost 20-40 dB for seconds). At other
   rates the call-rate block (the trim is then inside the resampler). */
static void far_reference(ds *d, int64_t need, int64_t n)
{
    if (d->play_rs.rate_out != (int64_t)d->k[K_CALL_RATE]) {
        ring_write(&d->far, d->p16, need);
        return;
    }
    for (int64_t j = 0; j < n; j++) {
        float v = d->play_rs.y[j] * 32768.0f;
        d->i16p[j] = (int16_t)(v > 32767.0f ? 32767.0f : v < -32768.0f ? -32768.0f : v);
    }
    ring_write(&d->far, d->i16p, n);
}

/* Fill `out` (`frames` frames of `channels` interleaved float32) for the speaker. */
BP_EXPORT void ds_playback(ds *d, float *out, int64_t frames, int64_t channels, int64_t err)
{
    if (err)
        d->output_errors += 1;
    ds_rs *rs = &d->play_rs;
    ds_ctl *ctl = &d->play_ctl;
    bp_ring *ring = &d->playback;
    int64_t n = frames;
    int64_t fill = ring_fill(ring);
    if (!ctl->primed) {
        ctl_note_block(ctl, (double)rs_needed(rs, n));
        ctl->callbacks += 1;
        double target = ctl->pull + ctl_start_left(ctl);
        if ((double)fill < target || ctl->callbacks < (int64_t)d->k[K_PRIME_CALLBACKS]) {
            if ((double)fill > target)
                ring_discard(ring, (int64_t)((double)fill - target));
            memset(out, 0, (size_t)(n * channels) * sizeof(float));
            return;
        }
        ctl->primed = 1;
        d->floats[F_PLAY_PRIMED] = 1.0;
    }
    double excess = (double)fill - ctl_target(ctl) - d->k[K_RESYNC_EXCESS_S] * d->k[K_CALL_RATE];
    if (excess > 0) {
        ring_discard(ring, (int64_t)excess);
        d->playback_resyncs += 1;
        fill = ring_fill(ring);
    }
    rs->correction = ctl_adapt(ctl);
    int64_t need = rs_needed(rs, n);
    ctl_pulled(ctl, fill, need);
    ctl_note_block(ctl, (double)need);
    if (need > 4 * d->max_block)
        need = 4 * d->max_block;
    ring_read(ring, d->p16, need);
    for (int64_t j = 0; j < need; j++)
        d->pf[j] = (float)d->p16[j] * (1.0f / 32768.0f);
    rs_process(rs, d->pf, need, n);
    far_reference(d, need, n);
    float peak = 0.0f;
    for (int64_t j = 0; j < n; j++) {
        float v = rs->y[j];
        for (int64_t ch = 0; ch < channels; ch++)
            out[j * channels + ch] = v;
        v = fabsf(v);
        if (v > peak)
            peak = v;
    }
    d->output_peak = peak > d->output_peak ? peak : d->output_peak * 0.95;
}

/* ---- PortAudio's callbacks (PaStreamCallback) --------------------------- */

typedef struct {
    double input_adc, current, output_dac;
} ds_pa_time;

enum { PA_INPUT_OVERFLOW = 2, PA_OUTPUT_UNDERFLOW = 4 }; /* the ones that lose samples */

BP_EXPORT int ds_input_callback(const void *input, void *output, unsigned long frames,
                                const ds_pa_time *time, unsigned long flags, void *user)
{
    ds *d = user;
    (void)output;
    double now = monotonic();
    d->input_callbacks += 1;
    store(&d->ints[I_INPUT_CALLBACKS], d->input_callbacks);
    d->in_at = now;
    if (time) {
        double age = time->current - time->input_adc;
        if (0.0 <= age && age < 1.0) /* 0 where the host API has no timestamps */
            d->input_age += 0.02 * (age - d->input_age);
    }
    if (input)
        ds_capture(d, input, (int64_t)frames, d->in_channels, flags != 0, now);
    return 0; /* paContinue */
}

BP_EXPORT int ds_output_callback(const void *input, void *output, unsigned long frames,
                                 const ds_pa_time *time, unsigned long flags, void *user)
{
    ds *d = user;
    (void)input;
    (void)time;
    d->output_callbacks += 1;
    store(&d->ints[I_OUTPUT_CALLBACKS], d->output_callbacks);
    d->out_at = monotonic();
    ds_playback(d, output, (int64_t)frames, d->out_channels, flags != 0);
    return 0;
}

/* ---- called from Python (ctypes) ---------------------------------------- */

/* A device side over the BridgeState at `base` (`capacity` samples per ring);
   `cfg`: the tunables, indexed by K_*. NULL when out of memory. */
BP_EXPORT ds *ds_new(char *base, int64_t capacity, const double *cfg)
{
    ds *d = calloc(1, sizeof(ds));
    if (!d)
        return NULL;
    memcpy(d->k, cfg, sizeof(d->k));
    int64_t *cap_c = (int64_t *)base;
    int64_t *play_c = cap_c + RING_COUNTERS;
    d->ints = play_c + RING_COUNTERS;
    d->floats = (double *)(d->ints + STATE_INTS);
    int16_t *cap_buf = (int16_t *)(d->floats + STATE_FLOATS);
    d->capture = (bp_ring){cap_c, cap_buf, capacity};
    d->playback = (bp_ring){play_c, cap_buf + capacity, capacity};
    d->max_block = (int64_t)d->k[K_MAX_BLOCK];
    int64_t big = 4 * d->max_block + 16;
    d->mono = calloc((size_t)big, sizeof(float));
    d->pf = calloc((size_t)big, sizeof(float));
    d->i16 = calloc((size_t)big, sizeof(int16_t));
    d->p16 = calloc((size_t)big, sizeof(int16_t));
    d->i16p = calloc((size_t)big, sizeof(int16_t));
    d->near_buf = calloc((size_t)capacity, sizeof(int16_t));
    d->far_buf = calloc((size_t)capacity, sizeof(int16_t));
    if (!d->mono || !d->pf || !d->i16 || !d->p16 || !d->i16p || !d->near_buf || !d->far_buf) {
        free(d->mono), free(d->pf), free(d->i16), free(d->p16), free(d->i16p);
        free(d->near_buf), free(d->far_buf), free(d);
        return NULL;
    }
    d->near = (bp_ring){d->near_c, d->near_buf, capacity};
    d->far = (bp_ring){d->far_c, d->far_buf, capacity};
    d->wake_fd = -1;
    d->drive_fd = -1;
    d->drive_origin = -1;
    d->in_channels = d->out_channels = 1;
    for (int j = 0; j < STATE_FLOATS; j++)
        d->play_f[j] = 0.0;
    ctl_init(&d->cap_ctl, d->k, d->k[K_CAPTURE_MARGIN_S], d->k[K_WAIT_SHARE], d->floats,
             d->ints);
    ctl_init(&d->play_ctl, d->k, d->k[K_PLAYBACK_MARGIN_S], 1.0, d->play_f, d->play_i);
    d->floats[F_TARGET_LEFT] = ctl_start_left(&d->cap_ctl);
    d->primings = (double)d->ints[I_PRIMED_SEEN]; /* a restarted audio process */
    d->input_callbacks = d->ints[I_INPUT_CALLBACKS];
    d->output_callbacks = d->ints[I_OUTPUT_CALLBACKS];
    d->last_capture = -1.0;
    return d;
}

/* Streams stopped, PortAudio no longer calls: free everything. */
BP_EXPORT void ds_free(ds *d)
{
    if (!d)
        return;
    rs_free(&d->cap_rs);
    rs_free(&d->play_rs);
    free(d->mono), free(d->pf), free(d->i16), free(d->p16), free(d->i16p);
    free(d->near_buf), free(d->far_buf);
    free(d);
}

/* A new microphone, its stream stopped: its resampler (table from resample.py),
   the ring primed afresh. 0, or -1 out of memory. */
BP_EXPORT int ds_set_capture(ds *d, int64_t rate, int64_t channels, int64_t half,
                             int64_t phases, const float *tab, const float *dtab)
{
    d->in_channels = channels;
    if (rate != d->cap_rs.rate_in || !d->cap_rs.buf) {
        if (rs_init(&d->cap_rs, rate, (int64_t)d->k[K_CALL_RATE], half, phases, tab, dtab,
                    d->max_block))
            return -1;
    }
    rs_reset(&d->cap_rs);
    restart_capture(d);
    return 0;
}

/* A new speaker, its stream stopped. */
BP_EXPORT int ds_set_playback(ds *d, int64_t rate, int64_t channels, int64_t half,
                              int64_t phases, const float *tab, const float *dtab)
{
    d->out_channels = channels;
    if (rate != d->play_rs.rate_out || !d->play_rs.buf) {
        if (rs_init(&d->play_rs, (int64_t)d->k[K_CALL_RATE], rate, half, phases, tab, dtab,
                    4 * d->max_block))
            return -1;
    }
    rs_reset(&d->play_rs);
    ctl_restart(&d->play_ctl);
    store(&d->playback.c[R], load(&d->playback.c[W]));
    d->floats[F_PLAY_PRIMED] = 0.0;
    d->floats[F_PLAY_RUNNING] = 1.0;
    return 0;
}

BP_EXPORT void ds_capture_stopped(ds *d) { restart_capture(d); }

/* Drive the conference's clock through `fd` (-1: not), set before streams open. */
BP_EXPORT void ds_set_drive_fd(ds *d, int64_t fd) { d->drive_fd = (int)fd; }
BP_EXPORT void ds_playback_stopped(ds *d) { d->floats[F_PLAY_RUNNING] = 0.0; }

/* 1: the microphone's samples go to the `near` ring (and a byte to `wake_fd`). */
BP_EXPORT void ds_request_mode(ds *d, int64_t mode, int64_t wake_fd)
{
    d->wake_fd = (int)wake_fd;
    d->mode_request = mode;
}
BP_EXPORT int64_t ds_mode(ds *d) { return d->mode; }

/* The private rings' memory, for Python's SampleRing views (0 near, 1 far). */
BP_EXPORT int64_t *ds_ring_counters(ds *d, int64_t which)
{
    return which ? d->far_c : d->near_c;
}
BP_EXPORT int16_t *ds_ring_buffer(ds *d, int64_t which)
{
    return which ? d->far_buf : d->near_buf;
}

/* Statistics, indexed by S_*; any thread (a torn double is a stale figure). */
BP_EXPORT void ds_stats(ds *d, double *s)
{
    s[S_CAPTURE_TARGET] = ctl_target(&d->cap_ctl);
    s[S_PLAYBACK_EMA] = d->play_f[F_EMA];
    s[S_PLAYBACK_TARGET] = ctl_target(&d->play_ctl);
    double low = d->play_f[F_LOW];
    s[S_PLAYBACK_LOW] = low == low ? low : 0.0;
    s[S_CAPTURE_CORRECTION] = d->cap_rs.correction;
    s[S_PLAYBACK_CORRECTION] = d->play_rs.correction;
    s[S_CAPTURE_DRIFT] = d->cap_ctl.integral;
    s[S_PLAYBACK_DRIFT] = d->play_ctl.integral;
    s[S_INPUT_ERRORS] = (double)d->input_errors;
    s[S_OUTPUT_ERRORS] = (double)d->output_errors;
    s[S_INPUT_PEAK] = d->input_peak;
    s[S_OUTPUT_PEAK] = d->output_peak;
    s[S_INPUT_AGE] = d->input_age;
    s[S_PLAYBACK_RESYNCS] = (double)d->playback_resyncs;
    s[S_INPUT_AT] = d->in_at;
    s[S_OUTPUT_AT] = d->out_at;
    s[S_MODE] = (double)d->mode;
    s[S_CAPTURE_EMA] = d->floats[F_EMA];
    low = d->floats[F_LOW];
    s[S_CAPTURE_LOW] = low == low ? low : 0.0;
}

BP_EXPORT int64_t ds_stats_count(void) { return S_COUNT; }
BP_EXPORT int64_t ds_cfg_count(void) { return K_COUNT; }
