#ifndef LVC_ZLIB_SHIM_H
#define LVC_ZLIB_SHIM_H
#include <zlib.h>

// deflateInit/inflateInit are macros Swift cannot import; these wrap them.
static inline int lvc_deflateInit(z_streamp strm, int level) {
    return deflateInit(strm, level);
}
static inline int lvc_deflateInitRaw(z_streamp strm, int level) {
    // Raw deflate (no zlib header), for zip entries.
    return deflateInit2(strm, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}
static inline int lvc_deflateInitWindow(z_streamp strm, int level, int windowBits, int memLevel) {
    // The zlib format with a chosen window and hash size (objects of known, small size).
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}
static inline int lvc_inflateInit(z_streamp strm) {
    return inflateInit(strm);
}
static inline int lvc_inflateInitRaw(z_streamp strm) {
    return inflateInit2(strm, -MAX_WBITS);
}
#endif
