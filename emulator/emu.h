/*
 * emu.h — the threaded code and the interpreter that runs it.
 *
 * Threaded code is an array of BeamInstr words: each instruction is the
 * address of its handler in process_main() followed by its pre-decoded
 * operands (formats in ops.tab). codegen.c turns a beam_module's generic
 * instructions into it; emu.c runs it.
 *
 * Register operands (formats s and d) are encoded so that a handler can
 * tell them from constant terms by the low two bits, which are never 00 in
 * a term a source can hold:
 *   x(i) -> i << 3         y(i) -> (i + 1) << 3 | 4   (E[0] is the CP slot)
 */
#ifndef CB_EMU_H
#define CB_EMU_H

#include "beam_module.h"
#include "export.h"
#include "process.h"

enum {
#define OP(name, fmt) OPC_##name,
#include "ops.tab"
#undef OP
    OPC__COUNT
};

/* Words an instruction occupies, handler included ("*" counts the count
 * word only; its variable part is added by the handler). */
enum {
#define OP(name, fmt) OPSIZE_##name = sizeof(fmt),
#include "ops.tab"
#undef OP
};

extern const char *const opc_names[OPC__COUNT];
extern const char *const opc_formats[OPC__COUNT];
/* Handler addresses, filled in by emu_init(). */
extern const void *opc_addresses[OPC__COUNT];

#define REG_X(i) ((BeamInstr)(i) << 3)
#define REG_Y(i) (((BeamInstr)(i) + 1) << 3 | 4)
static inline bool operand_is_reg(BeamInstr w) { return (w & 3) == 0; }

/* A catch frame's stack word: an immediate with the handler's address. */
static inline Term make_catch(const BeamInstr *handler) { return ((Term)(uintptr_t)handler << 6) | TAG_IMMED2_CATCH; }
static inline const BeamInstr *catch_address(Term t) { return (const BeamInstr *)(uintptr_t)(t >> 6); }

/* --- loaded code ---------------------------------------------------------- */

typedef struct FunEntry {
    Term module;
    uint32_t index, old_uniq;
    uint32_t arity;            /* of the fun, free variables excluded */
    uint32_t num_free;
    MFA mfa;                   /* the lifted function, for stack traces */
    const BeamInstr *address;
    struct LoadedCode *code;
} FunEntry;

typedef struct code_function {   /* for address -> MFA */
    const BeamInstr *start;       /* the i_func_info instruction */
    const BeamInstr *end;
    MFA mfa;
} code_function;

typedef struct code_line {       /* for address -> source location */
    const BeamInstr *at;          /* first instruction of the location */
    uint32_t file;                /* index into file_names (0 = module.erl) */
    uint32_t line;
} code_line;

/* One version of a module's code. Immutable after codegen, except that
 * erlang:load_nif/2 binds NIFs into the i_nif_start room of its functions
 * while the on_load function runs, before any export is published
 * (nif.c); freed only when purged (hot code loading comes later). */
typedef struct LoadedCode {
    Term module;
    beam_module *beam;            /* retained: literals and tables */
    BeamInstr *code;
    size_t words;
    code_function *functions;
    uint32_t function_count;
    code_line *lines;
    uint32_t line_count;
    Term *file_names;             /* [0] = "<module>.erl", as strings */
    uint32_t file_name_count;
    FunEntry *funs;
    uint32_t fun_count;
    const BeamInstr **export_addresses;  /* parallel to beam->exports */
    const BeamInstr *on_load;     /* the on_load function, or NULL */
    bool nifs_bound;              /* erlang:load_nif/2 succeeded (nif.c) */
} LoadedCode;

/* Translates m into threaded code and publishes its exports. On failure
 * returns NULL with one line in err. The code keeps a reference to m. */
struct strbuf;
LoadedCode *codegen(beam_module *m, struct strbuf *err);
/* Frees code that was never installed in the module table (prepared code
 * that erlang:finish_loading/1 did not take). */
void codegen_free(LoadedCode *lc);

const BeamInstr *emu_normal_exit(void);
/* Set by main under OTP's boot (the default; not with +direct): calls to functions that
 * are not loaded go to the process's error handler (OTP's interactive
 * mode) once it is loaded, instead of cbeam's own code-path search. */
extern bool emu_otp_boot;

/* The code containing addr, and the function and location there. */
const LoadedCode *code_find(const BeamInstr *addr);
const code_function *code_function_at(const LoadedCode *lc, const BeamInstr *addr);
const code_line *code_line_at(const LoadedCode *lc, const BeamInstr *addr);
/* The {M, F, A} of the function holding addr, or NULL (not in any code). */
const MFA *code_mfa_at(const BeamInstr *addr);

/* --- the module table (module.c) ---------------------------------------- */

void module_table_init(const char *const *code_path, size_t n);
/* The current code of a module, loading it from the code path if needed;
 * NULL if it cannot be found or loaded (err says why, when non-NULL). A
 * module with an on_load function is left waiting for it (as OTP's
 * erlang:finish_loading leaves it for the code server): the caller starts
 * a runner, as module_load_for_call's callers do. */
LoadedCode *module_ensure_loaded(Term module, struct strbuf *err);
LoadedCode *module_current(Term module);
/* For a call through an export of a module that is not loaded: loads it
 * from the code path if it was never tried. MODULE_ON_LOAD: its exports
 * wait for its on_load function; *start_runner is set for the one caller
 * whose load made it so, which must start a process running it
 * (runtime/cbeam_on_load.erl). */
typedef enum { MODULE_LOADED, MODULE_ON_LOAD, MODULE_ABSENT } module_state;
module_state module_load_for_call(Term module, bool *start_runner);
/* erlang:call_on_load_function/1: the on_load function of a module whose
 * exports wait for it, now run by `runner`; NULL if there is none or it
 * already has a runner. */
const BeamInstr *module_on_load_begin(Term module, Term runner);
/* erlang:finish_after_on_load/2: publishes the exports (ok) or drops the
 * code; false if the module was not waiting. */
bool module_on_load_finish(Term module, bool ok);
/* The code whose on_load function `runner` is running, or NULL. */
LoadedCode *module_on_load_of(Term runner);
/* Registers loaded code as the current version of its module. */
void module_register(LoadedCode *lc);

/* Hot code loading (erlang:finish_loading/1 and friends, bifs/erlang_load.c).
 * A module has at most a current and an old version. Loading makes the
 * current version old (its exports go back to their trampolines, then the
 * new version's are published); purging drops the old one. */
typedef enum { FINISH_OK, FINISH_NOT_PURGED } finish_status;
/* Installs n prepared modules at once, or none: a module that still has
 * old code (or waits for its on_load function) is refused, and
 * refused[i] is set for it. An on_load module is left waiting for its
 * on_load function (exports held back), as module_ensure_loaded does. */
finish_status module_finish_loading(LoadedCode **lcs, size_t n, bool *refused);
bool module_has_old(Term module);
/* The old code of a module (NULL if none). It stays valid: purged code is
 * not freed (see module.c). */
const LoadedCode *module_old(Term module);
/* erlang:delete_module/1: MODULE_DELETED, MODULE_UNKNOWN (never loaded)
 * or MODULE_HAS_OLD (refused). */
typedef enum { MODULE_DELETED, MODULE_UNKNOWN, MODULE_HAS_OLD } delete_status;
delete_status module_delete(Term module);
/* erts_internal:purge_module/2: prepare (true if there is old code to
 * purge), complete (drops it; false if not prepared) and abort. */
bool module_purge_prepare(Term module);
bool module_purge_complete(Term module);
bool module_purge_abort(Term module);
/* The names of the modules with current or old code, into a malloc'd
 * array (*n of them). */
Term *module_loaded_names(size_t *n);

/* --- the interpreter ------------------------------------------------------- */
struct Scheduler;
void emu_init(void);
/* Runs processes from sd's run queue until none is runnable. */
void process_main(struct Scheduler *sd);

#endif
