%% Work long enough for several balancing passes (8M reductions of the
%% busiest scheduler each), so that migration paths, immigration,
%% evacuation of starved priority levels and compaction of load onto
%% fewer schedulers all happen while processes of every priority run,
%% spawn, exchange messages and change the number of schedulers online.
%% Only results that do not depend on timing are printed.
-module(sched_balance).
-export([main/0]).

main() ->
    Online = erlang:system_info(schedulers_online),
    mixed(),
    starved(),
    light_then_burst(),
    online_changes(Online),
    Online = erlang:system_info(schedulers_online),
    io:format("run queue empty at the end: ~p~n", [wait_empty(100)]),
    ok.

%% Uneven workers at every priority, all spawned from one process.
mixed() ->
    Specs = [{P, N} || {P, Count} <- [{high, 2}, {normal, 16}, {low, 4}],
                       N <- lists:seq(1, Count)],
    Results = run_all([{P, 20 + N rem 5, 10} || {P, N} <- Specs]),
    io:format("mixed: ~p workers, sum ~p~n", [length(Results), lists:sum(Results)]).

%% Max-priority workers take most of the time while normal ones wait:
%% the normal level's availability drops on their schedulers, and it is
%% evacuated while starved.
starved() ->
    Results = run_all([{max, 20, 30} || _ <- lists:seq(1, 2)] ++ [{normal, 20, 10} || _ <- lists:seq(1, 12)]),
    io:format("starved: ~p workers, sum ~p~n", [length(Results), lists:sum(Results)]).

%% A token passed along a chain (one runnable process at a time: the load
%% compacts onto one scheduler), then a burst of parallel work that must
%% wake the others again.
light_then_burst() ->
    Self = self(),
    Last = lists:foldl(fun(_, Next) -> spawn(fun() -> relay(Next) end) end, Self, lists:seq(1, 50)),
    Last ! {token, 4000},
    Laps = chain(Last, 0),
    Results = run_all([{normal, 22, 6} || _ <- lists:seq(1, 8)]),
    io:format("light then burst: ~p laps, ~p workers, sum ~p~n", [Laps, length(Results), lists:sum(Results)]).

chain(First, Laps) ->
    receive
        {token, 0} -> First ! stop, Laps;
        {token, K} -> First ! {token, K - 1}, chain(First, Laps + 1)
    end.

relay(Next) ->
    receive
        stop -> Next ! stop;
        {token, K} -> Next ! {token, K}, relay(Next)
    end.

%% schedulers_online goes down to 1 and back while workers run.
online_changes(Online) ->
    Self = self(),
    Pids = [spawn(fun() -> Self ! {self(), work(21, 10)} end) || _ <- lists:seq(1, 8)],
    _ = erlang:system_flag(schedulers_online, 1),
    _ = fib(18),
    _ = erlang:system_flag(schedulers_online, Online),
    _ = fib(18),
    Results = [receive {P, V} -> V end || P <- Pids],
    io:format("online changes: ~p workers, sum ~p~n", [length(Results), lists:sum(Results)]).

run_all(Specs) ->
    Self = self(),
    Pids = [spawn_opt(fun() -> Self ! {self(), work(Size, Reps)} end, [{priority, P}])
            || {P, Size, Reps} <- Specs],
    [receive {Pid, V} -> V end || Pid <- Pids].

work(_, 0) -> 0;
work(Size, Reps) -> fib(Size) + work(Size, Reps - 1).

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

wait_empty(0) -> false;
wait_empty(K) ->
    case erlang:statistics(run_queue) of
        0 -> true;
        _ -> receive after 1 -> wait_empty(K - 1) end
    end.
