/*
 * What both C halves of the audio bridge share: the layout of `BridgeState`
 * (media/bridge.py) and its single-producer, single-consumer int16 rings
 * (media/ring.py), with positions published by release stores after the samples
 * and read with acquire loads.
 */
#ifndef SOFTPHONE_BRIDGESTATE_H
#define SOFTPHONE_BRIDGESTATE_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#define BP_EXPORT __declspec(dllexport)
#else
#include <time.h>
#define BP_EXPORT __attribute__((visibility("default")))
#endif

/* ---- the shared BridgeState (media/bridge.py, media/ring.py) ------------- */

enum { W, R, OVERRUNS, OVERRUN_SAMPLES, UNDERRUNS, UNDERRUN_SAMPLES, RING_COUNTERS };
enum { F_LOW, F_EMA, F_DEFICIT, F_TARGET_LEFT, F_PRIMED, F_PLAY_RUNNING, F_PLAY_PRIMED };
enum { I_PULLS, I_PRIMING_FRAMES, I_RESYNCS, I_FRAMES_RECEIVED, I_PRIMED_SEEN,
       I_INPUT_CALLBACKS, I_OUTPUT_CALLBACKS };
enum { STATE_FLOATS = 8, STATE_INTS = 8 };

typedef struct {
    int64_t *c; /* the ring's counters */
    int16_t *buf;
    int64_t capacity;
} bp_ring;

static inline double monotonic(void)
{
#ifdef _WIN32
    LARGE_INTEGER f, c;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart / (double)f.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
#endif
}

#ifdef _MSC_VER /* x64 keeps stores and loads in order; volatile keeps the compiler's */
static inline int64_t load(int64_t *p) { return *(volatile int64_t *)p; }
static inline void store(int64_t *p, int64_t v) { *(volatile int64_t *)p = v; }
#else
static inline int64_t load(int64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void store(int64_t *p, int64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
#endif

static inline int64_t ring_fill(bp_ring *r) { return load(&r->c[W]) - load(&r->c[R]); }

/* Reader side: `count` samples to `out`, silence for what is missing. */
static inline void ring_read(bp_ring *r, int16_t *out, int64_t count)
{
    int64_t rd = r->c[R];
    int64_t n = load(&r->c[W]) - rd;
    if (n > count)
        n = count;
    if (n < 0)
        n = 0;
    if (n > 0) {
        int64_t start = rd % r->capacity;
        int64_t first = r->capacity - start < n ? r->capacity - start : n;
        memcpy(out, r->buf + start, (size_t)first * 2);
        if (first < n)
            memcpy(out + first, r->buf, (size_t)(n - first) * 2);
        store(&r->c[R], rd + n);
    }
    if (n < count) {
        memset(out + n, 0, (size_t)(count - n) * 2);
        r->c[UNDERRUNS] += 1;
        r->c[UNDERRUN_SAMPLES] += count - n;
    }
}

static inline void ring_discard(bp_ring *r, int64_t count)
{
    int64_t rd = r->c[R];
    int64_t n = load(&r->c[W]) - rd;
    if (n > count)
        n = count;
    if (n > 0)
        store(&r->c[R], rd + n);
}

/* Writer side: `count` samples from `in` (NULL: silence); what does not fit is cut. */
static inline void ring_write(bp_ring *r, const int16_t *in, int64_t count)
{
    int64_t w = r->c[W];
    int64_t n = r->capacity - (w - load(&r->c[R]));
    if (n > count)
        n = count;
    if (n < count) {
        r->c[OVERRUNS] += 1;
        r->c[OVERRUN_SAMPLES] += count - (n > 0 ? n : 0);
    }
    if (n <= 0)
        return;
    int64_t start = w % r->capacity;
    int64_t first = r->capacity - start < n ? r->capacity - start : n;
    if (in) {
        memcpy(r->buf + start, in, (size_t)first * 2);
        if (first < n)
            memcpy(r->buf, in + first, (size_t)(n - first) * 2);
    } else {
        memset(r->buf + start, 0, (size_t)first * 2);
        if (first < n)
            memset(r->buf, 0, (size_t)(n - first) * 2);
    }
    store(&r->c[W], w + n);
}

#endif
