%% skewed: one process spawns 4,000 tasks of very uneven size (all start
%% on its scheduler); stealing and migration must spread them over the
%% others. Measures the makespan.
-module(skewed).
-export([main/0]).

-define(TASKS, 4000).

main() ->
    _ = run(200),
    T0 = erlang:monotonic_time(microsecond),
    Sum = run(?TASKS),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, skewed, T1 - T0, Sum}).

run(Tasks) ->
    Self = self(),
    Pids = [spawn(fun() -> Self ! {self(), fib(task_size(I))} end) || I <- lists:seq(1, Tasks)],
    lists:sum([receive {P, V} -> V end || P <- Pids]).

%% Most tasks are tiny, every 50th is large.
task_size(I) when I rem 50 =:= 0 -> 22;
task_size(I) -> 8 + I rem 7.

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).
