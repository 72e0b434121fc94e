/*
 * G.722 decoded to 16 bits and encoded from 16 bits, as spandsp (baresip, Asterisk,
 * FreeSWITCH) does both.
 *
 * pjmedia's G.722 decoder (g722_dec.c, rx_qmf) ends each sample with `acc >> 12`,
 * a 14-bit value, and its codec (g722.c) multiplies that by 2 to fill 16 bits: the
 * lowest bit of every sample is always 0. spandsp ends with `acc >> 11`. The lost
 * bit is noise 6 dB above spandsp's at the bottom of the range; measured with PESQ
 * it cost what we receive 0.001 MOS against baresip in every run (bench/quality.py).
 *
 * The decoder's state is public (g722_dec.h): after each byte it holds the QMF
 * history the last two samples were computed from (xd, xs). So our decode
 * function runs pjmedia's own decoder one byte at a time and recomputes each
 * sample pair from that history with pjmedia's own coefficients, keeping the bit.
 * pjmedia's codec reaches g722_dec_decode (and g722_enc_encode) through its PLT,
 * so we point those two GOT slots of pjsua2's extension at ours; the codec is then
 * told not to scale (PCM shift 0).
 *
 * The encoder had the mirror loss: the codec halved each sample (16 to 14 bits)
 * before pjmedia's transmit QMF, which ends with `>> 13`; spandsp's QMF takes the
 * 16 bits and ends with `>> 14`. The two band signals then differ by a step now
 * and then, and the ADPCM codes that follow from them differ from there on. Our
 * encode computes the bands from 16 bits and has pjmedia's own ADPCM code them,
 * through a history set so that its QMF yields exactly those bands (`steer`): the
 * same bytes as spandsp's encoder, at the level pjmedia sent before.
 *
 * Nothing is assumed: both state layouts are checked first, by decoding a fixed
 * byte sequence both ways and encoding a fixed signal of even samples (which
 * halving leaves whole) both ways on scratch states (`g722p_install` refuses if
 * one sample or byte differs); and the decode checks every sample against
 * pjmedia's own 14-bit value, using pjmedia's (doubled) when they differ and
 * counting it.
 *
 * Threads: install on the engine thread before any call; the wrappers run on
 * pjmedia's threads and only compute.
 */
#define _GNU_SOURCE
#include "bridgestate.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef int (*g722_dec_fn)(void *dec, void *in, size_t in_size, int16_t *out, size_t *nsamples);
typedef int (*g722_enc_fn)(void *enc, int16_t *in, size_t nsamples, void *out, size_t *out_size);

/* g722_dec_t (pjmedia 2.15, g722_dec.h): 2 x 45 ints of band state, then
   int xd[12], xs[12] */
enum { XD = 90, XS = 102, DEC_STATE_INTS = 114, TAPS = 12 };

static g722_dec_fn real_decode;
static g722_enc_fn real_encode;
static const int *qmf; /* pjmedia's g722_qmf_coeff[24] */
static int64_t mismatched;
static int64_t encoded; /* bytes our encode produced */
static volatile int64_t installed;
static volatile int active; /* pjmedia's codec is at PCM shift 0: we scale */

#ifdef _MSC_VER
#include <intrin.h>
static void count(int64_t *counter, int64_t n) { _InterlockedExchangeAdd64(counter, n); }
#else
static void count(int64_t *counter, int64_t n) { __atomic_fetch_add(counter, n, __ATOMIC_RELAXED); }
#endif

static int16_t saturate16(int64_t v)
{
    return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
}

static int64_t clip14(int64_t v)
{
    return v > 16383 ? 16383 : v < -16384 ? -16384 : v;
}

/* The two samples of the byte just decoded, from the QMF history in `state`: `wide`
   at 16 bits (spandsp's), `narrow` at 14 (what pjmedia's decoder returned). */
static void qmf_pair(const int *state, int16_t wide[2], int64_t narrow[2])
{
    int64_t acc[2] = {0, 0};
    for (int i = 0; i < TAPS; i++) {
        acc[0] += (int64_t)state[XD + i] * qmf[2 * i];
        acc[1] += (int64_t)state[XS + i] * qmf[2 * i + 1];
    }
    for (int k = 0; k < 2; k++) {
        wide[k] = saturate16(acc[k] >> 11);
        narrow[k] = clip14(acc[k] >> 12);
    }
}

/* Decodes `in` one byte at a time through pjmedia's decoder; returns how many
   samples disagreed with it (and were replaced by its own value, doubled). */
static int64_t decode_wide(void *dec, const uint8_t *in, size_t in_size, int16_t *out, int *status)
{
    int64_t bad = 0;
    for (size_t i = 0; i < in_size; i++) {
        int16_t pj[2], wide[2];
        int64_t narrow[2];
        size_t two = 2;
        *status = real_decode(dec, (void *)(in + i), 1, pj, &two);
        if (*status != 0 || two != 2)
            return bad;
        qmf_pair(dec, wide, narrow);
        for (int k = 0; k < 2; k++) {
            int same = narrow[k] == pj[k];
            out[2 * i + k] = same ? wide[k] : saturate16(2 * (int64_t)pj[k]);
            bad += !same;
        }
    }
    return bad;
}

static int wide_decode(void *dec, void *in, size_t in_size, int16_t *out, size_t *nsamples)
{
    if (!active || !dec || !in || !in_size || !out || !nsamples || *nsamples < 2 * in_size)
        return real_decode(dec, in, in_size, out, nsamples); /* as if not here; its errors */
    int status = 0;
    int64_t bad = decode_wide(dec, in, in_size, out, &status);
    if (bad) /* calls decode on several threads */
        count(&mismatched, bad);
    if (status == 0)
        *nsamples = 2 * in_size;
    return status;
}

/* ---- encoding with the input's lowest bit -------------------------------- */

/* g722_enc_t (pjmedia 2.15, g722_enc.h): 2 x 45 ints of band state, then int x[24],
   the transmit QMF's history, newest first. Ours keeps 16-bit samples there. */
enum { ENC_X = 90, ENC_TAPS = 24, CENTRE = 3876 };

static int clamp(int64_t v, int lo, int hi)
{
    return v > hi ? hi : v < lo ? lo : (int)v;
}

/* pjmedia's transmit QMF over 16-bit samples, ending with `>> 14` as spandsp does
   (pjmedia's halves each sample first and ends with `>> 13`: the same result when
   every sample is even, up to one step of the band signal otherwise). */
static void wide_bands(const int *x, int *lo, int *hi)
{
    int64_t even = 0, odd = 0;
    for (int i = 0; i < ENC_TAPS; i += 2) {
        even += (int64_t)x[i] * qmf[i];
        odd += (int64_t)x[i + 1] * qmf[i + 1];
    }
    *lo = clamp((even + odd) >> 14, -16384, 16383); /* pjmedia's own limits */
    *hi = clamp((even - odd) >> 14, -16383, 16383);
}

/* The smallest k with k * CENTRE >> 13 == v; k + 1 is one too (8192 > 2 * CENTRE). */
static int64_t first_multiple(int v)
{
    int64_t low = (int64_t)v * 8192;
    return low >= 0 ? (low + CENTRE - 1) / CENTRE : -((-low) / CENTRE);
}

/* Sets the history of pjmedia's encoder so that, fed two zero samples, its QMF
   (`x[1]`, `x[0]` the new pair, the rest the old history moved on by two) gives
   exactly `lo` and `hi`: only the two centre taps (3876, one odd, one even) are
   non-zero after the move, so its sums are CENTRE * a (odd) and CENTRE * b (even).
   (a + b) * CENTRE >> 13 == lo and (b - a) * CENTRE >> 13 == hi: each has two
   consecutive solutions at least, so a pair of them has the same parity. */
static void steer(int *x, int lo, int hi)
{
    int64_t sum = first_multiple(lo), diff = first_multiple(hi);
    sum += (sum ^ diff) & 1;
    memset(x, 0, ENC_TAPS * sizeof *x);
    x[9] = (int)((sum - diff) / 2);  /* lands on x[11], an odd (sumodd) centre tap */
    x[10] = (int)((sum + diff) / 2); /* lands on x[12], the even one */
}

/* pjmedia's encoder with our QMF in front: per sample pair, our 16-bit bands, then
   pjmedia's own ADPCM coding of them (steered through its QMF as above). */
static int encode_wide(void *enc, const int16_t *in, size_t nsamples, uint8_t *out)
{
    int *state = enc;
    int hist[ENC_TAPS];
    memcpy(hist, state + ENC_X, sizeof hist);
    int status = 0;
    for (size_t i = 0; i + 1 < nsamples; i += 2) {
        memmove(hist + 2, hist, (ENC_TAPS - 2) * sizeof *hist);
        hist[1] = in[i];
        hist[0] = in[i + 1];
        int lo, hi;
        wide_bands(hist, &lo, &hi);
        steer(state + ENC_X, lo, hi);
        int16_t zeros[2] = {0, 0};
        size_t one = 1;
        status = real_encode(enc, zeros, 2, out + i / 2, &one);
        if (status != 0 || one != 1)
            break;
    }
    memcpy(state + ENC_X, hist, sizeof hist);
    return status;
}

static int wide_encode(void *enc, int16_t *in, size_t nsamples, void *out, size_t *out_size)
{
    if (!active || !enc || !in || !out || !out_size || nsamples % 2 || *out_size < nsamples / 2)
        return real_encode(enc, in, nsamples, out, out_size); /* as if not here; its errors */
    int status = encode_wide(enc, in, nsamples, out);
    if (status == 0) {
        *out_size = nsamples / 2;
        count(&encoded, (int64_t)(nsamples / 2));
    }
    return status;
}

/* ---- the GOT slots (ELF only) ---------------------------------------------- */

#if defined(__linux__) && defined(__ELF__)
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

struct slot_search {
    uintptr_t inside; /* an address in the module searched */
    const char *names[2];
    void **slots[2];
    int found_module;
};

static uintptr_t absolute(uintptr_t ptr, uintptr_t base)
{
    return ptr < base ? ptr + base : ptr; /* glibc relocates these entries on most arches */
}

static int contains(const struct dl_phdr_info *info, uintptr_t addr)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && addr >= start && addr < start + ph->p_memsz)
            return 1;
    }
    return 0;
}

static void find_slots(const struct dl_phdr_info *info, struct slot_search *s)
{
    const ElfW(Dyn) *dyn = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    uintptr_t base = info->dlpi_addr, jmprel = 0, symtab = 0, strtab = 0;
    size_t relsz = 0;
    long reltype = 0;
    for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
        switch (dyn->d_tag) {
        case DT_JMPREL: jmprel = absolute(dyn->d_un.d_ptr, base); break;
        case DT_PLTRELSZ: relsz = dyn->d_un.d_val; break;
        case DT_PLTREL: reltype = (long)dyn->d_un.d_val; break;
        case DT_SYMTAB: symtab = absolute(dyn->d_un.d_ptr, base); break;
        case DT_STRTAB: strtab = absolute(dyn->d_un.d_ptr, base); break;
        }
    }
    if (!jmprel || !symtab || !strtab || reltype != DT_RELA)
        return;
    const ElfW(Rela) *rel = (const ElfW(Rela) *)jmprel;
    const ElfW(Sym) *sym = (const ElfW(Sym) *)symtab;
    for (size_t i = 0; i < relsz / sizeof(ElfW(Rela)); i++) {
#if __SIZEOF_POINTER__ == 8
        size_t index = ELF64_R_SYM(rel[i].r_info);
#else
        size_t index = ELF32_R_SYM(rel[i].r_info);
#endif
        const char *name = (const char *)strtab + sym[index].st_name;
        for (int k = 0; k < 2; k++)
            if (strcmp(name, s->names[k]) == 0)
                s->slots[k] = (void **)(base + rel[i].r_offset);
    }
}

static int each_module(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct slot_search *s = data;
    if (!contains(info, s->inside))
        return 0;
    s->found_module = 1;
    find_slots(info, s);
    return 1; /* stop */
}

/* Writes `value` into a GOT slot, making its page writable if RELRO made it read-only. */
static int write_slot(void **slot, void *value)
{
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)slot & ~(uintptr_t)(page - 1);
    if (mprotect((void *)start, (size_t)page, PROT_READ | PROT_WRITE) != 0)
        return -1;
    __atomic_store_n(slot, value, __ATOMIC_SEQ_CST);
    return 0; /* left writable: a RELRO page is only so after this call, harmlessly */
}

static int patch(uintptr_t inside, void *decode_to, void *encode_to)
{
    struct slot_search s = {inside, {"g722_dec_decode", "g722_enc_encode"}, {NULL, NULL}, 0};
    dl_iterate_phdr(each_module, &s);
    if (!s.found_module)
        return -3;
    if (!s.slots[0] || !s.slots[1])
        return -4;
    void *old_decode = *s.slots[0];
    if (write_slot(s.slots[0], decode_to) != 0)
        return -5;
    if (write_slot(s.slots[1], encode_to) != 0) {
        write_slot(s.slots[0], old_decode);
        return -5;
    }
    return 0;
}
#else
static int patch(uintptr_t inside, void *decode_to, void *encode_to)
{
    (void)inside, (void)decode_to, (void)encode_to;
    return -2;
}
#endif

/* Decodes a fixed pseudo-random byte sequence on a scratch state, byte by byte,
   and counts the samples our QMF sum gets wrong at pjmedia's 14 bits. */
static int64_t self_test(int (*init)(void *))
{
    int state[DEC_STATE_INTS * 4]; /* room to spare if a build's state were larger */
    memset(state, 0, sizeof state);
    if (init(state) != 0)
        return -1;
    enum { BYTES = 4000 };
    uint8_t in[BYTES];
    int16_t out[2 * BYTES];
    uint32_t x = 0x2545F491u;
    for (int i = 0; i < BYTES; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        in[i] = (uint8_t)x;
    }
    int status = 0;
    int64_t bad = decode_wide(state, in, BYTES, out, &status);
    return status != 0 ? -1 : bad;
}

/* Encodes a fixed pseudo-random signal of even samples (so halving loses nothing)
   with ours and with pjmedia's encoder on halved samples, on scratch states; the
   bytes that differ. */
static int64_t encoder_self_test(int (*init)(void *))
{
    int ours[DEC_STATE_INTS * 4], theirs[DEC_STATE_INTS * 4];
    memset(ours, 0, sizeof ours);
    memset(theirs, 0, sizeof theirs);
    if (init(ours) != 0 || init(theirs) != 0)
        return -1;
    enum { SAMPLES = 8000 };
    int16_t even[SAMPLES], halved[SAMPLES];
    uint8_t a[SAMPLES / 2], b[SAMPLES / 2];
    uint32_t x = 0x9E3779B9u;
    for (int i = 0; i < SAMPLES; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        int level = i < SAMPLES / 2 ? 2000 : 20000; /* quiet, then loud */
        even[i] = (int16_t)(((int)(x % (2u * level + 1)) - level) & ~1);
        halved[i] = (int16_t)(even[i] / 2);
    }
    size_t n = SAMPLES / 2;
    if (encode_wide(ours, even, SAMPLES, a) != 0 || real_encode(theirs, halved, SAMPLES, b, &n) != 0)
        return -1;
    int64_t bad = 0;
    for (int i = 0; i < SAMPLES / 2; i++)
        bad += a[i] != b[i];
    return bad;
}

/* ---- called from Python (ctypes), on the engine thread --------------------- */

/* Takes pjmedia's functions and coefficients and checks both state layouts: 0 if
   our sums match its decoder on every sample of the self-test and our encoder
   its encoder on every byte of the other, else how many did not (-1: one of its
   functions failed). Changes nothing once installed. */
BP_EXPORT int64_t g722p_prepare(void *decode, void *encode, void *dec_init, void *enc_init,
                                const int *coeff)
{
    if (installed)
        return 0;
    real_decode = (g722_dec_fn)decode;
    real_encode = (g722_enc_fn)encode;
    qmf = coeff;
    int64_t decoding = self_test((int (*)(void *))dec_init);
    int64_t encoding = encoder_self_test((int (*)(void *))enc_init);
    return decoding < 0 || encoding < 0 ? -1 : decoding + encoding;
}

/* After g722p_prepare returned 0: 0 once our functions are in place (or were
   already); negative: why not (-2 not an ELF platform, -3 module not found,
   -4 no PLT slot for the functions, -5 a slot could not be written). */
BP_EXPORT int g722p_install(void)
{
    if (installed)
        return 0;
    if (!real_decode || !real_encode || !qmf)
        return -1;
    int status = patch((uintptr_t)real_decode, (void *)wide_decode, (void *)wide_encode);
    installed = status == 0;
    return status;
}

BP_EXPORT int64_t g722p_installed(void) { return installed; }

/* Scale (1) once pjmedia's G.722 PCM shift is 0, or pass everything through to
   pjmedia's functions untouched (0, as installed). Before any G.722 codec opens. */
BP_EXPORT void g722p_activate(int on) { active = on; }
BP_EXPORT int64_t g722p_mismatched(void) { return load(&mismatched); }
BP_EXPORT int64_t g722p_encoded(void) { return load(&encoded); }

/* For tests: bytes through a decoder state (set up by pjmedia's g722_dec_init) as
   the installed, active decode does them; after g722p_prepare. -2 if a sample
   differed from pjmedia's beyond its lowest bit. */
BP_EXPORT int g722p_decode(void *dec, void *in, size_t in_size, int16_t *out, size_t *nsamples)
{
    if (!real_decode)
        return -1;
    int status = 0;
    int64_t bad = decode_wide(dec, in, in_size, out, &status);
    if (status == 0)
        *nsamples = 2 * in_size;
    return bad ? -2 : status;
}

/* For tests: 16-bit samples through an encoder state (set up by pjmedia's
   g722_enc_init) as the installed, active encode does them; after g722p_prepare. */
BP_EXPORT int g722p_encode(void *enc, int16_t *in, size_t nsamples, void *out, size_t *out_size)
{
    if (!real_encode || !in || !out || !out_size || nsamples % 2 || *out_size < nsamples / 2)
        return -1;
    int status = encode_wide(enc, in, nsamples, out);
    if (status == 0)
        *out_size = nsamples / 2;
    return status;
}
