/*
 * bifs/re_tables.h — the PCRE2 character tables re uses: OTP 25's
 * Latin-1 tables (erts/emulator/pcre/pcre_latin_1_table.c), in PCRE2's
 * layout.
 */
#ifndef CB_RE_TABLES_H
#define CB_RE_TABLES_H

#include <stdint.h>

/* The 1088 bytes pcre2_set_character_tables takes; built on first use,
 * never freed. */
const uint8_t *re_latin1_tables(void);

#endif
