-module(int_ops_inline).
-export([main/0]).

%% Integer operators where the emulator takes an inline path for small
%% integers and must agree with the general (bignum) path at every edge:
%% signs, zero, the 60-bit small boundary, shifts past the word size.

values() ->
    Max = (1 bsl 59) - 1, Min = -(1 bsl 59),
    [0, 1, -1, 2, -2, 3, 7, -7, 10, 63, 64, 1000003, -1000003,
     Max, Min, Max - 1, Min + 1, 1 bsl 30, -(1 bsl 30), 1 bsl 58].

shifts() -> [0, 1, 3, 31, 32, 58, 59, 60, 61, 63, 64, 100, -1, -3, -64].

ops() ->
    [{'*', fun(A, B) -> A * B end}, {'div', fun(A, B) -> A div B end},
     {'rem', fun(A, B) -> A rem B end}, {'band', fun(A, B) -> A band B end},
     {'bor', fun(A, B) -> A bor B end}, {'bxor', fun(A, B) -> A bxor B end}].

apply_op(F, A, B) ->
    try F(A, B) catch error:R -> {error, R} end.

main() ->
    Vs = values(),
    [io:format("~w ~w ~w = ~w~n", [A, Op, B, apply_op(F, A, B)])
     || {Op, F} <- ops(), A <- Vs, B <- Vs],
    [io:format("~w bsl ~w = ~w; bsr = ~w~n", [A, S, apply_op(fun(X, Y) -> X bsl Y end, A, S),
                                               apply_op(fun(X, Y) -> X bsr Y end, A, S)])
     || A <- Vs, S <- shifts()],
    %% Guards take the fail branch instead of raising.
    G = fun(X) when X rem 2 =:= 0 -> even; (_) -> other end,
    io:format("~w~n", [[G(X) || X <- [0, 1, 2, a, 2.0, 1 bsl 70]]]).
