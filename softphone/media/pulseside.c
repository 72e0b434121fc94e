/*
 * The device side's streams straight on PulseAudio (or PipeWire's pulse server).
 *
 * Through PortAudio and ALSA's pulse plugin every period of every stream costs two
 * thread hops (the plugin's libpulse thread, a pipe, PortAudio's callback thread):
 * ~2.5 % of a core for a call's two streams, where libpulse alone moves the same
 * samples for ~0.5 %. Here libpulse's own thread (a threaded mainloop, one per
 * process) calls the device side's callbacks (deviceside.c) directly, with the
 * PortAudio callback signature they already have.
 *
 * libpulse is loaded at run time (dlopen), so building needs no libpulse headers
 * and an install without PulseAudio still loads: `ps_connect` then just fails and
 * the streams go through PortAudio. The few types used are declared here; they are
 * part of libpulse's stable ABI (unchanged since 0.9). Linux only.
 */
#ifdef __linux__
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PS_EXPORT __attribute__((visibility("default")))

/* ---- the part of libpulse's ABI used here -------------------------------- */

typedef struct pa_threaded_mainloop pa_threaded_mainloop;
typedef struct pa_mainloop_api pa_mainloop_api;
typedef struct pa_context pa_context;
typedef struct pa_stream pa_stream;
typedef struct {
    int format;
    uint32_t rate;
    uint8_t channels;
} pa_sample_spec;
typedef struct {
    uint32_t maxlength, tlength, prebuf, minreq, fragsize;
} pa_buffer_attr;
typedef void (*pa_context_notify_cb_t)(pa_context *, void *);
typedef void (*pa_stream_notify_cb_t)(pa_stream *, void *);
typedef void (*pa_stream_request_cb_t)(pa_stream *, size_t, void *);
typedef struct pa_operation pa_operation;

enum { PA_SAMPLE_FLOAT32LE = 5 };
enum { PA_CONTEXT_READY = 4, PA_CONTEXT_FAILED = 5, PA_CONTEXT_TERMINATED = 6 };
enum { PA_STREAM_READY = 2, PA_STREAM_FAILED = 3, PA_STREAM_TERMINATED = 4 };
enum {
    PA_STREAM_START_CORKED = 0x1,
    PA_STREAM_INTERPOLATE_TIMING = 0x2,
    PA_STREAM_AUTO_TIMING_UPDATE = 0x8,
    PA_STREAM_DONT_MOVE = 0x200,
    PA_STREAM_ADJUST_LATENCY = 0x2000,
};
enum { PA_CONTEXT_NOAUTOSPAWN = 1 };
enum { PA_SEEK_RELATIVE = 0 };

static struct {
    pa_threaded_mainloop *(*ml_new)(void);
    int (*ml_start)(pa_threaded_mainloop *);
    void (*ml_lock)(pa_threaded_mainloop *);
    void (*ml_unlock)(pa_threaded_mainloop *);
    void (*ml_wait)(pa_threaded_mainloop *);
    void (*ml_signal)(pa_threaded_mainloop *, int);
    pa_mainloop_api *(*ml_api)(pa_threaded_mainloop *);
    void (*ml_set_name)(pa_threaded_mainloop *, const char *);
    pa_context *(*ctx_new)(pa_mainloop_api *, const char *);
    int (*ctx_connect)(pa_context *, const char *, int, const void *);
    int (*ctx_state)(pa_context *);
    void (*ctx_set_state_cb)(pa_context *, pa_context_notify_cb_t, void *);
    int (*ctx_errno)(pa_context *);
    void (*ctx_disconnect)(pa_context *);
    void (*ctx_unref)(pa_context *);
    const char *(*strerror)(int);
    pa_stream *(*st_new)(pa_context *, const char *, const pa_sample_spec *, const void *);
    int (*st_connect_record)(pa_stream *, const char *, const pa_buffer_attr *, int);
    int (*st_connect_playback)(pa_stream *, const char *, const pa_buffer_attr *, int,
                               const void *, pa_stream *);
    int (*st_disconnect)(pa_stream *);
    void (*st_unref)(pa_stream *);
    int (*st_state)(pa_stream *);
    void (*st_set_state_cb)(pa_stream *, pa_stream_notify_cb_t, void *);
    void (*st_set_read_cb)(pa_stream *, pa_stream_request_cb_t, void *);
    void (*st_set_write_cb)(pa_stream *, pa_stream_request_cb_t, void *);
    void (*st_set_overflow_cb)(pa_stream *, pa_stream_notify_cb_t, void *);
    void (*st_set_underflow_cb)(pa_stream *, pa_stream_notify_cb_t, void *);
    int (*st_peek)(pa_stream *, const void **, size_t *);
    int (*st_drop)(pa_stream *);
    int (*st_begin_write)(pa_stream *, void **, size_t *);
    int (*st_write)(pa_stream *, const void *, size_t, void (*)(void *), int64_t, int);
    int (*st_get_latency)(pa_stream *, uint64_t *, int *);
    const pa_buffer_attr *(*st_get_buffer_attr)(pa_stream *);
    pa_operation *(*st_cork)(pa_stream *, int, void *, void *);
    void (*op_unref)(pa_operation *);
} P;

static const char *load(void)
{
    static int loaded; /* 1 yes, -1 no */
    static char why[160];
    if (loaded)
        return loaded > 0 ? NULL : why;
    void *h = dlopen("libpulse.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(why, sizeof why, "no libpulse: %s", dlerror());
        loaded = -1;
        return why;
    }
    struct {
        void **slot;
        const char *name;
    } table[] = {
#define F(field, sym) {(void **)&P.field, sym}
        F(ml_new, "pa_threaded_mainloop_new"),
        F(ml_start, "pa_threaded_mainloop_start"),
        F(ml_lock, "pa_threaded_mainloop_lock"),
        F(ml_unlock, "pa_threaded_mainloop_unlock"),
        F(ml_wait, "pa_threaded_mainloop_wait"),
        F(ml_signal, "pa_threaded_mainloop_signal"),
        F(ml_api, "pa_threaded_mainloop_get_api"),
        F(ml_set_name, "pa_threaded_mainloop_set_name"),
        F(ctx_new, "pa_context_new"),
        F(ctx_connect, "pa_context_connect"),
        F(ctx_state, "pa_context_get_state"),
        F(ctx_set_state_cb, "pa_context_set_state_callback"),
        F(ctx_errno, "pa_context_errno"),
        F(ctx_disconnect, "pa_context_disconnect"),
        F(ctx_unref, "pa_context_unref"),
        F(strerror, "pa_strerror"),
        F(st_new, "pa_stream_new"),
        F(st_connect_record, "pa_stream_connect_record"),
        F(st_connect_playback, "pa_stream_connect_playback"),
        F(st_disconnect, "pa_stream_disconnect"),
        F(st_unref, "pa_stream_unref"),
        F(st_state, "pa_stream_get_state"),
        F(st_set_state_cb, "pa_stream_set_state_callback"),
        F(st_set_read_cb, "pa_stream_set_read_callback"),
        F(st_set_write_cb, "pa_stream_set_write_callback"),
        F(st_set_overflow_cb, "pa_stream_set_overflow_callback"),
        F(st_set_underflow_cb, "pa_stream_set_underflow_callback"),
        F(st_peek, "pa_stream_peek"),
        F(st_drop, "pa_stream_drop"),
        F(st_begin_write, "pa_stream_begin_write"),
        F(st_write, "pa_stream_write"),
        F(st_get_latency, "pa_stream_get_latency"),
        F(st_get_buffer_attr, "pa_stream_get_buffer_attr"),
        F(st_cork, "pa_stream_cork"),
        F(op_unref, "pa_operation_unref"),
#undef F
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        *table[i].slot = dlsym(h, table[i].name);
        if (!*table[i].slot) {
            snprintf(why, sizeof why, "libpulse lacks %s", table[i].name);
            loaded = -1;
            return why;
        }
    }
    loaded = 1;
    return NULL;
}

/* ---- the device side's callbacks (deviceside.c) -------------------------- */

typedef struct {
    double input_adc, current, output_dac;
} ps_time; /* PaStreamCallbackTimeInfo's layout, as deviceside.c reads it */

int ds_input_callback(const void *input, void *output, unsigned long frames,
                      const ps_time *time, unsigned long flags, void *user);
int ds_output_callback(const void *input, void *output, unsigned long frames,
                       const ps_time *time, unsigned long flags, void *user);

enum { XRUN_IN = 2, XRUN_OUT = 4 }; /* PortAudio's input overflow / output underflow */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- one connection per process ------------------------------------------ */

static pa_threaded_mainloop *ml;
static pa_context *ctx;

static void on_context(pa_context *c, void *u)
{
    (void)c;
    (void)u;
    P.ml_signal(ml, 0);
}

static void set_error(char *err, int len, const char *what, const char *why)
{
    if (err && len > 0)
        snprintf(err, (size_t)len, "%s: %s", what, why);
}

/* A new context on the running mainloop, the old one (failed: the server went
   away or restarted) let go; with the mainloop's lock held. */
static int fresh_context(char *why, size_t len)
{
    if (ctx) {
        P.ctx_set_state_cb(ctx, NULL, NULL);
        P.ctx_disconnect(ctx);
        P.ctx_unref(ctx); /* its streams keep what they need of it */
    }
    ctx = P.ctx_new(P.ml_api(ml), "softphone");
    if (!ctx) {
        snprintf(why, len, "out of memory");
        return PA_CONTEXT_FAILED;
    }
    P.ctx_set_state_cb(ctx, on_context, NULL);
    int rc = P.ctx_connect(ctx, NULL, PA_CONTEXT_NOAUTOSPAWN, NULL);
    int s = rc < 0 ? PA_CONTEXT_FAILED : P.ctx_state(ctx);
    while (s != PA_CONTEXT_READY && s != PA_CONTEXT_FAILED && s != PA_CONTEXT_TERMINATED) {
        P.ml_wait(ml);
        s = P.ctx_state(ctx);
    }
    if (s != PA_CONTEXT_READY)
        snprintf(why, len, "%s", P.strerror(P.ctx_errno(ctx)));
    return s;
}

/* Be connected to the sound server: the connection of this process, made again
   if the server went away since (a restarted PulseAudio or PipeWire). 0, or -1
   with the reason in `err`. Never spawns a server. */
PS_EXPORT int ps_connect(char *err, int errlen)
{
    char why[200] = "";
    const char *missing = load();
    if (missing) {
        set_error(err, errlen, "PulseAudio", missing);
        return -1;
    }
    if (!ml) {
        pa_threaded_mainloop *m = P.ml_new();
        /* named before it starts: the thread names itself then. Named after,
           libpulse renames the *calling* thread (prctl), and every thread that
           one starts later inherits the name */
        if (m)
            P.ml_set_name(m, "pulse-io");
        if (!m || P.ml_start(m) < 0) {
            set_error(err, errlen, "PulseAudio", "cannot start its thread");
            return -1;
        }
        ml = m;
    }
    P.ml_lock(ml);
    int s = ctx ? P.ctx_state(ctx) : PA_CONTEXT_FAILED;
    if (s != PA_CONTEXT_READY)
        s = fresh_context(why, sizeof why);
    P.ml_unlock(ml);
    if (s != PA_CONTEXT_READY) {
        set_error(err, errlen, "PulseAudio", why);
        return -1;
    }
    return 0;
}

/* ---- streams --------------------------------------------------------------- */

typedef struct {
    pa_stream *s;
    void *ds; /* the device side this stream feeds or drains */
    int input, channels, rate;
    unsigned long max_frames; /* the device side's largest block */
    volatile int xrun;        /* an overflow or underflow since the last callback */
    volatile int state;       /* pa_stream_state_t, as last seen */
    int started;              /* set by ps_start: before, the device side is not called */
} ps_stream;

static void on_state(pa_stream *s, void *u)
{
    ps_stream *p = u;
    p->state = P.st_state(s);
    P.ml_signal(ml, 0);
}

static void on_xrun(pa_stream *s, void *u)
{
    (void)s;
    ((ps_stream *)u)->xrun = 1;
}

/* Seconds of audio between the device and us; -1 before the server has said. */
static double stream_latency(ps_stream *p)
{
    uint64_t usec = 0;
    int negative = 0;
    if (P.st_get_latency(p->s, &usec, &negative) < 0)
        return -1.0;
    return negative ? 0.0 : usec * 1e-6;
}

/* libpulse's thread: what the microphone captured, to the device side in blocks
   it takes (a hole, i.e. lost samples, is flagged on the next block) */
static void on_read(pa_stream *s, size_t nbytes, void *u)
{
    ps_stream *p = u;
    (void)nbytes;
    const size_t frame = sizeof(float) * (size_t)p->channels;
    const void *data;
    size_t len;
    while (P.st_peek(s, &data, &len) == 0 && len > 0) {
        if (!p->started) {
            /* nothing yet: the device side is configured after the open */
        } else if (!data) {
            p->xrun = 1;
        } else {
            double now = now_s(), age = stream_latency(p);
            ps_time t = {now - age, now, 0.0};
            const float *in = data;
            unsigned long frames = (unsigned long)(len / frame);
            while (frames > 0) {
                unsigned long n = frames < p->max_frames ? frames : p->max_frames;
                int flags = p->xrun ? XRUN_IN : 0;
                p->xrun = 0;
                ds_input_callback(in, NULL, n, age < 0 ? NULL : &t, (unsigned long)flags, p->ds);
                in += n * (size_t)p->channels;
                frames -= n;
            }
        }
        P.st_drop(s);
    }
}

/* `frames` for the speaker at `out`: the device side's, once started; silence
   while the stream opens (the server asks for its buffer's worth then) */
static void fill(ps_stream *p, float *out, unsigned long frames)
{
    if (!p->started) {
        memset(out, 0, frames * sizeof(float) * (size_t)p->channels);
        return;
    }
    while (frames > 0) {
        unsigned long n = frames < p->max_frames ? frames : p->max_frames;
        int flags = p->xrun ? XRUN_OUT : 0;
        p->xrun = 0;
        ds_output_callback(NULL, out, n, NULL, (unsigned long)flags, p->ds);
        out += n * (size_t)p->channels;
        frames -= n;
    }
}

/* libpulse's thread: the server wants `nbytes` more for the speaker (in pieces
   if it lends smaller buffers) */
static void on_write(pa_stream *s, size_t nbytes, void *u)
{
    ps_stream *p = u;
    const size_t frame = sizeof(float) * (size_t)p->channels;
    while (nbytes >= frame) {
        void *buf;
        size_t len = nbytes;
        if (P.st_begin_write(s, &buf, &len) < 0 || !buf || len < frame)
            return;
        if (len > nbytes)
            len = nbytes;
        len -= len % frame;
        fill(p, buf, (unsigned long)(len / frame));
        P.st_write(s, buf, len, NULL, 0, PA_SEEK_RELATIVE);
        nbytes -= len;
    }
}

/* Disconnect and free, with the mainloop's lock held: no callback runs for it after. */
static void release(ps_stream *p)
{
    if (p->s) {
        P.st_set_state_cb(p->s, NULL, NULL);
        P.st_set_read_cb(p->s, NULL, NULL);
        P.st_set_write_cb(p->s, NULL, NULL);
        P.st_set_overflow_cb(p->s, NULL, NULL);
        P.st_set_underflow_cb(p->s, NULL, NULL);
        P.st_disconnect(p->s);
        P.st_unref(p->s);
    }
    free(p);
}

/* Open a stream on `device` (a PulseAudio sink or source name; NULL: the server's
   default, followed as it moves) feeding `ds` (input) or drained from it (output).
   `block` frames per read (input) or per request (output); `buffer` frames the
   server keeps for the speaker. The stream is not moved when its device goes: it
   fails, and the engine's fallback (the same as for any other device) moves the
   call on. NULL with the reason in `err`. */
PS_EXPORT ps_stream *ps_open(void *ds, int input, const char *device, int rate, int channels,
                             int block, int buffer, int max_frames, char *err, int errlen)
{
    if (ps_connect(err, errlen) < 0)
        return NULL;
    ps_stream *p = calloc(1, sizeof *p);
    if (!p) {
        set_error(err, errlen, "PulseAudio", "out of memory");
        return NULL;
    }
    p->ds = ds;
    p->input = input;
    p->channels = channels;
    p->rate = rate;
    p->max_frames = (unsigned long)max_frames;
    pa_sample_spec spec = {PA_SAMPLE_FLOAT32LE, (uint32_t)rate, (uint8_t)channels};
    uint32_t bytes = sizeof(float) * (uint32_t)channels;
    pa_buffer_attr attr = {(uint32_t)-1, (uint32_t)-1, (uint32_t)-1, (uint32_t)-1, (uint32_t)-1};
    if (input) {
        attr.fragsize = (uint32_t)block * bytes;
    } else {
        attr.tlength = (uint32_t)buffer * bytes;
        attr.minreq = (uint32_t)block * bytes;
    }
    /* corked until `ps_start`: the device side is told the stream's rate first */
    int flags = PA_STREAM_START_CORKED | PA_STREAM_ADJUST_LATENCY | PA_STREAM_DONT_MOVE |
                PA_STREAM_INTERPOLATE_TIMING | PA_STREAM_AUTO_TIMING_UPDATE;
    if (!device)
        flags &= ~PA_STREAM_DONT_MOVE; /* the default: follow it */
    P.ml_lock(ml);
    p->s = P.st_new(ctx, input ? "microphone" : "speaker", &spec, NULL);
    int rc = -1;
    if (p->s) {
        P.st_set_state_cb(p->s, on_state, p);
        if (input) {
            P.st_set_read_cb(p->s, on_read, p);
            P.st_set_overflow_cb(p->s, on_xrun, p);
            rc = P.st_connect_record(p->s, device, &attr, flags);
        } else {
            P.st_set_write_cb(p->s, on_write, p);
            P.st_set_underflow_cb(p->s, on_xrun, p);
            rc = P.st_connect_playback(p->s, device, &attr, flags, NULL, NULL);
        }
    }
    int s = rc < 0 ? PA_STREAM_FAILED : P.st_state(p->s);
    while (s != PA_STREAM_READY && s != PA_STREAM_FAILED && s != PA_STREAM_TERMINATED) {
        P.ml_wait(ml);
        s = P.st_state(p->s);
    }
    p->state = s;
    if (s != PA_STREAM_READY) {
        set_error(err, errlen, device ? device : "the default device",
                  P.strerror(P.ctx_errno(ctx)));
        release(p);
        P.ml_unlock(ml);
        return NULL;
    }
    P.ml_unlock(ml);
    return p;
}

/* Let the samples flow. */
PS_EXPORT void ps_start(ps_stream *p)
{
    P.ml_lock(ml);
    p->started = 1;
    pa_operation *op = P.st_cork(p->s, 0, NULL, NULL);
    if (op)
        P.op_unref(op);
    P.ml_unlock(ml);
}

/* 1 while the stream runs; 0 once the server failed or ended it (its device went). */
PS_EXPORT int ps_running(ps_stream *p) { return p->state == PA_STREAM_READY; }

/* What the server buffers for this stream, in seconds (the speaker's playback
   latency; the microphone's capture delay); before the server has said, what
   was asked for. */
PS_EXPORT double ps_latency(ps_stream *p)
{
    P.ml_lock(ml);
    double s = stream_latency(p);
    const pa_buffer_attr *a = s >= 0.0 ? NULL : P.st_get_buffer_attr(p->s);
    if (a)
        s = (p->input ? a->fragsize : a->tlength) / (sizeof(float) * (double)p->channels) / p->rate;
    P.ml_unlock(ml);
    return s < 0.0 ? 0.0 : s;
}

/* Stop and free: no callback runs for it after this returns. */
PS_EXPORT void ps_close(ps_stream *p)
{
    if (!p)
        return;
    P.ml_lock(ml);
    release(p);
    P.ml_unlock(ml);
}
#else
typedef int ps_not_built; /* ISO C wants a declaration in every translation unit */
#endif /* __linux__ */
