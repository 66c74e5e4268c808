%% A pid names one process: after 300,000 more processes have come and
%% gone (more than the default process limit of 262,144), a dead process's
%% pid still finds nothing, and no new process got it.
-module(pid_unique).
-export([main/0]).

main() ->
    {First, Ref} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', Ref, process, First, normal} -> ok end,
    io:format("reused: ~p~n", [spawn_many(300000, First, false)]),
    io:format("first alive: ~p~n", [is_process_alive(First)]),
    First ! hello,
    io:format("process_info of first: ~p~n", [process_info(First, status)]),
    io:format("limit: ~p~n", [erlang:system_info(process_limit)]),
    ok.

spawn_many(0, _, Seen) -> Seen;
spawn_many(N, First, Seen) ->
    P = spawn(fun() -> ok end),
    spawn_many(N - 1, First, Seen orelse P =:= First).
