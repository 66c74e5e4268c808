-module(maps_small).
-export([main/0, id/1]).

id(X) -> X.
err(F) -> try F() of V -> {ok, V} catch C:R -> {C, R} end.

describe(#{type := circle, r := R}) -> {circle, R};
describe(#{type := rect, w := W, h := H}) -> {rect, W * H};
describe(#{}) -> unknown.

main() ->
    M = #{a => 1, b => 2, c => 3},
    io:format("~p ~w size ~w~n", [M, M, map_size(M)]),
    M2 = M#{b := 20, d => 4},
    io:format("update ~p~n", [M2]),
    io:format("get ~w ~w~n", [maps:get(a, M), maps:get(z, M, default)]),
    io:format("find ~w ~w~n", [maps:find(c, M), maps:find(z, M)]),
    io:format("is_key ~w ~w~n", [maps:is_key(a, M), is_map_key(z, M)]),
    io:format("keys ~w values ~w~n", [maps:keys(M), maps:values(M)]),
    io:format("to_list ~w~n", [maps:to_list(M2)]),
    io:format("from_list ~p~n", [maps:from_list([{x, 1}, {y, 2}, {x, 3}])]),
    io:format("put ~p remove ~p~n", [maps:put(e, 5, M), maps:remove(a, M)]),
    io:format("merge ~p~n", [maps:merge(M, #{c => 30, f => 6})]),
    io:format("merge_with ~p~n", [maps:merge_with(fun(_K, V1, V2) -> V1 + V2 end, M, #{c => 30, a => 10})]),
    io:format("map ~p~n", [maps:map(fun(_K, V) -> V * 100 end, M)]),
    io:format("filter ~p~n", [maps:filter(fun(_K, V) -> V > 1 end, M)]),
    io:format("filtermap ~p~n", [maps:filtermap(fun(a, _) -> false; (_, V) -> {true, -V} end, M)]),
    io:format("fold ~w~n", [maps:fold(fun(K, V, Acc) -> [{K, V} | Acc] end, [], M)]),
    io:format("with ~p without ~p~n", [maps:with([a, c], M), maps:without([a, c], M)]),
    io:format("update_with ~p~n", [maps:update_with(a, fun(V) -> V + 1 end, M)]),
    io:format("update_with default ~p~n", [maps:update_with(q, fun(V) -> V + 1 end, 0, M)]),
    io:format("take ~p~n", [maps:take(b, M)]),
    io:format("groups_from_list ~p~n", [maps:groups_from_list(fun(X) -> X rem 3 end, lists:seq(1, 10))]),
    io:format("from_keys ~p~n", [maps:from_keys([k1, k2], 0)]),
    io:format("iterator ~p~n", [iter(maps:next(maps:iterator(M)))]),
    io:format("intersect ~p~n", [maps:intersect(M, #{b => x, c => y, z => w})]),
    io:format("mixed keys ~p~n", [#{1 => int, 1.0 => float, "s" => str, {t} => tuple, [l] => list, a => atom}]),
    io:format("nested ~p~n", [#{outer => #{inner => #{deep => [1, 2]}}}]),
    io:format("empty ~p ~w~n", [#{}, map_size(#{})]),
    io:format("describe ~p ~p ~p~n", [describe(#{type => circle, r => 2}),
                                      describe(#{type => rect, w => 3, h => 4, extra => 1}),
                                      describe(#{type => other})]),
    #{a := A, c := C} = M,
    io:format("match ~w ~w~n", [A, C]),
    io:format("equal ~w ~w ~w~n", [M =:= #{c => 3, b => 2, a => 1}, #{1 => a} == #{1.0 => a}, #{1 => a} =:= #{1.0 => a}]),
    io:format("compare ~w ~w~n", [#{a => 1} < #{a => 1, b => 2}, #{b => 1} > #{a => 2}]),
    io:format("badkey ~p~n", [err(fun() -> (id(M))#{zz := 1} end)]),
    io:format("get badkey ~p~n", [err(fun() -> maps:get(zz, id(M)) end)]),
    io:format("badmap ~p~n", [err(fun() -> (id(notamap))#{a => 1} end)]),
    io:format("maps:get badmap ~p~n", [err(fun() -> maps:get(a, id([])) end)]),
    ok.

iter(none) -> [];
iter({K, V, I}) -> [{K, V} | iter(maps:next(I))].
