#include "compact.h"

/* Payload bytes of the large and huge forms, big-endian. Tag i is two's
 * complement; for the other tags a set top bit means the value does not fit
 * an unsigned word (the writer adds a 0x00 byte when a positive value's top
 * bit is set), which OTP's loader treats as overflow. */
static compact_status read_multibyte(compact_reader *r, uint8_t tag, size_t n, compact_value *out)
{
    if ((size_t)(r->end - r->pos) < n) return COMPACT_TRUNCATED;
    const uint8_t *b = r->pos;
    r->pos += n;
    bool negative = (b[0] & 0x80) != 0;
    /* Drop sign-extension bytes that carry no value. */
    size_t skip = 0;
    while (n - skip > 1 && b[skip] == (negative ? 0xFF : 0x00) && ((b[skip + 1] & 0x80) != 0) == negative) skip++;
    size_t sig = n - skip;
    if (tag != CT_I) {
        if (negative) return COMPACT_OVERFLOW;
        if (sig > 8 && !(sig == 9 && b[skip] == 0)) return COMPACT_OVERFLOW;
        uint64_t v = 0;
        for (size_t k = skip; k < n; k++) v = (v << 8) | b[k];
        out->v.u = v;
        return COMPACT_OK;
    }
    if (sig > 8) {
        out->is_big = true;
        out->bytes = b;
        out->nbytes = n;
        return COMPACT_OK;
    }
    uint64_t v = negative ? UINT64_MAX : 0;
    for (size_t k = skip; k < n; k++) v = (v << 8) | b[k];
    out->v.i = (int64_t)v;
    return COMPACT_OK;
}

compact_status compact_read(compact_reader *r, compact_value *out)
{
    if (r->pos >= r->end) return COMPACT_TRUNCATED;
    uint8_t b = *r->pos++;
    uint8_t tag = b & 7;
    *out = (compact_value){ .tag = tag };
    if (tag == CT_Z) {
        /* Extended tags are always one byte, (kind << 4) | 7. */
        out->v.u = b >> 4;
        return (b & 0x08) ? COMPACT_OVERFLOW : COMPACT_OK;
    }
    if ((b & 0x08) == 0) {
        out->v.u = b >> 4;
        return COMPACT_OK;
    }
    if ((b & 0x10) == 0) {
        if (r->pos >= r->end) return COMPACT_TRUNCATED;
        out->v.u = ((uint64_t)(b >> 5) << 8) | *r->pos++;
        return COMPACT_OK;
    }
    size_t n = (size_t)(b >> 5) + 2;
    if ((b >> 5) == 7) {
        /* The length is a u of at most 8 bytes: a huge length prefix would
         * make this recursion as deep as the input is long. */
        if (r->pos < r->end && (*r->pos & 0xF8) == 0xF8) return COMPACT_BAD_HUGE;
        compact_value len;
        compact_status s = compact_read(r, &len);
        if (s != COMPACT_OK) return s == COMPACT_TRUNCATED ? s : COMPACT_BAD_HUGE;
        if (len.tag != CT_U || len.v.u > (uint64_t)(r->end - r->pos)) {
            return len.tag != CT_U ? COMPACT_BAD_HUGE : COMPACT_TRUNCATED;
        }
        n = (size_t)len.v.u + 9;
    }
    return read_multibyte(r, tag, n, out);
}

const char *compact_status_text(compact_status s)
{
    switch (s) {
    case COMPACT_OK: return "ok";
    case COMPACT_TRUNCATED: return "compact term runs past the end of the chunk";
    case COMPACT_OVERFLOW: return "compact term value is negative or does not fit 64 bits";
    case COMPACT_BAD_HUGE: return "huge compact term has a bad length prefix";
    }
    return "bad compact term";
}
