-module(int_arith).
-export([main/0, id/1]).

id(X) -> X.

main() ->
    Pairs = [{7, 2}, {-7, 2}, {7, -2}, {-7, -2}, {0, 5}, {1, 1}, {100, 7}, {-100, 7}],
    lists:foreach(
      fun({A, B}) ->
              io:format("~w div ~w = ~w, ~w rem ~w = ~w~n",
                        [A, B, id(A) div id(B), A, B, id(A) rem id(B)])
      end, Pairs),
    io:format("add/sub/mul: ~w ~w ~w ~w~n", [id(3) + 4, id(3) - 10, id(-6) * 7, -id(5)]),
    io:format("unary: ~w ~w~n", [+id(5), -id(-5)]),
    io:format("band: ~w ~w ~w~n", [id(12) band 10, id(-1) band 255, id(-256) band 255]),
    io:format("bor: ~w ~w ~w~n", [id(12) bor 3, id(-16) bor 5, id(0) bor 0]),
    io:format("bxor: ~w ~w ~w~n", [id(12) bxor 10, id(-1) bxor 1, id(255) bxor -1]),
    io:format("bnot: ~w ~w ~w~n", [bnot id(0), bnot id(5), bnot id(-6)]),
    io:format("bsl: ~w ~w ~w ~w~n", [id(1) bsl 10, id(-3) bsl 2, id(5) bsl -1, id(1) bsl 0]),
    io:format("bsr: ~w ~w ~w ~w ~w~n", [id(1024) bsr 3, id(-1) bsr 10, id(-17) bsr 2,
                                         id(5) bsr -2, id(12345) bsr 64]),
    io:format("abs: ~w ~w ~w~n", [abs(id(-42)), abs(id(42)), abs(id(0))]),
    io:format("min/max: ~w ~w~n", [min(id(3), id(-3)), max(id(3), id(-3))]),
    io:format("cmp: ~w ~w ~w ~w~n", [id(1) < 2, id(2) =< 2, id(3) >= 4, id(5) =/= 5]),
    %% integer division identity a = b*(a div b) + a rem b
    Ok = lists:all(fun({A, B}) -> A =:= B * (A div B) + A rem B end,
                   [{X, Y} || X <- lists:seq(-20, 20), Y <- lists:seq(-5, 5), Y =/= 0]),
    io:format("division identity holds: ~w~n", [Ok]),
    io:format("precedence: ~w ~w ~w~n", [2 + id(3) * 4, (2 + id(3)) * 4, id(17) rem 5 * 2]),
    io:format("gcd(1071,462) = ~w~n", [gcd(1071, 462)]),
    io:format("collatz steps 27 = ~w~n", [collatz(27, 0)]),
    ok.

gcd(A, 0) -> A;
gcd(A, B) -> gcd(B, A rem B).

collatz(1, N) -> N;
collatz(X, N) when X rem 2 =:= 0 -> collatz(X div 2, N + 1);
collatz(X, N) -> collatz(3 * X + 1, N + 1).
