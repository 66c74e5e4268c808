%% parallel: 8 CPU-bound workers, no communication until the end: the same
%% work whatever the scheduler count, so +S 1 against +S 2 (bench/run
%% --cbeam-args) shows how the schedulers scale.
-module(parallel).
-export([main/0]).

main() ->
    N = 8,
    _ = run(N, 2),
    T0 = erlang:monotonic_time(microsecond),
    Sum = run(N, 40),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, parallel, T1 - T0, Sum div N}).

run(N, Reps) ->
    Self = self(),
    Pids = [spawn(fun() -> Self ! {self(), work(Reps, 0)} end) || _ <- lists:seq(1, N)],
    lists:sum([receive {P, S} -> S end || P <- Pids]).

work(0, Acc) -> Acc;
work(K, Acc) -> work(K - 1, Acc + fib(22)).

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).
