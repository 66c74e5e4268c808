-module(bignum_print).
-export([main/0]).

main() ->
    N = 1 bsl 130 + 987654321,
    M = -N,
    lists:foreach(
      fun(Base) ->
              io:format("base ~w: ~s ~s~n",
                        [Base, integer_to_list(N, Base), integer_to_list(M, Base)])
      end, [2, 8, 10, 16, 36]),
    io:format("~~p ~p~n~~w ~w~n", [N, M]),
    io:format("~~b ~b~n~~.16b ~.16b~n~~.16B ~.16B~n", [N, N, M]),
    io:format("~~.36B ~.36B~n", [N]),
    io:format("~~#.16B ~.16#~n~~X ~.16X~n", [N, M, "0x"]),
    io:format("~~60w [~60w]~n", [N]),
    io:format("~~-60w [~-60w]~n", [M]),
    io:format("~~20w [~20w]~n", [N]),
    S = "123456789012345678901234567890123456789012345678901234567890",
    V = list_to_integer(S),
    io:format("roundtrip ~w ~w~n", [V, integer_to_list(V) =:= S]),
    io:format("neg parse ~w~n", [list_to_integer("-" ++ S)]),
    io:format("hex parse ~w~n", [list_to_integer("DeadBeefCafeBabe0123456789abcdef", 16)]),
    io:format("binary ~s~n", [integer_to_binary(N)]),
    io:format("binary 16 ~s~n", [integer_to_binary(M, 16)]),
    io:format("from binary ~w~n", [binary_to_integer(<<"-99999999999999999999999">>)]),
    io:format("p list ~p~n", [[N, M, 1, -1, 1 bsl 64]]),
    io:format("term ~p~n", [{big, N, [M]}]),
    Powers = [1 bsl E || E <- lists:seq(55, 70)],
    [io:format("~w~n", [P]) || P <- Powers],
    io:format("~s~n", [io_lib:write(-(1 bsl 200))]),
    ok.
