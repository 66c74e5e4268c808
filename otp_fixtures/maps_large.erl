-module(maps_large).
-export([main/0]).

%% Maps with more than 32 keys use a different (HAMT) representation.
main() ->
    M = maps:from_list([{N, N * N} || N <- lists:seq(1, 100)]),
    io:format("size ~w~n", [map_size(M)]),
    io:format("get ~w ~w ~w~n", [maps:get(1, M), maps:get(50, M), maps:get(100, M)]),
    io:format("sorted keys ~w~n", [lists:sort(maps:keys(M))]),
    io:format("sum values ~w~n", [lists:sum(maps:values(M))]),
    io:format("fold ~w~n", [maps:fold(fun(K, V, A) -> K + V + A end, 0, M)]),
    M2 = maps:filter(fun(K, _) -> K rem 10 =:= 0 end, M),
    io:format("filter (small again) ~p~n", [M2]),
    M3 = maps:map(fun(_, V) -> V + 1 end, M),
    io:format("map ~w ~w~n", [maps:get(7, M3), map_size(M3)]),
    M4 = lists:foldl(fun(K, Acc) -> maps:remove(K, Acc) end, M, lists:seq(1, 90)),
    io:format("after removes ~w~n", [lists:sort(maps:to_list(M4))]),
    Grow = lists:foldl(fun(K, Acc) -> Acc#{K => K} end, #{}, lists:seq(1, 40)),
    io:format("grown ~w ~w~n", [map_size(Grow), lists:sort(maps:keys(Grow)) =:= lists:seq(1, 40)]),
    Mixed = maps:from_list([{list_to_atom("key" ++ integer_to_list(N)), N} || N <- lists:seq(1, 50)]
                           ++ [{{tuple, N}, N} || N <- lists:seq(1, 20)]
                           ++ [{integer_to_list(N), N} || N <- lists:seq(1, 20)]),
    io:format("mixed size ~w~n", [map_size(Mixed)]),
    io:format("mixed sorted ~w~n", [lists:sort(maps:to_list(Mixed))]),
    io:format("mixed lookups ~w ~w ~w ~w~n", [maps:get(key33, Mixed), maps:get({tuple, 7}, Mixed),
                                              maps:get("19", Mixed), maps:find(nope, Mixed)]),
    Upd = Mixed#{key1 := updated, {tuple, 1} := updated},
    io:format("updated ~w ~w~n", [maps:get(key1, Upd), maps:get({tuple, 1}, Upd)]),
    io:format("equal ~w ~w~n", [maps:from_list(lists:reverse(maps:to_list(M))) =:= M, M =:= M3]),
    Merged = maps:merge(M, maps:from_list([{N, neg} || N <- lists:seq(90, 130)])),
    io:format("merged ~w ~w ~w~n", [map_size(Merged), maps:get(95, Merged), maps:get(10, Merged)]),
    Counts = lists:foldl(fun(W, Acc) -> maps:update_with(W, fun(C) -> C + 1 end, 1, Acc) end, #{},
                         [N rem 37 || N <- lists:seq(1, 1000)]),
    io:format("counts ~w~n", [lists:sort(maps:to_list(Counts))]),
    #{42 := V42, 99 := V99} = M,
    io:format("match ~w ~w~n", [V42, V99]),
    io:format("with ~p~n", [maps:with([3, 33, 333], M)]),
    io:format("small ~p~n", [maps:from_list([{N, x} || N <- lists:seq(1, 32)])]),
    ok.
