-module(proplists_misc).
-export([main/0]).

main() ->
    P = [{name, "cbeam"}, verbose, {level, 3}, {name, "shadowed"}, {debug, false}, compact],
    io:format("get_value ~p ~p ~p~n", [proplists:get_value(name, P), proplists:get_value(missing, P),
                                       proplists:get_value(missing, P, dflt)]),
    io:format("get_bool ~p ~p ~p~n", [proplists:get_bool(verbose, P), proplists:get_bool(debug, P),
                                      proplists:get_bool(none, P)]),
    io:format("get_all_values ~p~n", [proplists:get_all_values(name, P)]),
    io:format("lookup ~p ~p~n", [proplists:lookup(level, P), proplists:lookup(compact, P)]),
    io:format("lookup_all ~p~n", [proplists:lookup_all(name, P)]),
    io:format("is_defined ~p ~p~n", [proplists:is_defined(compact, P), proplists:is_defined(nope, P)]),
    io:format("delete ~p~n", [proplists:delete(name, P)]),
    io:format("get_keys ~p~n", [lists:sort(proplists:get_keys(P))]),
    io:format("compact ~p~n", [proplists:compact([{a, true}, {b, 1}])]),
    io:format("unfold ~p~n", [proplists:unfold([a, {b, 2}])]),
    io:format("expand ~p~n", [proplists:expand([{foo, [bar, baz]}], [fie, foo, fum])]),
    io:format("substitute_aliases ~p~n", [proplists:substitute_aliases([{colour, color}], [{colour, red}, x])]),
    io:format("substitute_negations ~p~n", [proplists:substitute_negations([{no_debug, debug}], [no_debug])]),
    io:format("normalize ~p~n", [proplists:normalize([a, {b, true}, {no_c, true}], [{negations, [{no_c, c}]}])]),
    io:format("split ~p~n", [proplists:split([{c, 2}, {e, 1}, a, {c, 3, 4}, d, {b, 5}, b], [a, b, c])]),
    io:format("to_map ~p~n", [proplists:to_map([a, {b, 1}, {a, 2}])]),
    io:format("from_map ~p~n", [lists:sort(proplists:from_map(#{x => 1, y => 2}))]),
    io:format("property ~p ~p~n", [proplists:property(a, true), proplists:property({b, 1})]),
    io:format("append_values ~p~n", [proplists:append_values(l, [{l, [1, 2]}, {l, 3}, {m, 4}])]),
    ok.
