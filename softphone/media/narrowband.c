/*
 * The 16 kHz face of an 8 kHz call (G.711, GSM...): our own 2:1 resampler
 * between pjmedia's conference bridge and the call's stream port.
 *
 * pjmedia's bridge runs at 16 kHz here and resamples every 8 kHz port itself,
 * with libresample's large filter: flat to 3.0 kHz, -2.4 dB over 3.4-3.7 kHz and
 * -17 dB over 3.7-4.0 kHz, with about 4 ms of delay. Measured with PESQ (bench/
 * quality.py; README, "Speech quality"), that band edge cost what we send over
 * PCMU 0.02-0.04 MOS against a peer that sends its 8 kHz speech untouched.
 * This port advertises 16 kHz to the bridge, so the bridge does no resampling
 * for it, and converts with a 63-tap minimax low-pass (flat within 0.06 dB to
 * 3.5 kHz, -0.2 dB at 3.6 kHz, -2.5 dB at 3.8 kHz, >= 70 dB down from 4.4 kHz,
 * so what folds below 3.6 kHz is 70 dB down) in 1.9 ms of delay. It replaced a
 * Kaiser-windowed sinc of the same length, which met the same stop band (65 dB)
 * but was -1.5 dB at 3.6 kHz and -6 dB at 3.8 kHz.
 * Downwards it filters and keeps every second sample; upwards it interpolates
 * by the filter's two polyphase halves (gain 2).
 *
 * Lifetime: the port holds a reference on the stream port's group lock from
 * `nb_new` until pjmedia destroys this port (both the bridge and pjsua, which
 * owns it by `destroy_port`, have let go), so the stream outlives every call
 * into it; `nb_detach` (when pjsua tells the stream is being destroyed) makes
 * it stop calling the stream at once. The struct is freed by Python once
 * `nb_destroyed` says pjmedia is done with it (engine/narrowband.py).
 *
 * Threads: get/put run on pjmedia's clock thread; everything else on the
 * engine thread. Callbacks only compute: no allocation, no lock, no logging.
 */
#include "bridgestate.h"
#include "pjmedia_abi.h"

enum { TAPS = 63, HALF = (TAPS + 1) / 2 }; /* odd: linear phase, delay (TAPS-1)/2 */

typedef int (*nb_pj_frame_fn)(void *port, bp_pj_frame *frame);
typedef int (*nb_pj_ref_fn)(void *port);

typedef struct {
    bp_pj_port pj; /* first: pjmedia calls back with this address */
    char name[32];
    void *inner; /* the stream's port, 8 kHz */
    nb_pj_frame_fn get_frame, put_frame; /* pjsip's pjmedia_port_get/put_frame */
    nb_pj_ref_fn dec_ref; /* pjsip's pjmedia_port_dec_ref */
    int64_t narrow; /* samples per frame at 8 kHz; twice that here */
    float *down; /* TAPS-1 inputs of history, then a frame at 16 kHz */
    float *up; /* HALF-1 inputs of history, then a frame at 8 kHz */
    int16_t *buf; /* a frame at 8 kHz, to and from the stream */
    volatile int detached;
    int g711; /* the stream's codec is G.711: even out pjmedia's encoder (g711_even) */
    /* written by the callbacks, read by Python */
    volatile int64_t gets, puts, mismatched, destroyed;
} nb_port;

static float taps[TAPS];

/* The first half of the taps and the centre, from `python bench/narrowband_filter.py
   --table` (the design is described there): the minimax low-pass over 0-3.55 kHz and
   4.4-8 kHz at 16 kHz, unity gain at 0 Hz. */
static const float half_taps[HALF] = {
    +4.472444344e-04f, +1.319014028e-03f, +5.776558707e-04f, -1.208990989e-03f,
    -9.435248120e-04f, +1.710011746e-03f, +1.608418966e-03f, -2.296725859e-03f,
    -2.592955087e-03f, +2.968550476e-03f, +3.941912647e-03f, -3.704561290e-03f,
    -5.743029939e-03f, +4.487772491e-03f, +8.108830920e-03f, -5.295411994e-03f,
    -1.119956005e-02f, +6.101564776e-03f, +1.526011174e-02f, -6.878325939e-03f,
    -2.070371466e-02f, +7.596917100e-03f, +2.830650315e-02f, -8.229728764e-03f,
    -3.973857516e-02f, +8.751328783e-03f, +5.936777669e-02f, -9.140432808e-03f,
    -1.032790279e-01f, +9.380634281e-03f, +3.165064948e-01f, +4.890276446e-01f,
};

/* The whole filter, mirrored from the table once: before the first port exists, on
   the engine thread. */
static void ensure_taps(void)
{
    if (taps[HALF - 1] != 0.0f) /* the centre tap */
        return;
    for (int i = 0; i < HALF; i++)
        taps[i] = taps[TAPS - 1 - i] = half_taps[i];
}

static int16_t to_pcm(float v)
{
    v = v >= 0.0f ? v + 0.5f : v - 0.5f;
    if (v > 32767.0f)
        return 32767;
    if (v < -32768.0f)
        return -32768;
    return (int16_t)v;
}

/* 2n samples at 16 kHz (`in`) -> n at 8 kHz (`out`); `hist` holds TAPS-1 + 2n. */
static void downsample(float *hist, const int16_t *in, int16_t *out, int64_t n)
{
    float *x = hist + TAPS - 1;
    for (int64_t j = 0; j < 2 * n; j++)
        x[j] = (float)in[j];
    for (int64_t m = 0; m < n; m++) {
        const float *newest = x + 2 * m + 1; /* keep the odd phase: the latest input */
        float acc = 0.0f;
        for (int k = 0; k < TAPS; k++)
            acc += taps[k] * newest[-k];
        out[m] = to_pcm(acc);
    }
    memmove(hist, hist + 2 * n, (TAPS - 1) * sizeof(float));
}

/* n samples at 8 kHz (`in`) -> 2n at 16 kHz (`out`); `hist` holds HALF-1 + n. */
static void upsample(float *hist, const int16_t *in, int16_t *out, int64_t n)
{
    float *x = hist + HALF - 1;
    for (int64_t j = 0; j < n; j++)
        x[j] = (float)in[j];
    for (int64_t m = 0; m < n; m++) {
        const float *newest = x + m;
        float even = 0.0f, odd = 0.0f;
        for (int k = 0; k < HALF; k++)
            even += taps[2 * k] * newest[-k];
        for (int k = 0; k < HALF - 1; k++)
            odd += taps[2 * k + 1] * newest[-k];
        out[2 * m] = to_pcm(2.0f * even);
        out[2 * m + 1] = to_pcm(2.0f * odd);
    }
    memmove(hist, hist + n, (HALF - 1) * sizeof(float));
}

/* pjmedia's G.711 encoders look their codes up by `pcm >> 2`, which rounds a negative
   sample towards minus infinity: a negative sample is coded as if it were up to 3 larger
   in magnitude than a positive one (the decision levels of the negative half sit 3 off
   G.711's, which mirror the positive half). Speech so coded scored 0.011 PESQ below the
   same speech coded by baresip (rem), in every run (bench/quality.py). Moving negative
   samples 3 towards zero makes pjmedia's decisions mirror images, as G.711's are. */
static void g711_even(int16_t *pcm, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (pcm[i] < 0) /* -3..-1 to 0: the positive zero code, pjmedia has no other */
            pcm[i] = pcm[i] <= -3 ? (int16_t)(pcm[i] + 3) : 0;
}

/* The bridge asks for what the call received. */
static int nb_get_frame(void *port, void *frame_)
{
    nb_port *p = port;
    bp_pj_frame *frame = frame_;
    p->gets += 1;
    if (p->detached || frame->size != (size_t)(4 * p->narrow)) {
        p->mismatched += !p->detached;
        frame->type = FRAME_NONE;
        frame->size = 0;
        return 0;
    }
    bp_pj_frame f = {FRAME_AUDIO, p->buf, (size_t)(2 * p->narrow), frame->timestamp / 2, 0};
    if (p->get_frame(p->inner, &f) != 0 || f.type != FRAME_AUDIO || f.size != (size_t)(2 * p->narrow)) {
        memset(p->up, 0, (HALF - 1) * sizeof(float)); /* a gap: start afresh after it */
        frame->type = FRAME_NONE;
        frame->size = 0;
        return 0;
    }
    upsample(p->up, p->buf, frame->buf, p->narrow);
    frame->type = FRAME_AUDIO;
    return 0;
}

/* The bridge hands over what we send to the call. */
static int nb_put_frame(void *port, void *frame_)
{
    nb_port *p = port;
    bp_pj_frame *frame = frame_;
    p->puts += 1;
    if (p->detached)
        return 0;
    bp_pj_frame f = {FRAME_NONE, p->buf, (size_t)(2 * p->narrow), frame->timestamp / 2, 0};
    if (frame->type == FRAME_AUDIO && frame->size == (size_t)(4 * p->narrow)) {
        downsample(p->down, frame->buf, p->buf, p->narrow);
        if (p->g711)
            g711_even(p->buf, p->narrow);
        f.type = FRAME_AUDIO;
    } else { /* nothing to send this frame (or a size we cannot convert) */
        p->mismatched += frame->type == FRAME_AUDIO;
        memset(p->down, 0, (TAPS - 1) * sizeof(float));
        memset(p->buf, 0, (size_t)(2 * p->narrow));
    }
    return p->put_frame(p->inner, &f);
}

static int nb_on_destroy(void *port)
{
    nb_port *p = port;
    p->detached = 1;
    p->dec_ref(p->inner); /* the reference nb_new's caller took for us */
    p->destroyed = 1;
    return 0;
}

/* ---- called from Python (ctypes), on the engine thread ------------------- */

/* A port for `inner` (an 8 kHz mono stream port with `narrow` samples per frame);
   the caller has taken a reference on `inner` for it and fills `pj.info` with
   pjmedia_port_info_init (16 kHz, 2 * narrow samples). NULL if out of memory. */
BP_EXPORT nb_port *nb_new(const char *name, void *inner, int64_t narrow, void *get_frame,
                          void *put_frame, void *dec_ref)
{
    ensure_taps();
    nb_port *p = calloc(1, sizeof(nb_port));
    if (!p)
        return NULL;
    p->down = calloc((size_t)(TAPS - 1 + 2 * narrow), sizeof(float));
    p->up = calloc((size_t)(HALF - 1 + narrow), sizeof(float));
    p->buf = calloc((size_t)narrow, sizeof(int16_t));
    if (!p->down || !p->up || !p->buf) {
        free(p->down), free(p->up), free(p->buf), free(p);
        return NULL;
    }
    strncpy(p->name, name, sizeof(p->name) - 1);
    p->inner = inner;
    p->narrow = narrow;
    p->get_frame = (nb_pj_frame_fn)get_frame;
    p->put_frame = (nb_pj_frame_fn)put_frame;
    p->dec_ref = (nb_pj_ref_fn)dec_ref;
    p->pj.get_frame = nb_get_frame;
    p->pj.put_frame = nb_put_frame;
    p->pj.on_destroy = nb_on_destroy;
    return p;
}

BP_EXPORT char *nb_name(nb_port *p) { return p->name; }
BP_EXPORT void nb_detach(nb_port *p) { p->detached = 1; }
/* Before the port joins the bridge: the stream sends G.711 (PCMU or PCMA). */
BP_EXPORT void nb_set_g711(nb_port *p, int on) { p->g711 = on; }
BP_EXPORT int64_t nb_gets(nb_port *p) { return p->gets; }
BP_EXPORT int64_t nb_puts(nb_port *p) { return p->puts; }
BP_EXPORT int64_t nb_mismatched(nb_port *p) { return p->mismatched; }
BP_EXPORT int64_t nb_destroyed(nb_port *p) { return p->destroyed; }

/* Only once pjmedia has destroyed it (`nb_destroyed`), or if it never joined. */
BP_EXPORT void nb_free(nb_port *p)
{
    free(p->down), free(p->up), free(p->buf), free(p);
}

/* The filters alone, for tests: `n` samples through a fresh history. */
BP_EXPORT void nb_downsample(const int16_t *in, int16_t *out, int64_t n)
{
    ensure_taps();
    float *hist = calloc((size_t)(TAPS - 1 + 2 * n), sizeof(float));
    if (hist)
        downsample(hist, in, out, n);
    free(hist);
}

BP_EXPORT void nb_g711_even(int16_t *pcm, int64_t n) { g711_even(pcm, n); }

/* The TAPS taps in use (bench/narrowband_filter.py, tests). */
BP_EXPORT void nb_taps(float *out)
{
    ensure_taps();
    memcpy(out, taps, sizeof(taps));
}

BP_EXPORT void nb_upsample(const int16_t *in, int16_t *out, int64_t n)
{
    ensure_taps();
    float *hist = calloc((size_t)(HALF - 1 + n), sizeof(float));
    if (hist)
        upsample(hist, in, out, n);
    free(hist);
}
