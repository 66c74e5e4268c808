-module(int_boundary).
-export([main/0, id/1]).

id(X) -> X.

%% Exercise the small-integer / bignum boundary (60-bit on 64-bit BEAM)
%% and the 64-bit machine word boundary.
main() ->
    Bounds = [1 bsl 27, 1 bsl 28, 1 bsl 31, 1 bsl 32, 1 bsl 59, 1 bsl 60,
              1 bsl 63, 1 bsl 64],
    lists:foreach(
      fun(B) ->
              io:format("~w: ~w ~w ~w ~w~n",
                        [B, id(B) - 1, -id(B), -id(B) - 1, id(B) + 1])
      end, Bounds),
    Max = (1 bsl 59) - 1,
    Min = -(1 bsl 59),
    io:format("max+1 = ~w~n", [id(Max) + 1]),
    io:format("min-1 = ~w~n", [id(Min) - 1]),
    io:format("max*2 = ~w~n", [id(Max) * 2]),
    io:format("min*-1 = ~w~n", [id(Min) * -1]),
    io:format("max*max = ~w~n", [id(Max) * id(Max)]),
    io:format("(max+1)-1 = ~w, is small again ~w~n", [(id(Max) + 1) - 1, ((id(Max) + 1) - 1) =:= Max]),
    io:format("min div -1 = ~w~n", [id(Min) div -1]),
    io:format("abs(min) = ~w~n", [abs(id(Min))]),
    io:format("bnot max = ~w, bnot min = ~w~n", [bnot id(Max), bnot id(Min)]),
    io:format("1 bsl 100 bsr 99 = ~w~n", [(id(1) bsl 100) bsr 99]),
    io:format("-1 bsl 70 = ~w~n", [id(-1) bsl 70]),
    io:format("(1 bsl 64) - 1 band 16#FF00 = ~w~n", [((id(1) bsl 64) - 1) band 16#FF00]),
    io:format("compare: ~w ~w ~w~n", [id(Max) < id(Max) + 1, id(Min) > id(Min) - 1,
                                      id(1 bsl 64) == (1 bsl 63) * 2]),
    io:format("is_integer: ~w ~w~n", [is_integer(id(1 bsl 80)), is_integer(id(Max))]),
    io:format("sum of squares 1..100000 = ~w~n",
              [lists:foldl(fun(X, Acc) -> X * X + Acc end, 0, lists:seq(1, 100000))]),
    io:format("2^62 via repeated doubling = ~w~n", [double(1, 62)]),
    ok.

double(X, 0) -> X;
double(X, N) -> double(X + X, N - 1).
