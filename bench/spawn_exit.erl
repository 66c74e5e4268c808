%% spawn_exit: spawn 1,000,000 processes that exit at once, in batches of
%% 10,000 (each batch is waited for with monitors). Measures process
%% creation, scheduling of a fresh process, exit and reclamation.
-module(spawn_exit).
-export([main/0]).

-define(TOTAL, 1000000).
-define(BATCH, 10000).

main() ->
    _ = run(20000),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?TOTAL),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, spawn_exit, T1 - T0, R}).

run(Total) -> run(Total, 0).

run(0, Acc) -> Acc;
run(Left, Acc) ->
    N = min(Left, ?BATCH),
    Refs = [element(2, spawn_monitor(fun() -> exit(I) end)) || I <- lists:seq(1, N)],
    run(Left - N, Acc + collect(Refs, 0)).

%% The sum of the exit reasons, in no particular order of arrival.
collect([], Sum) -> Sum;
collect([R | Rs], Sum) ->
    receive {'DOWN', R, process, _, I} -> collect(Rs, Sum + I) end.
