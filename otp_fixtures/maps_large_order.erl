%% A map over 32 keys is a hash trie: the order in which it is printed,
%% listed, folded, iterated and encoded follows OTP's map hash of each key.
%% Keys that hash by value (integers, floats, binaries, bitstrings, lists,
%% tuples, bignums, nested maps) give OTP's order exactly.
-module(maps_large_order).
-export([main/0]).

main() ->
    Maps = [maps:from_list([{K(I), I} || I <- lists:seq(1, N)]) ||
               {K, N} <- [{fun(I) -> I end, 33}, {fun(I) -> I * 7919 - 100000 end, 100},
                          {fun(I) -> float(I) / 3 end, 40}, {fun integer_to_binary/1, 50},
                          {fun(I) -> <<I:13>> end, 40}, {fun(I) -> [I, I + 300] end, 40},
                          {fun(I) -> {I, "x"} end, 40}, {fun(I) -> I bsl 70 end, 40},
                          {fun(I) -> #{I => I} end, 35}, {fun(I) -> lists:seq(1, I) end, 60}]],
    lists:foreach(fun show/1, Maps),
    Big = maps:from_list([{I, I} || I <- lists:seq(1, 2000)]),
    io:format("2000 keys: ~p ~p~n", [lists:sublist(maps:keys(Big), 12), erlang:crc32(term_to_binary(Big))]),
    io:format("put/remove: ~w~n", [maps:keys(maps:remove(17, maps:put(5000, x, maps:from_list([{I, I} || I <- lists:seq(1, 33)]))))]),
    ok.

show(M) ->
    io:format("~w~n", [M]),
    io:format("keys ~w~nvalues ~w~n", [maps:keys(M), maps:values(M)]),
    io:format("to_list ~w~n", [[V || {_, V} <- maps:to_list(M)]]),
    io:format("fold ~w~n", [maps:fold(fun(_, V, A) -> [V | A] end, [], M)]),
    io:format("iterator ~w~n", [walk(maps:next(maps:iterator(M)))]),
    io:format("etf ~w ~w~n", [erlang:crc32(term_to_binary(M)), erlang:phash2(M)]).

walk(none) -> [];
walk({_, V, I}) -> [V | walk(maps:next(I))].
