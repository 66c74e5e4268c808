-module(int_bases).
-export([main/0, id/1]).

id(X) -> X.

err(F) -> try F() of V -> {ok, V} catch C:R -> {C, R} end.

main() ->
    Ns = [0, 1, -1, 7, 255, -255, 4096, 123456789, -987654321, 1 bsl 62],
    lists:foreach(
      fun(N) ->
              io:format("~w:~s~n", [N, lists:flatten([[" ", integer_to_list(N, B)] || B <- [2, 3, 8, 10, 16, 36]])])
      end, Ns),
    Strs = [{"ff", 16}, {"FF", 16}, {"-ff", 16}, {"777", 8}, {"1010", 2}, {"zz", 36}, {"Zz", 36},
            {"+42", 10}, {"0042", 10}, {"12", 3}],
    [io:format("list_to_integer(~p, ~w) = ~w~n", [S, B, list_to_integer(S, B)]) || {S, B} <- Strs],
    io:format("list_to_integer ~w ~w~n", [list_to_integer("-0"), list_to_integer("999999999999")]),
    io:format("binary_to_integer ~w ~w~n", [binary_to_integer(<<"7f">>, 16), binary_to_integer(<<"-100">>)]),
    io:format("integer_to_binary ~p ~p~n", [integer_to_binary(255, 2), integer_to_binary(-35, 36)]),
    io:format("errors ~p~n", [[element(1, err(F)) || F <- [fun() -> list_to_integer(id("12"), 2) end,
                                                          fun() -> list_to_integer(id(""), 10) end,
                                                          fun() -> list_to_integer("1", id(37)) end,
                                                          fun() -> list_to_integer(id("1.0")) end,
                                                          fun() -> integer_to_list(10, 1) end]]]),
    io:format("erlang base syntax ~w ~w ~w ~w~n", [16#FF, 2#1010, 36#ZZ, 8#777]),
    io:format("digit separators ~w~n", [1_000_000]),
    io:format("char literals ~w ~w ~w ~w~n", [$A, $\x41, $\101, $\^A]),
    io:format("hex via format ~.16B ~.16b ~8.16.0B~n", [48879, 48879, 255]),
    io:format("binary via format ~.2B ~16.2.0B~n", [5, 5]),
    io:format("roundtrip ok ~w~n", [lists:all(fun(N) -> lists:all(fun(B) -> list_to_integer(integer_to_list(N, B), B) =:= N end,
                                                               lists:seq(2, 36)) end,
                                              [-1000, -1, 0, 1, 77, 1 bsl 70, -(1 bsl 65) + 3])]),
    ok.
