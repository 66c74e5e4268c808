/*
 * cbeam_io.c — cbeam's console BIFs (module cbeam_io), which the direct-mode
 * group leader (runtime/cbeam_user.erl) is built on. Output is encoded here
 * and queued for the IO thread (emulator/io_thread.h); input is asked for
 * here and arrives later as a message, so no BIF ever waits for the console.
 */
#include <stdbool.h>
#include <stdint.h>

#include "atom.h"
#include "bif.h"
#include "io_thread.h"
#include "strbuf.h"
#include "utf8.h"

/* Calls emit(cp) for every character of chardata (a deep list of code
 * points and binaries; binaries are UTF-8 when in_latin1 is false). False
 * if it is not chardata in that encoding. */
typedef struct char_sink {
    strbuf *out;
    bool device_latin1;
    bool input_latin1;
    bool ok;
} char_sink;

static void emit_char(char_sink *cs, uint32_t cp)
{
    if (!cs->device_latin1) {
        char u[4];
        sb_put(cs->out, u, utf8_encode(cp, u));
    } else if (cp <= 255) {
        sb_putc(cs->out, (char)cp);
    } else if (!cs->input_latin1) {
        sb_printf(cs->out, "\\x{%X}", cp);   /* as OTP's user on a latin1 device */
    } else {
        cs->ok = false;
    }
}

static bool emit_binary(char_sink *cs, Term bin)
{
    const uint8_t *bytes;
    size_t n;
    if (!binary_bytes(bin, &bytes, &n)) return false;
    for (size_t i = 0; i < n;) {
        uint32_t cp = bytes[i];
        size_t len = 1;
        if (!cs->input_latin1) {
            len = utf8_decode((const char *)bytes + i, n - i, &cp);
            if (len == 0) return false;
        }
        emit_char(cs, cp);
        i += len;
    }
    return true;
}

static bool emit_chardata(char_sink *cs, Term t)
{
    Term stack[256];
    size_t depth = 0;
    for (;;) {
        while (term_is_list(t)) {
            Term h = list_head(t);
            if (term_is_small(h)) {
                SWord c = small_value(h);
                if (c < 0 || c > 0x10FFFF || (cs->input_latin1 && c > 255)) return false;
                emit_char(cs, (uint32_t)c);
            } else if (term_is_list(h) || term_is_nil(h) || term_is_binary_like(h)) {
                if (depth == 256) return false;
                stack[depth++] = list_tail(t);
                t = h;
                continue;
            } else {
                return false;
            }
            t = list_tail(t);
        }
        if (term_is_binary_like(t)) {
            if (!emit_binary(cs, t)) return false;
        } else if (!term_is_nil(t)) {
            return false;
        }
        if (depth == 0) return cs->ok;
        t = stack[--depth];
    }
}

/* cbeam_io:put_chars(Fd, InEncoding, DeviceEncoding, Chardata) ->
 *     ok | wait | epipe | error
 * Encodes Chardata for the device and queues it for fd 1 or 2. `wait`:
 * queued, but the output queue is long: call notify_drained/0 and wait for
 * {cbeam_io, drained} before writing more. `epipe`: the reader of the fd
 * has gone; nothing more will be written there. `error`: not chardata in
 * InEncoding. */
Term bif_cbeam_io_put_chars_4(Process *p, Term *args)
{
    Term fd = args[0];
    if (!term_is_small(fd) || (small_value(fd) != 1 && small_value(fd) != 2)) BIF_ERROR(p, EXC_BADARG);
    strbuf sb = STRBUF_INIT;
    char_sink cs = { &sb, args[2] == ATOM_NAMED("latin1"), args[1] == ATOM_NAMED("latin1"), true };
    Term result = am_error;
    if (emit_chardata(&cs, args[3])) {
        switch (io_write((int)small_value(fd), sb_str(&sb), sb.len)) {
        case IO_WRITE_OK: result = am_ok; break;
        case IO_WRITE_FULL: result = ATOM_NAMED("wait"); break;
        case IO_WRITE_BROKEN: result = ATOM_NAMED("epipe"); break;
        }
    }
    BUMP_REDS(p, sb.len / 64);
    sb_free(&sb);
    return result;
}

/* cbeam_io:notify_drained() -> ok: sends the caller {cbeam_io, drained}
 * when the output queue is short again (see put_chars/4). */
Term bif_cbeam_io_notify_drained_0(Process *p, Term *args)
{
    (void)args;
    io_notify_drained(p->pid);
    return am_ok;
}

/* cbeam_io:request_line(DeviceEncoding) -> ok | error: asks for the next
 * line of standard input. The IO thread sends the caller {cbeam_io, Line}
 * (code points with the newline; the last line may lack it; UTF-8 decoded
 * on a unicode device, bytes on a latin1 one) or {cbeam_io, eof}. One
 * message per request, in the order of the requests. */
Term bif_cbeam_io_request_line_1(Process *p, Term *args)
{
    Term enc = args[0];
    if (enc != ATOM_NAMED("latin1") && enc != ATOM_NAMED("unicode")) BIF_ERROR(p, EXC_BADARG);
    return io_request_line(p->pid, enc == ATOM_NAMED("latin1")) ? am_ok : am_error;
}
