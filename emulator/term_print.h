/*
 * term_print.h — printing terms as io_lib:format("~w") does, byte for byte:
 * atoms quoted by io_lib:write_atom's rules, floats in the shortest form
 * that reads back (float_to_list(F, [short])), lists as lists (no string
 * detection), binaries as <<1,2,3>> and bitstrings as <<1,2:3>>, export funs
 * as fun m:f/1, maps as #{K => V,...} in map-key order (large maps sorted the
 * same way, so the text does not depend on the HAMT hash).
 */
#ifndef CB_TERM_PRINT_H
#define CB_TERM_PRINT_H

#include "strbuf.h"
#include "term.h"

void term_print(strbuf *sb, Term t);
/* As erts's own printer (erlang:display/1, the emulator's log lines when
 * no logger runs): ~w, but printable ASCII lists and binaries as strings. */
void term_print_display(strbuf *sb, Term t);
void atom_print(strbuf *sb, Term atom);          /* quoted if needed */
void float_print_short(strbuf *sb, double d);    /* float_to_list(D, [short]) */

#endif
