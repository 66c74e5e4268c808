/*
 * maps.c — the maps BIFs of OTP 25, erlang:map_size/1, is_map_key/2,
 * map_get/2 and erts_internal:map_next/3 (table in maps.tab), on top of
 * emulator/map.h. Error reasons are OTP's: {badmap,M} for a non-map,
 * {badkey,K} for a missing key, badarg for a bad list.
 */
#include <stdlib.h>

#include "atom.h"
#include "bif.h"
#include "map.h"
#include "term_build.h"

/* Charge for work proportional to a map's or list's length. */
#define REDS_PER_ELEMENT_SHIFT 4
static void charge(Process *p, size_t elements) { BUMP_REDS(p, elements >> REDS_PER_ELEMENT_SHIFT); }

static Term badmap(Process *p, Term t) { return raise_error(p, EXC_BADMAP, t); }

Term bif_map_size_1(Process *p, Term *args)
{
    if (!term_is_map(args[0])) return badmap(p, args[0]);
    return make_small((SWord)map_size(args[0]));
}

Term bif_map_get_2(Process *p, Term *args)
{
    Term key = args[0], map = args[1];
    if (!term_is_map(map)) return badmap(p, map);
    Term value = map_get(map, key);
    return value != THE_NON_VALUE ? value : raise_error(p, EXC_BADKEY, key);
}

Term bif_maps_get_2(Process *p, Term *args) { return bif_map_get_2(p, args); }

Term bif_is_map_key_2(Process *p, Term *args)
{
    if (!term_is_map(args[1])) return badmap(p, args[1]);
    return map_get(args[1], args[0]) != THE_NON_VALUE ? am_true : am_false;
}

Term bif_maps_is_key_2(Process *p, Term *args) { return bif_is_map_key_2(p, args); }

Term bif_maps_find_2(Process *p, Term *args)
{
    Term key = args[0], map = args[1];
    if (!term_is_map(map)) return badmap(p, map);
    Term value = map_get(map, key);
    if (value == THE_NON_VALUE) return am_error;
    Term *hp = HAlloc(p, 3);
    return hp ? tuple2(hp, am_ok, value) : raise_error(p, EXC_SYSTEM_LIMIT, NIL);
}

Term bif_maps_put_3(Process *p, Term *args)
{
    if (!term_is_map(args[2])) return badmap(p, args[2]);
    return map_put(p, args[2], args[0], args[1]);
}

Term bif_maps_update_3(Process *p, Term *args)
{
    if (!term_is_map(args[2])) return badmap(p, args[2]);
    return map_update(p, args[2], args[0], args[1]);
}

Term bif_maps_remove_2(Process *p, Term *args)
{
    if (!term_is_map(args[1])) return badmap(p, args[1]);
    return map_remove(p, args[1], args[0]);
}

Term bif_maps_take_2(Process *p, Term *args)
{
    Term key = args[0], map = args[1];
    if (!term_is_map(map)) return badmap(p, map);
    Term value = map_get(map, key);
    if (value == THE_NON_VALUE) return am_error;
    Term rest = map_remove(p, map, key);
    if (rest == THE_NON_VALUE) return rest;
    Term *hp = HAlloc(p, 3);
    return hp ? tuple2(hp, value, rest) : raise_error(p, EXC_SYSTEM_LIMIT, NIL);
}

Term bif_maps_merge_2(Process *p, Term *args)
{
    if (!term_is_map(args[0])) return badmap(p, args[0]);
    if (!term_is_map(args[1])) return badmap(p, args[1]);
    charge(p, map_size(args[0]) < map_size(args[1]) ? map_size(args[0]) : map_size(args[1]));
    return map_merge(p, args[0], args[1]);
}

Term bif_maps_keys_1(Process *p, Term *args)
{
    if (!term_is_map(args[0])) return badmap(p, args[0]);
    charge(p, map_size(args[0]));
    return map_keys(p, args[0]);
}

Term bif_maps_values_1(Process *p, Term *args)
{
    if (!term_is_map(args[0])) return badmap(p, args[0]);
    charge(p, map_size(args[0]));
    return map_values(p, args[0]);
}

/* --- building from lists --- */

/* Keys and values gathered from a list before the map is built. */
typedef struct gathered { Term *keys, *values; size_t n; } gathered;

static bool gather_alloc(gathered *g, size_t n)
{
    g->n = 0;
    g->keys = malloc((n ? n : 1) * sizeof(Term));
    g->values = malloc((n ? n : 1) * sizeof(Term));
    return g->keys && g->values;
}

static void gather_free(gathered *g)
{
    free(g->keys);
    free(g->values);
}

static Term build_gathered(Process *p, gathered *g)
{
    charge(p, g->n);
    Term map = map_from_list_pairs(p, g->keys, g->values, g->n);
    gather_free(g);
    return map;
}

/* maps:from_list([{K, V}]): later keys win; badarg for anything but a
 * proper list of 2-tuples. */
Term bif_maps_from_list_1(Process *p, Term *args)
{
    SWord len = list_length(args[0]);
    if (len < 0) BIF_ERROR(p, EXC_BADARG);
    gathered g;
    if (!gather_alloc(&g, (size_t)len)) { gather_free(&g); BIF_ERROR(p, EXC_SYSTEM_LIMIT); }
    for (Term l = args[0]; term_is_list(l); l = list_tail(l)) {
        Term t = list_head(l);
        if (!term_is_tuple(t) || tuple_arity(t) != 2) { gather_free(&g); BIF_ERROR(p, EXC_BADARG); }
        g.keys[g.n] = tuple_elements(t)[0];
        g.values[g.n] = tuple_elements(t)[1];
        g.n++;
    }
    return build_gathered(p, &g);
}

/* maps:from_keys(Keys, Value). */
Term bif_maps_from_keys_2(Process *p, Term *args)
{
    SWord len = list_length(args[0]);
    if (len < 0) BIF_ERROR(p, EXC_BADARG);
    gathered g;
    if (!gather_alloc(&g, (size_t)len)) { gather_free(&g); BIF_ERROR(p, EXC_SYSTEM_LIMIT); }
    for (Term l = args[0]; term_is_list(l); l = list_tail(l)) {
        g.keys[g.n] = list_head(l);
        g.values[g.n] = args[1];
        g.n++;
    }
    return build_gathered(p, &g);
}

/* --- iteration --- */

/* erts_internal:map_next(Path, Map, Acc). OTP walks a large map in
 * batches, handing back [Path, Map | Acc] (or a chain ending in
 * [Path | Map]) to resume from; cbeam returns every pair in one call, so
 * the only paths it accepts are the ones a batch could start from here:
 * 0, or for a flatmap 0..size (OTP accepts those too).
 *   Acc a list:   [{K, V}, ... | Acc]  (maps:to_list/1)
 *   Acc iterator: {K, V, {K2, V2, ... none}}, or none  (maps:next/1) */
Term bif_erts_internal_map_next_3(Process *p, Term *args)
{
    Term path = args[0], map = args[1], acc = args[2];
    if (!term_is_map(map) || !term_is_small(path) || small_value(path) < 0) BIF_ERROR(p, EXC_BADARG);
    SWord last_path = map_header_kind(boxed_header(map)) == MAP_KIND_FLAT ? (SWord)map_size(map) : 0;
    if (small_value(path) > last_path) BIF_ERROR(p, EXC_BADARG);
    Term iterator, none;
    bool as_iterator = atom_lookup("iterator", 8, &iterator) && acc == iterator;
    if (!as_iterator && !term_is_list(acc) && !term_is_nil(acc)) BIF_ERROR(p, EXC_BADARG);
    charge(p, map_size(map));
    if (!as_iterator) return map_to_list(p, map, acc);
    if (atom_put("none", 4, &none) != ATOM_OK) BIF_ERROR(p, EXC_SYSTEM_LIMIT);
    return map_iterator_chain(p, map, none);
}
