/* The table of every BIF, generated from the bifs/ *.tab files. */
#include "bif.h"

#include "atom.h"
#include "export.h"

const bif_entry bif_table[] = {
#define BIF(module, name, arity, c_name) { #module, name, arity, bif_##c_name },
#include "bifs/erlang_terms.tab"
#include "bifs/erlang_arith.tab"
#include "bifs/erlang_misc.tab"
#include "bifs/cbeam_io.tab"
#include "bifs/lists.tab"
#include "bifs/maps.tab"
#include "bifs/binary.tab"
#include "bifs/unicode.tab"
#include "bifs/persistent_term.tab"
#include "bifs/os.tab"
#include "bifs/external.tab"
#include "bifs/ets.tab"
#include "bifs/erlang_load.tab"
#include "bifs/checksum.tab"
#include "bifs/system_monitor.tab"
#include "bifs/trace.tab"
#include "bifs/port.tab"
#include "bifs/file.tab"
#include "bifs/re.tab"
#undef BIF
};
const size_t bif_count = sizeof bif_table / sizeof bif_table[0];
