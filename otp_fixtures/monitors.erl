-module(monitors).
-export([main/0]).

main() ->
    P = spawn(fun() -> receive {exit_with, R} -> exit(R) end end),
    Ref = monitor(process, P),
    io:format("monitor ref ~p~n", [is_reference(Ref)]),
    P ! {exit_with, {some, reason}},
    receive {'DOWN', Ref, Type, Obj, Info} -> io:format("DOWN ~p ~p ~p~n", [Type, Obj =:= P, Info]) end,
    %% Monitoring a dead process gives an immediate noproc DOWN.
    Ref2 = monitor(process, P),
    receive {'DOWN', Ref2, process, _, Info2} -> io:format("dead process ~p~n", [Info2]) end,
    %% demonitor with flush
    P3 = spawn(fun() -> receive go -> ok end end),
    Ref3 = monitor(process, P3),
    io:format("demonitor ~p~n", [demonitor(Ref3, [flush])]),
    P3 ! go,
    receive {'DOWN', Ref3, _, _, _} -> io:format("unexpected DOWN~n") after 50 -> io:format("no DOWN after demonitor~n") end,
    %% demonitor info
    P4 = spawn(fun() -> receive go -> ok end end),
    Ref4 = monitor(process, P4),
    io:format("demonitor info ~p~n", [demonitor(Ref4, [info])]),
    io:format("demonitor again ~p~n", [demonitor(Ref4, [info])]),
    P4 ! go,
    %% multiple monitors on the same process
    P5 = spawn(fun() -> receive go -> exit(multi) end end),
    Refs = [monitor(process, P5) || _ <- [1, 2, 3]],
    P5 ! go,
    io:format("multi ~p~n", [[receive {'DOWN', R, process, _, Why} -> Why end || R <- Refs]]),
    %% monitor a registered name
    P6 = spawn(fun() -> receive go -> ok end end),
    register(monitored_name, P6),
    Ref6 = monitor(process, monitored_name),
    P6 ! go,
    receive {'DOWN', Ref6, process, Obj6, normal} -> io:format("named DOWN ~p~n", [Obj6]) end,
    Ref7 = monitor(process, no_such_name_registered),
    receive {'DOWN', Ref7, process, Obj7, R7} -> io:format("unknown name DOWN ~p ~p~n", [Obj7, R7]) end,
    %% spawn_monitor
    {P8, Ref8} = spawn_monitor(fun() -> error(crashed_badly) end),
    receive {'DOWN', Ref8, process, P8, {R8, _Stack}} -> io:format("spawn_monitor ~p~n", [R8]) end,
    %% killed
    {P9, Ref9} = spawn_monitor(fun() -> receive never -> ok end end),
    exit(P9, kill),
    receive {'DOWN', Ref9, process, P9, R9} -> io:format("killed ~p~n", [R9]) end,
    %% monitor does not link: the monitoring process survives
    io:format("still alive ~p~n", [is_process_alive(self())]),
    %% alias-style monitor (OTP 24+)
    P10 = spawn(fun() -> receive {From, Alias} -> From ! {Alias, hi} end end),
    Ref10 = monitor(process, P10, [{alias, demonitor}]),
    P10 ! {self(), Ref10},
    receive {Ref10, Msg} -> io:format("alias reply ~p~n", [Msg]) end,
    receive {'DOWN', Ref10, _, _, R10} -> io:format("alias down ~p~n", [R10]) after 200 -> io:format("alias no down~n") end,
    ok.
