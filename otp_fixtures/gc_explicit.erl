-module(gc_explicit).
-export([main/0]).

%% erlang:garbage_collect/0 called directly, through a fun and through
%% apply, with live data of every kind on the stack; the data survives.

main() ->
    Big = lists:seq(1, 20000),
    Map = maps:from_list([{K, {K, integer_to_list(K)}} || K <- lists:seq(1, 100)]),
    Bin = list_to_binary(lists:duplicate(300, $x)),
    Tuple = list_to_tuple(lists:seq(1, 50)),
    Fun = fun(X) -> X + length(Big) end,
    R1 = erlang:garbage_collect(),
    R2 = (fun erlang:garbage_collect/0)(),
    R3 = apply(erlang, garbage_collect, []),
    io:format("results ~p ~p ~p~n", [R1, R2, R3]),
    io:format("list ~p ~p~n", [length(Big), lists:sum(Big)]),
    io:format("map ~p ~p~n", [maps:size(Map), maps:get(42, Map)]),
    io:format("binary ~p ~p~n", [byte_size(Bin), binary:part(Bin, 0, 3)]),
    io:format("tuple ~p fun ~p~n", [element(50, Tuple), Fun(1)]),
    Deep = lists:foldl(fun(_, Acc) -> {Acc} end, leaf, lists:seq(1, 1000)),
    erlang:garbage_collect(),
    io:format("deep ~p~n", [depth(Deep, 0)]).

depth({T}, N) -> depth(T, N + 1);
depth(leaf, N) -> N.
