/*
 * md5.h — MD5 (RFC 1321), for the module checksum that OTP computes over
 * the code chunks (module_info(md5)). Not for security.
 */
#ifndef CB_MD5_H
#define CB_MD5_H

#include <stddef.h>
#include <stdint.h>

typedef struct md5_ctx {
    uint32_t state[4];
    uint64_t length;       /* bytes hashed so far */
    uint8_t block[64];
    size_t fill;
} md5_ctx;

void md5_init(md5_ctx *c);
void md5_update(md5_ctx *c, const void *data, size_t len);
void md5_final(md5_ctx *c, uint8_t digest[16]);

#endif
