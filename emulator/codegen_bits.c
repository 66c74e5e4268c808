/*
 * codegen_bits.c — code generation for the bit syntax (bs_* instructions):
 * generic operands (otp25-notes §3) to the specific instructions of
 * ops_bits.tab, run by emu_bits.inc with the help of bits.c.
 *
 * Field flags arrive as OTP's {field_flags,N} bits (little 2, signed 4,
 * native 16; beam_asm:flag_to_bit) or, in bs_create_bin, as a literal
 * list of atoms; both become bits.h's BSF_*.
 */
#include <string.h>

#include "atom.h"
#include "bits.h"
#include "codegen.h"
#include "genop.h"

#define OTP_FLAG_LITTLE 0x02u
#define OTP_FLAG_SIGNED 0x04u
#define OTP_FLAG_NATIVE 0x10u

static unsigned native_little(void)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return BSF_LITTLE;
#else
    return 0;
#endif
}

static unsigned field_flags(cg *g, const beam_operand *o)
{
    unsigned otp = (unsigned)u_value(g, o), flags = 0;
    if (otp & OTP_FLAG_LITTLE) flags |= BSF_LITTLE;
    if (otp & OTP_FLAG_NATIVE) flags |= native_little();
    if (otp & OTP_FLAG_SIGNED) flags |= BSF_SIGNED;
    return flags;
}

static bool atom_is(Term t, const char *name) { return term_is_atom(t) && strcmp(atom_text(t), name) == 0; }

/* bs_create_bin flags: NIL or a literal list such as [little,signed]. */
static unsigned flag_list(cg *g, const beam_operand *o)
{
    Term list = const_term(g, o);
    unsigned flags = 0;
    for (; term_is_list(list); list = list_tail(list)) {
        Term f = list_head(list);
        if (atom_is(f, "little")) flags |= BSF_LITTLE;
        else if (atom_is(f, "native")) flags |= native_little();
        else if (atom_is(f, "signed")) flags |= BSF_SIGNED;
    }
    return flags;
}

/* A pointer to `bits` bits of the module's string table at offset. */
static BeamInstr string_at(cg *g, uint64_t offset, uint64_t bits)
{
    uint64_t bytes = (bits + 7) / 8;
    if (offset > g->m->strings_len || bytes > g->m->strings_len - offset)
        CG_FAIL(g, "string operand (offset %llu, %llu bytes) outside the string table",
                (unsigned long long)offset, (unsigned long long)bytes);
    return (BeamInstr)(g->m->strings + offset);
}

/* A fail operand: a label, or (bs_start_match4) the atoms no_fail and
 * resume, which mean the instruction cannot fail. */
static void emit_fail(cg *g, const beam_operand *o)
{
    emit_label_ref(g, o->kind == OPND_LABEL ? o->v.u : 0);
}

static void gen_start_match(cg *g, const beam_operand *fail, const beam_operand *src, const beam_operand *live,
                            const beam_operand *dst)
{
    emit_op(g, OPC_bs_start_match);
    emit_fail(g, fail);
    emit_src(g, src);
    emit_u(g, live);
    emit_dst(g, dst);
}

/* bs_get_integer2/float2/binary2: Fail Ctx Live Size Unit Flags Dst */
static void gen_get_field(cg *g, const beam_instr *in, int opc)
{
    emit_op(g, opc);
    emit_label_ref(g, OPND(in, 0)->v.u);
    emit_src(g, OPND(in, 1));
    emit_u(g, OPND(in, 2));
    emit_src(g, OPND(in, 3));
    emit_u(g, OPND(in, 4));
    emit_word(g, field_flags(g, OPND(in, 5)));
    emit_dst(g, OPND(in, 6));
}

/* The common integer field: a literal size of at most 56 bits, big-endian.
 * It fits a small and needs no heap, so the handler reads it in place. */
static bool gen_get_small_int(cg *g, const beam_instr *in)
{
    const beam_operand *size = OPND(in, 3);
    unsigned flags = field_flags(g, OPND(in, 5));
    if (size->kind != OPND_INT || !term_is_small(size->v.term) || (flags & BSF_LITTLE)) return false;
    SWord n = small_value(size->v.term) * (SWord)u_value(g, OPND(in, 4));
    if (n < 1 || n > 56) return false;
    emit_op(g, OPC_bs_get_small_int);
    emit_label_ref(g, OPND(in, 0)->v.u);
    emit_src(g, OPND(in, 1));
    emit_word(g, (BeamInstr)n);
    emit_word(g, (flags & BSF_SIGNED) != 0);
    emit_dst(g, OPND(in, 6));
    return true;
}

/* bs_get_utfN: Fail Ctx Live Flags Dst; bs_skip_utfN: Fail Ctx Live Flags */
static void gen_utf(cg *g, const beam_instr *in, unsigned kind, bool skip)
{
    emit_op(g, skip ? OPC_bs_skip_utf : OPC_bs_get_utf);
    emit_label_ref(g, OPND(in, 0)->v.u);
    emit_src(g, OPND(in, 1));
    if (!skip) emit_u(g, OPND(in, 2));
    emit_word(g, kind | field_flags(g, OPND(in, 3)) << 8);
    if (!skip) emit_dst(g, OPND(in, 4));
}

static int segment_type(cg *g, Term type)
{
    static const char *const names[] = {
        [BSEG_INTEGER] = "integer", [BSEG_FLOAT] = "float", [BSEG_BINARY] = "binary",
        [BSEG_UTF8] = "utf8", [BSEG_UTF16] = "utf16", [BSEG_UTF32] = "utf32",
        [BSEG_STRING] = "string", [BSEG_APPEND] = "append", [BSEG_PRIVATE_APPEND] = "private_append",
    };
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
        if (atom_is(type, names[i])) return i;
    CG_FAIL(g, "bs_create_bin: unknown segment type");
}

/* bs_create_bin Fail Alloc Live Unit Dst {list, 6 per segment:
 * Type SegNo Unit Flags Value Size} */
static void gen_create_bin(cg *g, const beam_instr *in)
{
    const beam_operand *list = OPND(in, 5);
    uint64_t n = list->v.u;
    if (n % 6) CG_FAIL(g, "bs_create_bin: segment list of %llu operands", (unsigned long long)n);
    emit_op(g, OPC_i_bs_create_bin);
    emit_label_ref(g, OPND(in, 0)->v.u);
    emit_u(g, OPND(in, 1));
    emit_u(g, OPND(in, 2));
    emit_dst(g, OPND(in, 4));
    emit_word(g, n / 6 * BS_SEG_WORDS);
    for (uint64_t k = 0; k < n; k += 6) {
        const beam_operand *seg = list + 1 + k;
        int type = segment_type(g, const_term(g, &seg[0]));
        uint64_t unit = u_value(g, &seg[2]);
        if (unit > 256) CG_FAIL(g, "bs_create_bin: unit %llu", (unsigned long long)unit);
        emit_word(g, bs_seg_info((unsigned)type, flag_list(g, &seg[3]), unit, u_value(g, &seg[1])));
        if (type == BSEG_STRING) {
            Term size = const_term(g, &seg[5]);
            if (!term_is_small(size) || small_value(size) < 0) CG_FAIL(g, "bs_create_bin: bad string size");
            emit_word(g, string_at(g, u_value(g, &seg[4]), 8 * (uint64_t)small_value(size)));
        } else {
            emit_src(g, &seg[4]);
        }
        emit_src(g, &seg[5]);
    }
}

/* Legacy construction. bs_init2/bs_init_bits: Fail Size Words Live Flags Dst */
static void gen_legacy_init(cg *g, const beam_instr *in, unsigned unit)
{
    emit_op(g, OPC_bs_init);
    emit_label_ref(g, OPND(in, 0)->v.u);
    const beam_operand *size = OPND(in, 1);
    if (size->kind == OPND_U) emit_word(g, make_small((SWord)size->v.u));
    else emit_src(g, size);
    emit_word(g, unit);
    emit_u(g, OPND(in, 2));
    emit_u(g, OPND(in, 3));
    emit_dst(g, OPND(in, 5));
}

/* bs_put_integer/float/binary: Fail Size Unit Flags Src */
static void gen_legacy_put(cg *g, const beam_instr *in, int opc)
{
    emit_op(g, opc);
    emit_label_ref(g, OPND(in, 0)->v.u);
    emit_src(g, OPND(in, 4));
    emit_src(g, OPND(in, 1));
    emit_u(g, OPND(in, 2));
    emit_word(g, field_flags(g, OPND(in, 3)));
}

/* bs_put_utfN: Fail Flags Src */
static void gen_legacy_put_utf(cg *g, const beam_instr *in, unsigned kind)
{
    emit_op(g, OPC_bs_put_utf);
    emit_label_ref(g, OPND(in, 0)->v.u);
    emit_src(g, OPND(in, 2));
    emit_word(g, kind | field_flags(g, OPND(in, 1)) << 8);
}

/* bs_utf8_size/bs_utf16_size: Fail Src Dst */
static void gen_legacy_utf_size(cg *g, const beam_instr *in, unsigned kind)
{
    emit_op(g, OPC_bs_utf_size);
    emit_label_ref(g, OPND(in, 0)->v.u);
    emit_src(g, OPND(in, 1));
    emit_word(g, kind);
    emit_dst(g, OPND(in, 2));
}

/* bs_append: Fail Size Extra Live Unit Bin Flags Dst;
 * bs_private_append: Fail Size Unit Bin Flags Dst */
static void gen_legacy_append(cg *g, const beam_instr *in, bool private)
{
    emit_op(g, OPC_bs_append);
    emit_label_ref(g, OPND(in, 0)->v.u);
    emit_src(g, OPND(in, 1));
    if (private) {
        emit_word(g, 0);
        emit_word(g, BS_LIVE_UNKNOWN);   /* no collection: we do not know what is live */
        emit_u(g, OPND(in, 2));
        emit_src(g, OPND(in, 3));
        emit_dst(g, OPND(in, 5));
    } else {
        emit_u(g, OPND(in, 2));
        emit_u(g, OPND(in, 3));
        emit_u(g, OPND(in, 4));
        emit_src(g, OPND(in, 5));
        emit_dst(g, OPND(in, 7));
    }
}

static bool gen_match_instr(cg *g, const beam_instr *in)
{
    switch (in->op) {
    case OP_bs_start_match3: /* Fail Src Live Dst */
        gen_start_match(g, OPND(in, 0), OPND(in, 1), OPND(in, 2), OPND(in, 3));
        return true;
    case OP_bs_start_match4: /* Fail Live Src Dst */
        gen_start_match(g, OPND(in, 0), OPND(in, 2), OPND(in, 1), OPND(in, 3));
        return true;
    case OP_bs_get_position: /* Ctx Dst Live */
        emit_op(g, OPC_bs_get_position); emit_src(g, OPND(in, 0)); emit_dst(g, OPND(in, 1));
        return true;
    case OP_bs_set_position: /* Ctx Pos */
        emit_op(g, OPC_bs_set_position); emit_src(g, OPND(in, 0)); emit_src(g, OPND(in, 1));
        return true;
    case OP_bs_get_tail: /* Ctx Dst Live */
        emit_op(g, OPC_bs_get_tail); emit_src(g, OPND(in, 0)); emit_dst(g, OPND(in, 1)); emit_u(g, OPND(in, 2));
        return true;
    case OP_bs_test_tail2: /* Fail Ctx Bits */
        emit_op(g, OPC_bs_test_tail); emit_label_ref(g, OPND(in, 0)->v.u); emit_src(g, OPND(in, 1)); emit_u(g, OPND(in, 2));
        return true;
    case OP_bs_test_unit: /* Fail Ctx Unit */
        if (u_value(g, OPND(in, 2)) == 0) CG_FAIL(g, "bs_test_unit with unit 0");
        emit_op(g, OPC_bs_test_unit); emit_label_ref(g, OPND(in, 0)->v.u); emit_src(g, OPND(in, 1)); emit_u(g, OPND(in, 2));
        return true;
    case OP_bs_skip_bits2: /* Fail Ctx Size Unit Flags */
        emit_op(g, OPC_bs_skip_bits); emit_label_ref(g, OPND(in, 0)->v.u); emit_src(g, OPND(in, 1));
        emit_src(g, OPND(in, 2)); emit_u(g, OPND(in, 3));
        return true;
    case OP_bs_get_integer2:
        if (!gen_get_small_int(g, in)) gen_get_field(g, in, OPC_bs_get_integer);
        return true;
    case OP_bs_get_float2: gen_get_field(g, in, OPC_bs_get_float); return true;
    case OP_bs_get_binary2: gen_get_field(g, in, OPC_bs_get_binary); return true;
    case OP_bs_match_string: { /* Fail Ctx Bits Offset */
        uint64_t bits = u_value(g, OPND(in, 2));
        emit_op(g, OPC_bs_match_string); emit_label_ref(g, OPND(in, 0)->v.u); emit_src(g, OPND(in, 1));
        emit_word(g, bits);
        emit_word(g, string_at(g, u_value(g, OPND(in, 3)), bits));
        return true;
    }
    case OP_bs_get_utf8: gen_utf(g, in, 8, false); return true;
    case OP_bs_get_utf16: gen_utf(g, in, 16, false); return true;
    case OP_bs_get_utf32: gen_utf(g, in, 32, false); return true;
    case OP_bs_skip_utf8: gen_utf(g, in, 8, true); return true;
    case OP_bs_skip_utf16: gen_utf(g, in, 16, true); return true;
    case OP_bs_skip_utf32: gen_utf(g, in, 32, true); return true;
    default: return false;
    }
}

static bool gen_construct_instr(cg *g, const beam_instr *in)
{
    switch (in->op) {
    case OP_bs_create_bin: gen_create_bin(g, in); return true;
    case OP_bs_init_writable: emit_op(g, OPC_bs_init_writable); return true;
    case OP_bs_init2: gen_legacy_init(g, in, 8); return true;
    case OP_bs_init_bits: gen_legacy_init(g, in, 1); return true;
    case OP_bs_put_integer: gen_legacy_put(g, in, OPC_bs_put_integer); return true;
    case OP_bs_put_float: gen_legacy_put(g, in, OPC_bs_put_float); return true;
    case OP_bs_put_binary: gen_legacy_put(g, in, OPC_bs_put_binary); return true;
    case OP_bs_put_string: { /* Len StrOffset */
        uint64_t len = u_value(g, OPND(in, 0));
        emit_op(g, OPC_bs_put_string);
        emit_word(g, len);
        emit_word(g, string_at(g, u_value(g, OPND(in, 1)), 8 * len));
        return true;
    }
    case OP_bs_put_utf8: gen_legacy_put_utf(g, in, 8); return true;
    case OP_bs_put_utf16: gen_legacy_put_utf(g, in, 16); return true;
    case OP_bs_put_utf32: gen_legacy_put_utf(g, in, 32); return true;
    case OP_bs_utf8_size: gen_legacy_utf_size(g, in, 8); return true;
    case OP_bs_utf16_size: gen_legacy_utf_size(g, in, 16); return true;
    case OP_bs_add: /* Fail Src1 Src2 Unit Dst */
        emit_op(g, OPC_bs_add); emit_label_ref(g, OPND(in, 0)->v.u); emit_src(g, OPND(in, 1)); emit_src(g, OPND(in, 2));
        emit_u(g, OPND(in, 3)); emit_dst(g, OPND(in, 4));
        return true;
    case OP_bs_append: gen_legacy_append(g, in, false); return true;
    case OP_bs_private_append: gen_legacy_append(g, in, true); return true;
    default: return false;
    }
}

bool gen_bits_instr(cg *g, const beam_instr *in)
{
    return gen_match_instr(g, in) || gen_construct_instr(g, in);
}
