-module(proc_flags).
-export([main/0]).

%% process_info status and priority, process_flag(priority), spawn_opt
%% with a priority: what a process reports about itself and others.
%% (cbeam once cached one status atom for every process_info call.)

main() ->
    Self = self(),
    W = spawn(fun() -> receive stop -> ok end end),
    timer:sleep(10),
    io:format("self ~p~n", [process_info(Self, status)]),
    io:format("waiting ~p~n", [process_info(W, status)]),
    io:format("self again ~p~n", [process_info(Self, status)]),
    io:format("priority ~p~n", [process_info(Self, priority)]),
    io:format("set high, was ~p~n", [process_flag(priority, high)]),
    io:format("now ~p~n", [process_info(Self, priority)]),
    io:format("set low, was ~p~n", [process_flag(priority, low)]),
    io:format("set normal, was ~p~n", [process_flag(priority, normal)]),
    io:format("bad ~p~n", [catch process_flag(priority, urgent)]),
    {P, R} = spawn_opt(fun() -> receive go -> exit(done) end end, [monitor, {priority, low}]),
    io:format("spawned low ~p~n", [process_info(P, priority)]),
    P ! go,
    receive {'DOWN', R, process, P, Why} -> io:format("down ~p~n", [Why]) end,
    W ! stop,
    ok.
