/* Binding statically linked NIF libraries into loaded code (nif.h). */
#include "nif.h"

#include "binary.h"

#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "atom.h"
#include "strbuf.h"
#include "term_build.h"

/* {error, {Reason, Text}} with Text a string, as OTP's load_nif_error. */
static Term load_error(Process *p, const char *reason, const char *text)
{
    size_t n = strlen(text);
    Term *hp = bif_alloc(p, 2 * n + 6);
    Term list = NIL;
    for (size_t i = n; i-- > 0;) list = cons(hp + 2 * i, make_small((unsigned char)text[i]), list);
    hp += 2 * n;
    Term r;
    if (atom_put(reason, strlen(reason), &r) != ATOM_OK) abort();
    return tuple2(hp + 3, ATOM_NAMED("error"), tuple2(hp, r, list));
}

static const code_function *find_function(const LoadedCode *lc, const char *name, uint32_t arity)
{
    for (uint32_t i = 0; i < lc->function_count; i++) {
        const code_function *f = &lc->functions[i];
        if (f->mfa.arity == arity && strcmp(atom_text(f->mfa.function), name) == 0) return f;
    }
    return NULL;
}

/* Where the NIF goes: the function's entry, right after i_func_info. */
static BeamInstr *nif_room(const code_function *f)
{
    BeamInstr *entry = (BeamInstr *)f->start + OPSIZE_i_func_info;
    if (*entry == (BeamInstr)opc_addresses[OPC_i_nif_start]) return entry;
    return f->end - entry >= OPSIZE_call_nif ? entry : NULL;
}

Term nif_bind(Process *p, LoadedCode *lc, const char *lib, const char *path)
{
    const char *module = atom_text(lc->module);
    size_t first = nif_count;
    for (size_t i = 0; i < nif_count && first == nif_count; i++)
        if (strcmp(nif_table[i].module, lib) == 0) first = i;
    strbuf msg = STRBUF_INIT;
    Term r = am_ok;
    if (first == nif_count || strcmp(lib, module) != 0) {
        /* cbeam has no dlopen: a library it does not link is missing, and
         * a static library is only found by its own module, as in OTP. */
        sb_printf(&msg, "Failed to load NIF library: '%s.so: cannot open shared object file: No such file or directory'", path);
        r = load_error(p, "load_failed", sb_str(&msg));
    } else if (lc->nifs_bound) {
        r = load_error(p, "reload", "NIF library already loaded (reload disallowed since OTP 20).");
    }
    for (size_t i = first; r == am_ok && i < nif_count && strcmp(nif_table[i].module, lib) == 0; i++) {
        const code_function *f = find_function(lc, nif_table[i].name, nif_table[i].arity);
        if (!f || !nif_room(f)) {
            sb_printf(&msg, "Function not found %s:%s/%u", module, nif_table[i].name, nif_table[i].arity);
            r = load_error(p, "bad_lib", sb_str(&msg));
        }
    }
    for (size_t i = first; r == am_ok && i < nif_count && strcmp(nif_table[i].module, lib) == 0; i++) {
        const code_function *f = find_function(lc, nif_table[i].name, nif_table[i].arity);
        BeamInstr *at = nif_room(f);
        at[1] = (BeamInstr)nif_table[i].fn;
        at[2] = (BeamInstr)&f->mfa;
        atomic_store_explicit((_Atomic BeamInstr *)at, (BeamInstr)opc_addresses[OPC_call_nif], memory_order_release);
    }
    if (r == am_ok) lc->nifs_bound = true;
    sb_free(&msg);
    return r;
}

bool nif_is_iovec(Term t)
{
    const uint8_t *b;
    size_t n;
    if (term_is_binary_like(t)) return binary_bytes(t, &b, &n);
    for (; term_is_list(t); t = list_tail(t))
        if (!term_is_binary_like(list_head(t)) || !binary_bytes(list_head(t), &b, &n)) return false;
    return term_is_nil(t);
}
