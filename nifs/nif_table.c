/* The table of every NIF, generated from the nifs/ *.tab files. */
#include "nif.h"

const nif_entry nif_table[] = {
#define NIF(module, name, arity, c_name) { #module, name, arity, nif_##c_name },
#include "nifs/zlib.tab"
#include "nifs/prim_file.tab"
#include "nifs/prim_buffer.tab"
#include "nifs/erl_tracer.tab"
#undef NIF
};
const size_t nif_count = sizeof nif_table / sizeof nif_table[0];
