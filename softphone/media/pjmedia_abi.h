/*
 * pjmedia 2.15's port and frame structs (64-bit), only the fields our C ports
 * touch: bridgeport.c (the sound devices' port) and narrowband.c (the 16 kHz face
 * of an 8 kHz call). Mirrors pjmedia/port.h and pjmedia/frame.h field by field;
 * no pjsip header is included. The Python side checks, before any port of ours
 * joins the bridge, that pjsip's own dispatchers reach the callbacks set here
 * (engine/nativeport.py `_probe`), so another layout is refused, not called.
 */
#ifndef SOFTPHONE_PJMEDIA_ABI_H
#define SOFTPHONE_PJMEDIA_ABI_H
#include <stddef.h>
#include <stdint.h>


typedef struct {
    char *ptr;
    ptrdiff_t slen;
} bp_pj_str;

typedef struct {
    uint32_t id, type, detail_type;
    /* pjmedia_audio_format_detail: clock_rate, channel_count, frame_time_usec,
       bits_per_sample, avg_bps, max_bps; the video detail is as large */
    uint32_t det[6];
} bp_pj_format;

typedef struct {
    bp_pj_str name;
    uint32_t signature;
    uint32_t dir;
    bp_pj_format fmt;
} bp_pj_port_info;

/* pjmedia calls back with the port's address: our structs start with a bp_pj_port */
typedef int (*bp_frame_fn)(void *port, void *frame);

typedef struct {
    bp_pj_port_info info;
    void *pdata;
    long ldata;
    void *grp_lock;
    void *get_clock_src;
    bp_frame_fn put_frame;
    bp_frame_fn get_frame;
    int (*on_destroy)(void *port);
} bp_pj_port;

typedef struct {
    uint32_t type; /* PJMEDIA_FRAME_TYPE_NONE 0, _AUDIO 1 */
    void *buf;
    size_t size;
    uint64_t timestamp;
    uint32_t bit_info;
} bp_pj_frame;

enum { FRAME_NONE = 0, FRAME_AUDIO = 1 };

#endif
