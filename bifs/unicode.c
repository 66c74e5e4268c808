/* bifs/unicode.c — the unicode BIFs (listed in bifs/unicode.tab). */
#include "bif.h"
