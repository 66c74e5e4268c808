%% Used by bench/idle_procs (not a bench/run benchmark).
-module(idle_procs).
-export([main/1]).
%% Spawns N processes that wait in receive, prints "ready", then waits.
main([A]) ->
    N = list_to_integer(A),
    spawn_waiting(N),
    io:format("ready ~p~n", [erlang:system_info(process_count)]),
    receive stop -> ok end.
spawn_waiting(0) -> ok;
spawn_waiting(N) -> spawn(fun() -> receive stop -> ok end end), spawn_waiting(N - 1).
