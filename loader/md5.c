#include "md5.h"

#include <string.h>

static uint32_t rotl(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }

/* RFC 1321's four round functions and one step; every step spelled out
 * (no per-step branch or table lookup), as the module MD5 is computed for
 * every module loaded. */
#define F(x, y, z) (((x) & (y)) | (~(x) & (z)))
#define G(x, y, z) (((x) & (z)) | ((y) & ~(z)))
#define H(x, y, z) ((x) ^ (y) ^ (z))
#define I(x, y, z) ((y) ^ ((x) | ~(z)))
#define STEP(f, a, b, c, d, x, s, k) ((a) = (b) + rotl((a) + f((b), (c), (d)) + (x) + (uint32_t)(k), (s)))

static void md5_block(md5_ctx *ctx, const uint8_t *p)
{
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = ctx->state[0], b = ctx->state[1], c = ctx->state[2], d = ctx->state[3];
    STEP(F, a, b, c, d, w[0], 7, 0xd76aa478); STEP(F, d, a, b, c, w[1], 12, 0xe8c7b756);
    STEP(F, c, d, a, b, w[2], 17, 0x242070db); STEP(F, b, c, d, a, w[3], 22, 0xc1bdceee);
    STEP(F, a, b, c, d, w[4], 7, 0xf57c0faf); STEP(F, d, a, b, c, w[5], 12, 0x4787c62a);
    STEP(F, c, d, a, b, w[6], 17, 0xa8304613); STEP(F, b, c, d, a, w[7], 22, 0xfd469501);
    STEP(F, a, b, c, d, w[8], 7, 0x698098d8); STEP(F, d, a, b, c, w[9], 12, 0x8b44f7af);
    STEP(F, c, d, a, b, w[10], 17, 0xffff5bb1); STEP(F, b, c, d, a, w[11], 22, 0x895cd7be);
    STEP(F, a, b, c, d, w[12], 7, 0x6b901122); STEP(F, d, a, b, c, w[13], 12, 0xfd987193);
    STEP(F, c, d, a, b, w[14], 17, 0xa679438e); STEP(F, b, c, d, a, w[15], 22, 0x49b40821);

    STEP(G, a, b, c, d, w[1], 5, 0xf61e2562); STEP(G, d, a, b, c, w[6], 9, 0xc040b340);
    STEP(G, c, d, a, b, w[11], 14, 0x265e5a51); STEP(G, b, c, d, a, w[0], 20, 0xe9b6c7aa);
    STEP(G, a, b, c, d, w[5], 5, 0xd62f105d); STEP(G, d, a, b, c, w[10], 9, 0x02441453);
    STEP(G, c, d, a, b, w[15], 14, 0xd8a1e681); STEP(G, b, c, d, a, w[4], 20, 0xe7d3fbc8);
    STEP(G, a, b, c, d, w[9], 5, 0x21e1cde6); STEP(G, d, a, b, c, w[14], 9, 0xc33707d6);
    STEP(G, c, d, a, b, w[3], 14, 0xf4d50d87); STEP(G, b, c, d, a, w[8], 20, 0x455a14ed);
    STEP(G, a, b, c, d, w[13], 5, 0xa9e3e905); STEP(G, d, a, b, c, w[2], 9, 0xfcefa3f8);
    STEP(G, c, d, a, b, w[7], 14, 0x676f02d9); STEP(G, b, c, d, a, w[12], 20, 0x8d2a4c8a);

    STEP(H, a, b, c, d, w[5], 4, 0xfffa3942); STEP(H, d, a, b, c, w[8], 11, 0x8771f681);
    STEP(H, c, d, a, b, w[11], 16, 0x6d9d6122); STEP(H, b, c, d, a, w[14], 23, 0xfde5380c);
    STEP(H, a, b, c, d, w[1], 4, 0xa4beea44); STEP(H, d, a, b, c, w[4], 11, 0x4bdecfa9);
    STEP(H, c, d, a, b, w[7], 16, 0xf6bb4b60); STEP(H, b, c, d, a, w[10], 23, 0xbebfbc70);
    STEP(H, a, b, c, d, w[13], 4, 0x289b7ec6); STEP(H, d, a, b, c, w[0], 11, 0xeaa127fa);
    STEP(H, c, d, a, b, w[3], 16, 0xd4ef3085); STEP(H, b, c, d, a, w[6], 23, 0x04881d05);
    STEP(H, a, b, c, d, w[9], 4, 0xd9d4d039); STEP(H, d, a, b, c, w[12], 11, 0xe6db99e5);
    STEP(H, c, d, a, b, w[15], 16, 0x1fa27cf8); STEP(H, b, c, d, a, w[2], 23, 0xc4ac5665);

    STEP(I, a, b, c, d, w[0], 6, 0xf4292244); STEP(I, d, a, b, c, w[7], 10, 0x432aff97);
    STEP(I, c, d, a, b, w[14], 15, 0xab9423a7); STEP(I, b, c, d, a, w[5], 21, 0xfc93a039);
    STEP(I, a, b, c, d, w[12], 6, 0x655b59c3); STEP(I, d, a, b, c, w[3], 10, 0x8f0ccc92);
    STEP(I, c, d, a, b, w[10], 15, 0xffeff47d); STEP(I, b, c, d, a, w[1], 21, 0x85845dd1);
    STEP(I, a, b, c, d, w[8], 6, 0x6fa87e4f); STEP(I, d, a, b, c, w[15], 10, 0xfe2ce6e0);
    STEP(I, c, d, a, b, w[6], 15, 0xa3014314); STEP(I, b, c, d, a, w[13], 21, 0x4e0811a1);
    STEP(I, a, b, c, d, w[4], 6, 0xf7537e82); STEP(I, d, a, b, c, w[11], 10, 0xbd3af235);
    STEP(I, c, d, a, b, w[2], 15, 0x2ad7d2bb); STEP(I, b, c, d, a, w[9], 21, 0xeb86d391);
    ctx->state[0] += a; ctx->state[1] += b; ctx->state[2] += c; ctx->state[3] += d;
}

#undef F
#undef G
#undef H
#undef I
#undef STEP

void md5_init(md5_ctx *c)
{
    *c = (md5_ctx){ .state = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 } };
}

void md5_update(md5_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    c->length += len;
    while (len > 0) {
        if (c->fill == 0 && len >= 64) {   /* whole blocks straight from the input */
            md5_block(c, p);
            p += 64;
            len -= 64;
            continue;
        }
        size_t n = 64 - c->fill < len ? 64 - c->fill : len;
        memcpy(c->block + c->fill, p, n);
        c->fill += n;
        p += n;
        len -= n;
        if (c->fill == 64) {
            md5_block(c, c->block);
            c->fill = 0;
        }
    }
}

void md5_final(md5_ctx *c, uint8_t digest[16])
{
    uint64_t bits = c->length * 8;
    static const uint8_t pad[64] = { 0x80 };
    size_t padlen = c->fill < 56 ? 56 - c->fill : 120 - c->fill;
    md5_update(c, pad, padlen);
    uint8_t lenbytes[8];
    for (int i = 0; i < 8; i++) lenbytes[i] = (uint8_t)(bits >> (8 * i));
    md5_update(c, lenbytes, 8);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) digest[4 * i + j] = (uint8_t)(c->state[i] >> (8 * j));
}
