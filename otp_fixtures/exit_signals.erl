-module(exit_signals).
-export([main/0]).

wait_down(Pid) ->
    Ref = monitor(process, Pid),
    receive {'DOWN', Ref, process, Pid, Reason} -> Reason end.

kill_and_wait(Pid, Reason) ->
    Ref = monitor(process, Pid),
    exit(Pid, Reason),
    receive {'DOWN', Ref, process, Pid, R} -> R end.

sleeper() -> spawn(fun() -> receive never -> ok end end).

main() ->
    %% exit/2 with normal is ignored by a non-trapping process
    P1 = sleeper(),
    exit(P1, normal),
    timer:sleep(10),
    io:format("normal ignored, alive ~p~n", [is_process_alive(P1)]),
    io:format("kill -> ~p~n", [kill_and_wait(P1, kill)]),
    %% trapping process cannot trap kill
    P2 = spawn(fun() -> process_flag(trap_exit, true), receive never -> ok end end),
    timer:sleep(10),
    io:format("trapping, kill -> ~p~n", [kill_and_wait(P2, kill)]),
    %% but does trap other reasons
    Self = self(),
    P3 = spawn(fun() -> process_flag(trap_exit, true), Self ! ready, receive {'EXIT', _, R} -> exit({trapped, R}) end end),
    receive ready -> ok end,
    exit(P3, custom),
    io:format("trapping, custom -> ~p~n", [wait_down(P3)]),
    %% 'killed' propagates through links as killed, not kill
    P4 = spawn(fun() ->
                       process_flag(trap_exit, true),
                       C = spawn_link(fun() -> receive never -> ok end end),
                       Self ! {child, C},
                       receive {'EXIT', C, Why} -> Self ! {child_exit, Why} end
               end),
    C = receive {child, Ch} -> Ch end,
    exit(C, kill),
    receive {child_exit, W} -> io:format("linked sees ~p~n", [W]) end,
    _ = wait_down(P4),
    %% exit reasons of various shapes
    Reasons = [normal, shutdown, {shutdown, x}, [a, list], 42, <<"bin">>],
    Got = [begin P = spawn(fun() -> receive go -> exit(R) end end), Ref = monitor(process, P), P ! go,
                 receive {'DOWN', Ref, _, _, X} -> X end end || R <- Reasons],
    io:format("reasons ~p~n", [Got]),
    %% process that ends by returning
    io:format("return -> ~p~n", [wait_down(spawn(fun() -> done end))]),
    %% error in a spawned process with logger silenced
    ok = logger:set_primary_config(level, none),
    io:format("error -> ~p~n", [element(1, wait_down(spawn(fun() -> error(oops) end)))]),
    %% exit signal to self while trapping
    process_flag(trap_exit, true),
    exit(self(), to_myself),
    receive {'EXIT', From, Why2} -> io:format("self signal ~p from self ~p~n", [Why2, From =:= self()]) end,
    process_flag(trap_exit, false),
    %% is_process_alive after kill
    P5 = sleeper(),
    exit(P5, kill),
    _ = wait_down(P5),
    io:format("alive after kill ~p~n", [is_process_alive(P5)]),
    ok.
