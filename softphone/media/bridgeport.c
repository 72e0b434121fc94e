/*
 * pjmedia's half of the audio bridge as a native pjmedia port.
 *
 * The same work as `PjmediaSide` in bridge.py (which stays as the fallback and
 * the reference), over the same shared-memory `BridgeState`, but called by
 * pjmedia's conference clock without Python: no GIL, so a busy thread in the
 * engine process (the UI) no longer delays the speaker's frames, and no SWIG
 * director dispatch per frame.
 *
 * Loaded with ctypes (softphone/engine/nativeport.py); it includes no pjsip
 * header. pjmedia_abi.h mirrors pjmedia 2.15's `pjmedia_port` (pjmedia/port.h)
 * field by field: the Python side fills `info` with pjsip's own
 * pjmedia_port_info_init, and checks before use that pjsip's dispatchers
 * (pjmedia_port_get_frame, _put_frame, _destroy) reach the callbacks set here,
 * so a build with another layout is refused rather than called wrongly.
 *
 * Threads: bp_get_frame / bp_put_frame run on pjmedia's clock thread; the device
 * side (another thread or process) owns the other ends of the two rings. Each
 * counter has one writer; positions are published with release stores after
 * the samples, and read with acquire loads (see media/ring.py).
 */
#define _GNU_SOURCE /* ppoll */
#include "bridgestate.h"
#include "pjmedia_abi.h"


typedef struct bp_port {
    bp_pj_port pj; /* first: pjmedia calls back with this address */
    char name[32];
    bp_ring capture, playback;
    int64_t *ints;
    double *floats;
    int64_t frame_samples;
    double rate, period, resync, low_water_s, low_release, ema_alpha;
    double last_pull;
    /* written by the callbacks, read by Python */
    volatile int64_t gets, puts, destroyed;
} bp_port;

/* What a pull saw (bridge.py `_pulled`): low envelope, average, deficit. */
static void pulled(bp_port *p, int64_t fill, int64_t count, int on_time)
{
    double *f = p->floats;
    double left = (double)(fill - count);
    if (left < p->low_water_s * p->rate)
        f[F_DEFICIT] += p->low_water_s - left / p->rate;
    p->ints[I_PULLS] += 1;
    if (!on_time)
        return;
    double low = f[F_LOW];
    f[F_LOW] = !(low <= left) ? left : low + p->low_release * (left - low); /* NaN: unset */
    double ema = f[F_EMA];
    f[F_EMA] = ema < 0 ? (double)fill : ema + p->ema_alpha * ((double)fill - ema);
}

/* pjmedia asks for what the microphone said (bridge.py `frame_requested`). */
static int bp_get_frame(void *port, void *frame_)
{
    bp_port *p = port;
    bp_pj_frame *frame = frame_;
    int64_t count = (int64_t)(frame->size / 2);
    p->gets += 1;
    frame->type = FRAME_AUDIO;
    if (!p->ints) /* the layout probe */
        return 0;
    double *f = p->floats;
    int64_t *i = p->ints;
    double primed = f[F_PRIMED];
    if (primed == 0.0) {
        i[I_PRIMING_FRAMES] += 1;
        memset(frame->buf, 0, frame->size);
        return 0;
    }
    if (primed != (double)i[I_PRIMED_SEEN])
        i[I_PRIMED_SEEN] = (int64_t)primed;
    int64_t fill = ring_fill(&p->capture);
    double now = monotonic();
    double gap = now - p->last_pull;
    p->last_pull = now;
    /* after this thread was held up, pjmedia catches up with pulls back to back,
       which take exactly the backlog: only a pull on time measures */
    int on_time = 0.5 * p->period < gap && gap < 1.5 * p->period;
    double excess = (double)(fill - count) - f[F_TARGET_LEFT] - p->resync;
    if (excess > 0 && on_time) {
        ring_discard(&p->capture, (int64_t)excess);
        i[I_RESYNCS] += 1;
        fill = ring_fill(&p->capture);
    }
    pulled(p, fill, count, on_time);
    ring_read(&p->capture, frame->buf, count);
    return 0;
}

/* pjmedia hands over what the call said, for the speaker (`frame_received`). */
static int bp_put_frame(void *port, void *frame_)
{
    bp_port *p = port;
    bp_pj_frame *frame = frame_;
    p->puts += 1;
    if (!p->ints)
        return 0;
    double *f = p->floats;
    p->ints[I_FRAMES_RECEIVED] += 1;
    if (f[F_PLAY_RUNNING] == 0.0)
        return 0;
    int audio = frame->type == FRAME_AUDIO && frame->size >= 2;
    int64_t count = audio ? (int64_t)(frame->size / 2) : p->frame_samples;
    int64_t space = p->playback.capacity - ring_fill(&p->playback);
    if (f[F_PLAY_PRIMED] == 0.0 && space < count)
        return 0; /* the speaker has not started yet: nothing to count as lost */
    ring_write(&p->playback, audio ? frame->buf : NULL, count);
    return 0;
}

static int bp_on_destroy(void *port)
{
    ((bp_port *)port)->destroyed = 1;
    return 0;
}

/* ---- called from Python (ctypes), on the engine thread ------------------- */

BP_EXPORT size_t bp_sizeof_pj_port(void) { return sizeof(bp_pj_port); }

/* A port with no state: its callbacks only count (the layout probe). */
BP_EXPORT bp_port *bp_new(const char *name)
{
    bp_port *p = calloc(1, sizeof(bp_port));
    if (!p)
        return NULL;
    strncpy(p->name, name, sizeof(p->name) - 1);
    p->pj.get_frame = bp_get_frame;
    p->pj.put_frame = bp_put_frame;
    p->pj.on_destroy = bp_on_destroy;
    return p;
}

BP_EXPORT char *bp_name(bp_port *p) { return p->name; }

/* Point the port at a BridgeState; `base` is its buffer. Before it joins the
   conference bridge: nothing calls it yet. */
BP_EXPORT void bp_attach(
    bp_port *p, char *base, int64_t capacity, int64_t rate, int64_t frame_samples,
    double resync_s, double low_water_s, double low_release, double ema_alpha)
{
    int64_t *cap_c = (int64_t *)base;
    int64_t *play_c = cap_c + RING_COUNTERS;
    p->ints = play_c + RING_COUNTERS;
    p->floats = (double *)(p->ints + 8);
    int16_t *cap_buf = (int16_t *)(p->floats + 8);
    p->capture = (bp_ring){cap_c, cap_buf, capacity};
    p->playback = (bp_ring){play_c, cap_buf + capacity, capacity};
    p->rate = (double)rate;
    p->frame_samples = frame_samples;
    p->period = (double)frame_samples / (double)rate;
    p->resync = resync_s * (double)rate;
    p->low_water_s = low_water_s;
    p->low_release = low_release;
    p->ema_alpha = ema_alpha;
}

BP_EXPORT int64_t bp_gets(bp_port *p) { return p->gets; }
BP_EXPORT int64_t bp_puts(bp_port *p) { return p->puts; }
BP_EXPORT int64_t bp_destroyed(bp_port *p) { return p->destroyed; }

/* Only once pjmedia has let go of it (`bp_destroyed`), or never joined. */
BP_EXPORT void bp_free(bp_port *p) { free(p); }

/* ---- the conference bridge's clock ----------------------------------------
 *
 * pjsua runs with no sound device (pjsua_set_no_snd_dev): this thread clocks the
 * conference bridge's master port as pjmedia's null sound device did (a silent
 * frame in, the mix out, every 20 ms), with one difference: while the
 * microphone runs, the microphone drives it. The device side (deviceside.c, in
 * the audio process) writes one byte to `wake_fd` for every frame of samples it
 * completes in the capture ring; each byte makes one tick at once, so pjmedia
 * takes each frame as soon as it is whole instead of at a clock phase of its own,
 * and the capture ring needs no reserve for the phase between two clocks. With no
 * byte for a period and a grace (no microphone, a stalled or unplugged one), it
 * ticks on its own timer, and the ticks it made that way are owed: the late
 * frames' bytes then pay them back instead of ticking twice. Not on Windows yet.
 */
#ifndef _WIN32
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

typedef int (*bp_pj_frame_fn)(void *port, bp_pj_frame *frame);
typedef int (*bp_pj_register_fn)(const char *name, long *desc, void **thread);

enum { MAX_DEBT = 10, MAX_CATCH_UP = 25 };

typedef struct {
    void *master;
    bp_pj_frame_fn get_frame, put_frame;
    bp_pj_register_fn thread_register;
    int wake_fd;
    double period, grace;
    int64_t frame_bytes;
    volatile int running;
    pthread_t thread;
    long desc[64]; /* pj_thread_desc */
    void *pj_thread;
    int16_t *in, *out;
    uint64_t timestamp;
    /* read by Python */
    volatile int64_t device_ticks, timer_ticks, repaid, registered;
} bp_clock;

static void clock_tick(bp_clock *c)
{
    bp_pj_frame in = {FRAME_AUDIO, c->in, (size_t)c->frame_bytes, c->timestamp, 0};
    bp_pj_frame out = {FRAME_AUDIO, c->out, (size_t)c->frame_bytes, c->timestamp, 0};
    c->put_frame(c->master, &in); /* the "microphone" of slot 0: silence */
    c->get_frame(c->master, &out); /* the mix: every port read and written */
    c->timestamp += (uint64_t)c->frame_bytes / 2;
}

/* Wait for a byte until `deadline` (monotonic s); the bytes read, 0 on timeout. */
static int clock_wait(bp_clock *c, double deadline)
{
    double left = deadline - monotonic();
    if (left > 0) {
        struct pollfd pfd = {c->wake_fd, POLLIN, 0};
#ifdef __linux__
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        int rc = ppoll(&pfd, 1, &ts, NULL);
#else
        int rc = poll(&pfd, 1, (int)(left * 1000.0) + 1);
#endif
        if (rc <= 0)
            return 0;
    }
    char buf[64];
    ssize_t n = read(c->wake_fd, buf, sizeof buf);
    return n > 0 ? (int)n : 0;
}

static void *clock_main(void *arg)
{
    bp_clock *c = arg;
#ifdef __linux__
    pthread_setname_np(pthread_self(), "conf-clock"); /* for top -H and the benchmarks */
#endif
    if (c->thread_register("bp-clock", c->desc, &c->pj_thread) == 0)
        c->registered = 1;
    struct sched_param sp = {sched_get_priority_min(SCHED_FIFO)};
    pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp); /* best effort, as pjmedia's */
    double next = monotonic() + c->period; /* the timer's next tick */
    int driven = 0; /* the microphone drives: its bytes came, on time or late */
    int64_t debt = 0; /* timer ticks made while it drove: its late bytes repay them */
    while (c->running) {
        int bytes = clock_wait(c, next);
        if (!c->running)
            break;
        if (bytes > 0) { /* whole frames from the microphone */
            driven = 1;
            for (int i = 0; i < bytes; i++) {
                if (debt > 0) {
                    debt--; /* the timer already took this frame's slot */
                    c->repaid += 1;
                    continue;
                }
                clock_tick(c);
                c->device_ticks += 1;
            }
            next = monotonic() + c->period + c->grace;
            continue;
        }
        double now = monotonic();
        if (now < next)
            continue;
        /* the timer's turn: no microphone, or a late one */
        int catch_up = 0;
        while (next <= now && catch_up++ < MAX_CATCH_UP) {
            clock_tick(c);
            c->timer_ticks += 1;
            next += c->period;
            if (driven && ++debt > MAX_DEBT) {
                driven = 0; /* that long without a byte: it stopped; owe nothing */
                debt = 0;
            }
        }
        if (next <= now)
            next = now + c->period; /* a stall beyond the catch-up: start afresh */
    }
    return NULL;
}

/* Start clocking `master` (the conference's master port); `fns`: pjsip's
   pjmedia_port_get_frame, pjmedia_port_put_frame, pj_thread_register. NULL on failure. */
BP_EXPORT bp_clock *bp_clock_start(void *master, void *get_frame, void *put_frame,
                                   void *thread_register, int64_t frame_samples,
                                   int64_t rate, double grace_s, int64_t wake_fd)
{
    bp_clock *c = calloc(1, sizeof(bp_clock));
    if (!c)
        return NULL;
    c->master = master;
    c->get_frame = (bp_pj_frame_fn)get_frame;
    c->put_frame = (bp_pj_frame_fn)put_frame;
    c->thread_register = (bp_pj_register_fn)thread_register;
    c->wake_fd = (int)wake_fd;
    c->period = (double)frame_samples / (double)rate;
    c->grace = grace_s;
    c->frame_bytes = frame_samples * 2;
    c->in = calloc((size_t)frame_samples, 2);
    c->out = calloc((size_t)frame_samples, 2);
    c->running = 1;
    if (!c->in || !c->out || pthread_create(&c->thread, NULL, clock_main, c) != 0) {
        free(c->in), free(c->out), free(c);
        return NULL;
    }
    return c;
}

/* Stop the thread (a byte on the wake pipe ends its wait) and free it. */
BP_EXPORT void bp_clock_stop(bp_clock *c, int64_t wake_write_fd)
{
    if (!c)
        return;
    c->running = 0;
    char b = 0;
    ssize_t ignored = write((int)wake_write_fd, &b, 1);
    (void)ignored;
    pthread_join(c->thread, NULL);
    free(c->in), free(c->out), free(c);
}

BP_EXPORT int64_t bp_clock_device_ticks(bp_clock *c) { return c->device_ticks; }
BP_EXPORT int64_t bp_clock_timer_ticks(bp_clock *c) { return c->timer_ticks; }
BP_EXPORT int64_t bp_clock_repaid(bp_clock *c) { return c->repaid; }
BP_EXPORT int64_t bp_clock_registered(bp_clock *c) { return c->registered; }
#endif

/* setuptools builds this as an extension module; it is never imported. */
BP_EXPORT void *PyInit__softphone_bridgeport(void) { return NULL; }
