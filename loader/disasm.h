/*
 * disasm.h — the text of a module's generic instruction stream, as OTP's
 * beam_disasm:file/1 resolves it, printed so that it can be diffed line by
 * line against tools/beam-disasm-text (which prints it from OTP itself).
 *
 * The text format (version 1; the same description heads that script):
 *
 *   == PATH                              m->path
 *   {module,Mod}
 *   {exports,[{Name,Arity,Label},...]}   sorted, as beam_lib labeled_exports
 *   {attributes,[{Key,[Value,...]},...]} the Attr chunk keysorted (stable),
 *                                        values of equal keys appended
 *   {function,Name,Arity,Entry}          one per func_info, in file order
 *       Instr                            4 spaces + the resolved instruction
 *
 * A function's lines are the labels and line instructions just before its
 * func_info, the func_info, and everything up to the next function's
 * leading labels/lines; int_code_end is not printed. Every instruction is
 * the term beam_disasm's resolve_inst/4 builds from it (e.g.
 * {bif,'+',{f,0},[{x,0},{integer,1}],{x,0}}, {call_ext,2,{extfunc,m,f,2}},
 * {test,is_eq_exact,{f,3},[{x,0},{atom,a}]}), printed as io_lib's ~w, with
 * maps in map-key order at any size (term_print) and typed registers as
 * {tr,Reg,{Bits,Min,Max}}: the raw Type chunk entry, Min/Max signed.
 */
#ifndef CB_DISASM_H
#define CB_DISASM_H

#include "beam_module.h"
#include "strbuf.h"

/* Appends the text of module m to out. */
void beam_disasm_print(strbuf *out, const beam_module *m);

#endif
