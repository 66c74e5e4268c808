/* bifs/binary.c — the binary BIFs (listed in bifs/binary.tab). */
#include "bif.h"
