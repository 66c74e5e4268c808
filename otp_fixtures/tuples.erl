-module(tuples).
-export([main/0, id/1]).

id(X) -> X.

err(F) -> try F() of V -> {ok, V} catch C:R -> {C, R} end.

main() ->
    T = {a, 1, "two", {3}, [4]},
    io:format("~p size ~w~n", [T, tuple_size(T)]),
    io:format("elements ~p~n", [[element(I, T) || I <- lists:seq(1, tuple_size(T))]]),
    T2 = setelement(2, T, one),
    io:format("setelement ~p original ~p~n", [T2, T]),
    io:format("tuple_to_list ~p~n", [tuple_to_list(T)]),
    io:format("list_to_tuple ~p~n", [list_to_tuple([x, y, z])]),
    io:format("append_element ~p~n", [erlang:append_element({1, 2}, 3)]),
    io:format("insert_element ~p~n", [erlang:insert_element(1, {b, c}, a)]),
    io:format("delete_element ~p~n", [erlang:delete_element(2, {a, b, c})]),
    io:format("make_tuple ~p ~p~n", [erlang:make_tuple(3, z), erlang:make_tuple(4, 0, [{2, x}, {4, y}])]),
    io:format("empty ~p ~w~n", [{}, tuple_size({})]),
    io:format("size ~w~n", [size({1, 2, 3})]),
    io:format("element badarg ~p~n", [err(fun() -> element(id(6), T) end)]),
    io:format("setelement badarg ~p~n", [err(fun() -> setelement(id(0), T, x) end)]),
    Big = list_to_tuple(lists:seq(1, 1000)),
    io:format("big ~w ~w ~w~n", [tuple_size(Big), element(500, Big), element(1000, Big)]),
    io:format("nested ~p~n", [{{{{deep}}}, {}, {[], [{}]}}]),
    {A, {B, C}, _} = {1, {2, 3}, 4},
    io:format("match ~w ~w ~w~n", [A, B, C]),
    io:format("compare ~w ~w ~w~n", [{1, 2} < {1, 3}, {2} < {1, 1}, {a, b} == {a, b}]),
    Swapped = lists:map(fun({X, Y}) -> {Y, X} end, [{1, a}, {2, b}]),
    io:format("swapped ~p~n", [Swapped]),
    io:format("is_tuple ~w ~w~n", [is_tuple(T), is_tuple([T])]),
    ok.
