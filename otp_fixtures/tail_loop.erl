-module(tail_loop).
-export([main/0]).

count(0, Acc) -> Acc;
count(N, Acc) -> count(N - 1, Acc + N).

%% Mutually tail-recursive even/odd.
is_even(0) -> true;
is_even(N) -> is_odd(N - 1).
is_odd(0) -> false;
is_odd(N) -> is_even(N - 1).

loop_state(0, S) -> S;
loop_state(N, {A, B, C}) -> loop_state(N - 1, {B, C, (A + B + C) rem 1000003}).

main() ->
    io:format("sum 1..1e6 = ~w~n", [count(1000000, 0)]),
    io:format("even(1000001) = ~w~n", [is_even(1000001)]),
    io:format("tribonacci mod p after 1e6 = ~w~n", [loop_state(1000000, {0, 0, 1})]),
    io:format("foldl over 1e6 = ~w~n", [lists:foldl(fun(X, A) -> (A * 31 + X) band 16#FFFFFF end, 0, lists:seq(1, 1000000))]),
    L = lists:seq(1, 200000),
    io:format("reverse/length = ~w ~w~n", [hd(lists:reverse(L)), length(L)]),
    io:format("float loop = ~w~n", [float_loop(100000, 0.0)]),
    io:format("lcg = ~w~n", [lcg(500000, 42)]),
    ok.

float_loop(0, X) -> X;
float_loop(N, X) -> float_loop(N - 1, X + 1 / N).

lcg(0, X) -> X;
lcg(N, X) -> lcg(N - 1, (X * 1103515245 + 12345) rem 2147483648).
