%% fib: body-recursive Fibonacci. Measures non-tail calls, small-integer
%% arithmetic and comparison, stack frames (allocate/deallocate).
-module(fib).
-export([main/0]).

-define(WARMUP, 1).
-define(REPS, 16).
-define(N, 30).

main() ->
    _ = run(?WARMUP),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?REPS),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, fib, T1 - T0, R}).

run(K) -> run(K, 0).

run(0, Acc) -> Acc;
run(K, Acc) -> run(K - 1, Acc + fib(?N)).

fib(0) -> 0;
fib(1) -> 1;
fib(N) -> fib(N - 1) + fib(N - 2).
