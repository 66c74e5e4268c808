-module(lists_basic).
-export([main/0]).

err(F) -> try F() of V -> {ok, V} catch C:R -> {C, R} end.

main() ->
    L = [5, 3, 8, 1, 9, 2],
    io:format("hd ~w tl ~w length ~w~n", [hd(L), tl(L), length(L)]),
    io:format("++ ~w~n", [L ++ [10, 11]]),
    io:format("-- ~w ~w~n", [L -- [3, 9, 42], [a, b, a, c, a] -- [a, a]]),
    io:format("reverse ~w~n", [lists:reverse(L)]),
    io:format("reverse/2 ~w~n", [lists:reverse([1, 2, 3], [4, 5])]),
    io:format("nth ~w nthtail ~w last ~w~n", [lists:nth(3, L), lists:nthtail(4, L), lists:last(L)]),
    io:format("sublist ~w ~w~n", [lists:sublist(L, 3), lists:sublist(L, 2, 3)]),
    io:format("split ~w~n", [lists:split(2, L)]),
    io:format("seq ~w ~w ~w ~w~n", [lists:seq(1, 10), lists:seq(10, 1, -3), lists:seq(5, 4), lists:seq(0, 20, 5)]),
    io:format("duplicate ~w~n", [lists:duplicate(4, x)]),
    io:format("member ~w ~w~n", [lists:member(8, L), lists:member(7, L)]),
    io:format("sort ~w usort ~w~n", [lists:sort(L), lists:usort([3, 1, 3, 2, 1])]),
    io:format("sort desc ~w~n", [lists:sort(fun(A, B) -> A >= B end, L)]),
    io:format("merge ~w~n", [lists:merge([1, 4, 7], [2, 3, 9])]),
    io:format("sum ~w max ~w min ~w~n", [lists:sum(L), lists:max(L), lists:min(L)]),
    io:format("append ~w ~w~n", [lists:append([[1], [2, 3], []]), lists:append([a], [b])]),
    io:format("concat ~s~n", [lists:concat([abc, 123, "def", 4.5])]),
    io:format("flatten ~w~n", [lists:flatten([1, [2, [3, [4, []]], 5], [[[6]]]])]),
    io:format("flatlength ~w~n", [lists:flatlength([1, [2, [3, 4]], 5])]),
    io:format("delete ~w~n", [lists:delete(8, L)]),
    io:format("subtract ~w~n", [lists:subtract([1, 2, 3, 2], [2])]),
    io:format("prefix ~w suffix ~w~n", [lists:prefix([5, 3], L), lists:suffix([9, 2], L)]),
    io:format("join ~p~n", [lists:join(", ", ["a", "b", "c"])]),
    io:format("enumerate ~w~n", [lists:enumerate([a, b, c])]),
    io:format("uniq ~w~n", [lists:uniq([3, 1, 3, 2, 1])]),
    io:format("droplast ~w~n", [lists:droplast(L)]),
    io:format("improper ~w ~w~n", [[1 | 2], [1, 2 | [3 | []]]]),
    io:format("length improper ~w~n", [err(fun() -> length([1 | improper()]) end)]),
    io:format("hd [] ~w~n", [err(fun() -> hd(empty()) end)]),
    io:format("nth 0 ~w~n", [element(1, err(fun() -> lists:nth(0, L) end))]),
    io:format("list_to_tuple/tuple_to_list ~w~n", [tuple_to_list(list_to_tuple(L)) =:= L]),
    io:format("long list length ~w~n", [length(lists:seq(1, 100000))]),
    io:format("cons build ~w~n", [build(10, [])]),
    ok.

improper() -> two.
empty() -> [].

build(0, Acc) -> Acc;
build(N, Acc) -> build(N - 1, [N * N | Acc]).
