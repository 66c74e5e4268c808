/*
 * packet.c — erlang:decode_packet/3: the packet types of OTP 25's
 * packet_parser.c (raw/0, 1, 2, 4, asn1, cdr, sunrm, fcgi, tpkt, line,
 * http, httph, http_bin, httph_bin, ssl_tls) with its length rules,
 * {more, Len} / {error, invalid} answers and HTTP term shapes.
 */
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "bif.h"
#include "bits.h"
#include "term_build.h"

enum ptype { PT_RAW, PT_1, PT_2, PT_4, PT_ASN1, PT_CDR, PT_SUNRM, PT_FCGI, PT_TPKT, PT_LINE,
             PT_HTTP, PT_HTTPH, PT_HTTP_BIN, PT_HTTPH_BIN, PT_SSL_TLS };

static bool packet_type(Term t, enum ptype *out)
{
    static const struct { const char *name; enum ptype type; } names[] = {
        { "raw", PT_RAW }, { "asn1", PT_ASN1 }, { "cdr", PT_CDR }, { "sunrm", PT_SUNRM },
        { "fcgi", PT_FCGI }, { "tpkt", PT_TPKT }, { "line", PT_LINE }, { "http", PT_HTTP },
        { "httph", PT_HTTPH }, { "http_bin", PT_HTTP_BIN }, { "httph_bin", PT_HTTPH_BIN },
        { "ssl_tls", PT_SSL_TLS },
    };
    if (t == make_small(0)) { *out = PT_RAW; return true; }
    if (t == make_small(1)) { *out = PT_1; return true; }
    if (t == make_small(2)) { *out = PT_2; return true; }
    if (t == make_small(4)) { *out = PT_4; return true; }
    if (!term_is_atom(t)) return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(atom_text(t), names[i].name) == 0) { *out = names[i].type; return true; }
    return false;
}

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be24(const uint8_t *p) { return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]; }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | be24(p + 1); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }

#define LEN_MORE 0
#define LEN_ERROR (-1)

/* A header of hlen bytes announcing plen more: the total, or an error if
 * plen is over the packet size limit. */
static int64_t with_header(uint32_t hlen, uint32_t plen, uint32_t max_plen)
{
    uint64_t limit = max_plen ? max_plen : (uint64_t)INT32_MAX - hlen;
    return plen > limit ? LEN_ERROR : (int64_t)hlen + plen;
}

/* packet_get_length: > 0 the packet's total length (maybe more than n),
 * 0 unknown yet, < 0 invalid. An httph line takes the continuation lines
 * that follow it (lines starting with a space or tab). */
static int64_t packet_length(enum ptype type, const uint8_t *b, uint32_t n, uint32_t max_plen, uint32_t trunc_len,
                             uint8_t delimiter)
{
    switch (type) {
    case PT_RAW: return n == 0 ? LEN_MORE : n;
    case PT_1: return n < 1 ? LEN_MORE : with_header(1, b[0], max_plen);
    case PT_2: return n < 2 ? LEN_MORE : with_header(2, be16(b), max_plen);
    case PT_4: return n < 4 ? LEN_MORE : with_header(4, be32(b), max_plen);
    case PT_SUNRM: return n < 4 ? LEN_MORE : with_header(4, be32(b) & 0x7fffffffu, max_plen);
    case PT_LINE: {
        const uint8_t *nl = memchr(b, delimiter, n);
        if (!nl) {
            if (max_plen && n > max_plen) return LEN_ERROR;
            if (trunc_len && n >= trunc_len) return trunc_len;
            return LEN_MORE;
        }
        uint32_t len = (uint32_t)(nl - b) + 1;
        if (max_plen && len > max_plen) return LEN_ERROR;
        if (trunc_len && len > trunc_len) return trunc_len;
        return len;
    }
    case PT_ASN1: {
        if (n < 2) return LEN_MORE;
        uint32_t left = n - 1, i = 1;
        if ((b[0] & 0x1f) == 0x1f) {           /* long tag */
            while (left && (b[i] & 0x80)) { i++; left--; }
            if (left < 2) return LEN_MORE;
            i++;
            left--;
        }
        uint32_t plen, lenbytes = b[i] & 0x7f;
        if (b[i] & 0x80) {                     /* long length */
            i++;
            left--;
            if (left < lenbytes) return LEN_MORE;
            switch (lenbytes) {
            case 0: plen = 0; break;
            case 1: plen = b[i]; break;
            case 2: plen = be16(b + i); break;
            case 3: plen = be24(b + i); break;
            case 4: plen = be32(b + i); break;
            default: return LEN_ERROR;
            }
            i += lenbytes;
        } else {
            plen = lenbytes;
            i++;
        }
        return with_header(i, plen, max_plen);
    }
    case PT_CDR:
        if (n < 12) return LEN_MORE;
        if (memcmp(b, "GIOP", 4) != 0) return LEN_ERROR;
        return with_header(12, (b[6] & 1) ? le32(b + 8) : be32(b + 8), max_plen);
    case PT_FCGI:
        if (n < 8) return LEN_MORE;
        if (b[0] != 1) return LEN_ERROR;
        return with_header(8, be16(b + 4) + b[6], max_plen);
    case PT_TPKT:
        if (n < 4) return LEN_MORE;
        if (b[0] != 3) return LEN_ERROR;
        return with_header(4, be16(b + 2) - 4, max_plen);
    case PT_SSL_TLS:
        if (n < 5) return LEN_MORE;
        if ((b[0] & 0x80) && b[2] == 1) return with_header(5, (be16(b) & 0x7fff) - 3, max_plen);  /* SSLv2 hello */
        return with_header(5, be16(b + 3), max_plen);
    default: {                                  /* http: a line, and a header's continuation lines */
        bool header = type == PT_HTTPH || type == PT_HTTPH_BIN;
        if ((n == 1 && b[0] == '\n') || (n == 2 && b[0] == '\r' && b[1] == '\n')) return n;
        if (!max_plen) max_plen = trunc_len;
        uint32_t from = 0;
        for (;;) {
            const uint8_t *nl = memchr(b + from, '\n', n - from);
            if (!nl) return max_plen && n >= max_plen ? LEN_ERROR : LEN_MORE;
            uint32_t plen = (uint32_t)(nl - b) + 1;
            if (max_plen && plen > max_plen) return LEN_ERROR;
            if (!header) return plen;
            if (plen >= n) return LEN_MORE;
            if (!((b[plen] == ' ' || b[plen] == '\t') && plen > 2)) return plen;
            from = plen;
        }
    }
    }
}

/* --- HTTP terms ------------------------------------------------------------ */

typedef struct http_out {
    Process *p;
    bool bin;          /* http_bin / httph_bin: binaries, not strings */
} http_out;

static Term text(http_out *o, const uint8_t *s, size_t len)
{
    if (o->bin) return bits_new_binary(o->p, s, 0, (UWord)len * 8);
    Term *hp = HAlloc(o->p, 2 * len);
    Term list = NIL;
    for (size_t i = len; i-- > 0;) list = cons(hp + 2 * i, make_small(s[i]), list);
    return list;
}

static Term atom_of(const char *name)
{
    Term a;
    if (atom_put(name, strlen(name), &a) != ATOM_OK) atom_table_full_exit();
    return a;
}

static const char *const http_headers[] = {
    "Cache-Control", "Connection", "Date", "Pragma", "Transfer-Encoding", "Upgrade", "Via", "Accept",
    "Accept-Charset", "Accept-Encoding", "Accept-Language", "Authorization", "From", "Host",
    "If-Modified-Since", "If-Match", "If-None-Match", "If-Range", "If-Unmodified-Since", "Max-Forwards",
    "Proxy-Authorization", "Range", "Referer", "User-Agent", "Age", "Location", "Proxy-Authenticate",
    "Public", "Retry-After", "Server", "Vary", "Warning", "Www-Authenticate", "Allow", "Content-Base",
    "Content-Encoding", "Content-Language", "Content-Length", "Content-Location", "Content-Md5",
    "Content-Range", "Content-Type", "Etag", "Expires", "Last-Modified", "Accept-Ranges", "Set-Cookie",
    "Set-Cookie2", "X-Forwarded-For", "Cookie", "Keep-Alive", "Proxy-Connection",
};
static const char *const http_methods[] = { "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE" };

/* Index of s in table (exact, case-sensitive), or -1. */
static int lookup(const char *const *table, size_t n, const uint8_t *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(table[i]) == len && memcmp(table[i], s, len) == 0) return (int)i;
    return -1;
}

/* Separators and controls end a token (HTTP's tspecials). */
static bool tspecial(uint8_t c)
{
    if (c <= 32 || c >= 128) return true;
    return strchr("()<>@,;:\\\"/[]?={}", c) != NULL;
}

static bool sp(uint8_t c) { return c == ' ' || c == '\t'; }
static bool digit(uint8_t c) { return c >= '0' && c <= '9'; }

static bool prefix_nocase(const uint8_t *s, size_t len, const char *pre)
{
    size_t k = strlen(pre);
    if (len < k) return false;
    for (size_t i = 0; i < k; i++) {
        uint8_t c = s[i];
        if (c >= 'A' && c <= 'Z') c = (uint8_t)(c - 'A' + 'a');
        if (c != (uint8_t)pre[i]) return false;
    }
    return true;
}

/* {absoluteURI, Scheme, Host, Port | undefined, Path} */
static Term absolute_uri(http_out *o, Term scheme, const uint8_t *s, size_t len)
{
    const uint8_t *path = (const uint8_t *)"/";
    size_t path_len = 1;
    const uint8_t *slash = memchr(s, '/', len);
    if (slash) {
        path = slash;
        path_len = len - (size_t)(slash - s);
        len = (size_t)(slash - s);
    }
    size_t host_len = len;
    Term port = ATOM_NAMED("undefined");
    const uint8_t *colon = memchr(s, ':', len);
    if (colon) {
        host_len = (size_t)(colon - s);
        size_t left = len - host_len - 1;
        const uint8_t *q = colon + 1;
        uint32_t v = 0;                         /* an int in OTP: wraps */
        while (left && digit(*q)) { v = v * 10 + (uint32_t)(*q - '0'); left--; q++; }
        if (left == 0 && v != 0) port = make_small((int32_t)v);
    }
    Term host = text(o, s, host_len), pth = text(o, path, path_len);
    Term *hp = HAlloc(o->p, 6);
    return tuple_from(hp, (Term[]){ ATOM_NAMED("absoluteURI"), scheme, host, port, pth }, 5);
}

static Term http_uri(http_out *o, const uint8_t *s, size_t len)
{
    if (len == 1 && s[0] == '*') return ATOM_NAMED("*");
    if (len <= 1 || s[0] == '/') return tuple2(HAlloc(o->p, 3), ATOM_NAMED("abs_path"), text(o, s, len));
    if (prefix_nocase(s, len, "http://")) return absolute_uri(o, ATOM_NAMED("http"), s + 7, len - 7);
    if (prefix_nocase(s, len, "https://")) return absolute_uri(o, ATOM_NAMED("https"), s + 8, len - 8);
    const uint8_t *colon = memchr(s, ':', len);
    if (!colon) return text(o, s, len);
    size_t k = (size_t)(colon - s);
    Term scheme = text(o, s, k), rest = text(o, colon + 1, len - k - 1);
    return tuple3(HAlloc(o->p, 4), ATOM_NAMED("scheme"), scheme, rest);
}

/* Parses "Major.Minor" at *s; false if malformed. */
static bool http_version(const uint8_t **s, size_t *n, SWord *major, SWord *minor)
{
    const uint8_t *p = *s, *p0 = p;
    size_t left = *n;
    *major = *minor = 0;
    while (left && digit(*p)) { *major = 10 * *major + (*p - '0'); p++; left--; }
    if (p == p0 || !left || *p != '.') return false;
    p++;
    left--;
    p0 = p;
    while (left && digit(*p)) { *minor = 10 * *minor + (*p - '0'); p++; left--; }
    if (p == p0) return false;
    *s = p;
    *n = left;
    return true;
}

static Term version_tuple(http_out *o, SWord major, SWord minor)
{
    return tuple2(HAlloc(o->p, 3), make_small(major), make_small(minor));
}

/* The term for one http packet (packet_parse_http), or THE_NON_VALUE for
 * {http_error, Line}. */
static Term http_parse(http_out *o, const uint8_t *buf, size_t len, bool header)
{
    const uint8_t *p = buf;
    size_t n = len;
    if (n >= 2 && buf[n - 2] == '\r') n -= 2;
    else if (n >= 1 && buf[n - 1] == '\n') n -= 1;
    if (!header) {
        SWord major, minor;
        if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {   /* Status-Line */
            p += 5;
            n -= 5;
            if (!http_version(&p, &n, &major, &minor)) return THE_NON_VALUE;
            const uint8_t *p0 = p;
            while (n && sp(*p)) { p++; n--; }
            if (p == p0) return THE_NON_VALUE;
            SWord status = 0;
            while (n && digit(*p)) { status = 10 * status + (*p - '0'); p++; n--; }
            p0 = p;
            while (n && sp(*p)) { p++; n--; }
            if (p == p0 && n > 0) return THE_NON_VALUE;
            Term v = version_tuple(o, major, minor), reason = text(o, p, n);
            return tuple_from(HAlloc(o->p, 5), (Term[]){ ATOM_NAMED("http_response"), v, make_small(status), reason }, 4);
        }
        /* Request-Line */
        const uint8_t *meth = buf;
        while (n && !tspecial(*p)) { p++; n--; }
        size_t meth_len = (size_t)(p - meth);
        if (n == 0 || meth_len == 0 || !sp(*p)) return THE_NON_VALUE;
        while (n && sp(*p)) { p++; n--; }
        const uint8_t *uri = p;
        while (n && !sp(*p)) { p++; n--; }
        size_t uri_len = (size_t)(p - uri);
        if (uri_len == 0) return THE_NON_VALUE;
        while (n && sp(*p)) { p++; n--; }
        major = 0;
        minor = 9;
        if (n != 0) {
            if (n < 8 || memcmp(p, "HTTP/", 5) != 0) return THE_NON_VALUE;
            p += 5;
            n -= 5;
            if (!http_version(&p, &n, &major, &minor)) return THE_NON_VALUE;
        }
        int m = lookup(http_methods, sizeof http_methods / sizeof http_methods[0], meth, meth_len);
        Term method = m >= 0 ? atom_of(http_methods[m]) : text(o, meth, meth_len);
        Term u = http_uri(o, uri, uri_len), v = version_tuple(o, major, minor);
        return tuple_from(HAlloc(o->p, 5), (Term[]){ ATOM_NAMED("http_request"), method, u, v }, 4);
    }
    if (n == 0) return ATOM_NAMED("http_eoh");
    /* field-name: normalised to Capitalised-Words for the look-up */
    enum { MAX_NAME = 50 };
    uint8_t name[MAX_NAME];
    size_t name_len = 0;
    bool up = true;
    while (!tspecial(*p)) {
        if (name_len < MAX_NAME) {
            uint8_t c = *p;
            if (up) {
                if (c >= 'a' && c <= 'z') c = (uint8_t)(c - 'a' + 'A');
                up = false;
            } else if (c >= 'A' && c <= 'Z') {
                c = (uint8_t)(c - 'A' + 'a');
            } else if (c == '-') {
                up = true;
            }
            name[name_len] = c;
        }
        name_len++;
        p++;
        if (--n == 0) return THE_NON_VALUE;
    }
    if (*p != ':') return THE_NON_VALUE;
    int h = -1;
    const uint8_t *name_src = name;
    if (name_len <= MAX_NAME) h = lookup(http_headers, sizeof http_headers / sizeof http_headers[0], name, name_len);
    else name_src = buf;                       /* too long: as written */
    p++;
    n--;
    while (n && sp(*p)) { p++; n--; }
    Term field = h >= 0 ? atom_of(http_headers[h]) : text(o, name_src, name_len);
    Term raw = text(o, buf, name_len), value = text(o, p, n);
    return tuple_from(HAlloc(o->p, 6), (Term[]){ ATOM_NAMED("http_header"), make_small(h + 1), field, raw, value }, 5);
}

/* {ssl_tls, [], Type, {Major, Minor}, Body} (packet_parse_ssl). */
static Term ssl_parse(Process *p, const uint8_t *b, size_t len)
{
    Term body;
    unsigned type, major, minor;
    if ((b[0] & 0x80) && b[2] == 1) {           /* SSLv2 client hello: <<1, Len:24, Data>> */
        type = 22;
        major = b[3];
        minor = b[4];
        uint8_t *d;
        size_t dl = len - 3;
        body = bits_alloc_binary(p, (UWord)(dl + 4) * 8, &d);
        d[0] = 1;
        d[1] = (uint8_t)(dl >> 16); d[2] = (uint8_t)(dl >> 8); d[3] = (uint8_t)dl;
        memcpy(d + 4, b + 3, dl);
    } else {
        type = b[0];
        major = b[1];
        minor = b[2];
        body = bits_new_binary(p, b + 5, 0, (UWord)(len - 5) * 8);
    }
    Term v = tuple2(HAlloc(p, 3), make_small(major), make_small(minor));
    return tuple_from(HAlloc(p, 6), (Term[]){ ATOM_NAMED("ssl_tls"), NIL, make_small(type), v, body }, 5);
}

/* An option value: an integer 0..UINT32_MAX. */
static bool option_uint(Term v, uint32_t *out)
{
    if (!term_is_small(v) || small_value(v) < 0 || small_value(v) > (SWord)UINT32_MAX) return false;
    *out = (uint32_t)small_value(v);
    return true;
}

Term bif_erlang_decode_packet_3(Process *p, Term *args)
{
    enum ptype type;
    if (!packet_type(args[0], &type)) BIF_ERROR_CAUSE(p, EXC_BADARG, ATOM_NAMED("badopt"));
    Term bin = args[1], opts = args[2];
    if (!term_is_binary_like(bin) || list_length(opts) < 0) BIF_ERROR(p, EXC_BADARG);
    uint32_t max_plen = 0, trunc_len = 0, v;
    uint8_t delimiter = '\n';
    for (; term_is_list(opts); opts = list_tail(opts)) {
        Term opt = list_head(opts);
        if (!term_is_tuple(opt) || tuple_arity(opt) != 2 || !option_uint(tuple_elements(opt)[1], &v))
            BIF_ERROR(p, EXC_BADARG);
        Term k = tuple_elements(opt)[0];
        if (k == ATOM_NAMED("packet_size")) max_plen = v;
        else if (k == ATOM_NAMED("line_length")) trunc_len = v;
        else if (k == ATOM_NAMED("line_delimiter") && type == PT_LINE && v <= 255) delimiter = (uint8_t)v;
        else BIF_ERROR(p, EXC_BADARG);
    }
    UWord boff, bits;
    const uint8_t *src = bits_data(bin, &boff, &bits);
    UWord size = bits / 8;
    uint8_t *copy = NULL;
    const uint8_t *b = src + boff / 8;
    if (boff % 8) {                             /* unaligned: the whole bytes, aligned */
        copy = malloc(size ? size : 1);
        if (!copy) abort();
        bits_copy(copy, 0, src, boff, size * 8);
        b = copy;
    }
    uint32_t n = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    int64_t total = packet_length(type, b, n, max_plen, trunc_len, delimiter);
    Term result;
    if (total < 0) {
        result = tuple2(HAlloc(p, 3), ATOM_NAMED("error"), ATOM_NAMED("invalid"));
    } else if (total == 0 || (uint64_t)total > n) {
        Term len = total == 0 ? ATOM_NAMED("undefined") : make_small((SWord)total);
        result = tuple2(HAlloc(p, 3), ATOM_NAMED("more"), len);
    } else {
        size_t plen = (size_t)total;
        Term packet;
        if (type >= PT_HTTP && type <= PT_HTTPH_BIN) {
            http_out o = { p, type == PT_HTTP_BIN || type == PT_HTTPH_BIN };
            packet = http_parse(&o, b, plen, type == PT_HTTPH || type == PT_HTTPH_BIN);
            if (packet == THE_NON_VALUE) packet = tuple2(HAlloc(p, 3), ATOM_NAMED("http_error"), text(&o, b, plen));
        } else if (type == PT_SSL_TLS) {
            packet = ssl_parse(p, b, plen);
        } else {
            size_t skip = type == PT_1 ? 1 : type == PT_2 ? 2 : type == PT_4 ? 4 : 0;
            size_t body = plen - skip;
            if (type == PT_FCGI) body -= b[6];  /* without the padding */
            packet = bits_sub_binary(p, bin, (UWord)skip * 8, (UWord)body * 8);
        }
        Term rest = bits_sub_binary(p, bin, (UWord)plen * 8, bits - (UWord)plen * 8);
        result = tuple3(HAlloc(p, 4), ATOM_NAMED("ok"), packet, rest);
    }
    free(copy);
    return result;
}
