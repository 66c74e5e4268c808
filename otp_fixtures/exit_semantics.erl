%% Exit signals exactly as OTP: normal is ignored unless trapped or sent
%% to oneself, kill is untrappable and becomes killed, a link's kill can be
%% trapped, killed propagates as killed, unlink stops propagation, links to
%% dead processes, monitors by name, demonitor flush and info.
-module(exit_semantics).
-export([main/0]).

main() ->
    process_flag(trap_exit, true),
    %% normal to a non-trapping process: ignored.
    P1 = spawn(fun() -> receive stop -> ok end end),
    exit(P1, normal),
    io:format("normal ignored: ~p~n", [alive(P1)]),
    %% normal to a trapping process: a message.
    Self = self(),
    P2 = spawn(fun() -> process_flag(trap_exit, true), Self ! ready, receive M -> Self ! {got, M} end end),
    receive ready -> ok end,
    exit(P2, normal),
    receive {got, M2} -> io:format("trapped normal: ~p~n", [M2 =:= {'EXIT', Self, normal}]) end,
    %% kill: untrappable.
    P3 = spawn(fun() -> process_flag(trap_exit, true), Self ! ready, receive _ -> ok end end),
    receive ready -> ok end,
    R3 = monitor(process, P3),
    exit(P3, kill),
    receive {'DOWN', R3, process, P3, W3} -> io:format("kill: ~p~n", [W3]) end,
    %% A process exiting with reason kill: its link partners see kill,
    %% trappable.
    P4 = spawn_link(fun() -> receive go -> exit(kill) end end),
    P4 ! go,
    receive {'EXIT', P4, W4} -> io:format("link kill trapped: ~p~n", [W4]) end,
    %% killed propagates as killed through links of non-trapping processes.
    {Chain, RC} = spawn_monitor(fun() ->
        Inner = spawn_link(fun() -> receive _ -> ok end end),
        Self ! {inner, Inner},
        receive _ -> ok end
    end),
    Inner = receive {inner, I} -> I end,
    exit(Inner, kill),
    receive {'DOWN', RC, process, Chain, WC} -> io:format("chain: ~p~n", [WC]) end,
    %% exit(self(), normal) in a non-trapping process ends it.
    {P5, R5} = spawn_monitor(fun() -> exit(self(), normal), receive after 1000 -> too_late end end),
    receive {'DOWN', R5, process, P5, W5} -> io:format("self normal: ~p~n", [W5]) end,
    %% unlink before the partner dies: no signal.
    P6 = spawn_link(fun() -> receive go -> exit(boom) end end),
    unlink(P6),
    R6 = monitor(process, P6),
    P6 ! go,
    receive {'DOWN', R6, process, P6, W6} -> io:format("unlinked partner died: ~p~n", [W6]) end,
    receive {'EXIT', P6, _} -> io:format("unexpected EXIT~n") after 50 -> io:format("no EXIT after unlink~n") end,
    %% link to a dead process while trapping: {'EXIT', Pid, noproc}.
    Dead = spawn(fun() -> ok end),
    RD = monitor(process, Dead),
    receive {'DOWN', RD, _, _, _} -> ok end,
    true = link(Dead),
    receive {'EXIT', Dead, WD} -> io:format("link to dead: ~p~n", [WD]) end,
    %% monitors by registered name.
    P7 = spawn(fun() -> receive stop -> exit(bye) end end),
    register(named_target, P7),
    R7 = monitor(process, named_target),
    named_target ! stop,
    receive {'DOWN', R7, process, Who7, W7} -> io:format("by name: ~p ~p~n", [Who7, W7]) end,
    R8 = monitor(process, no_such_name),
    receive {'DOWN', R8, process, Who8, W8} -> io:format("unknown name: ~p ~p~n", [Who8, W8]) end,
    %% demonitor with flush and info.
    P9 = spawn(fun() -> ok end),
    R9 = monitor(process, P9),
    timer:sleep(20),
    io:format("demonitor info: ~p~n", [demonitor(R9, [info])]),
    io:format("flushed: ~p~n", [receive {'DOWN', R9, _, _, _} -> not_flushed after 0 -> nothing end]),
    P10 = spawn(fun() -> ok end),
    R10 = monitor(process, P10),
    timer:sleep(20),
    io:format("demonitor flush: ~p~n", [demonitor(R10, [flush, info])]),
    io:format("after flush: ~p~n", [receive {'DOWN', R10, _, _, _} -> not_flushed after 0 -> nothing end]),
    P1 ! stop,
    io:format("is_process_alive after exit/2 kill: ~p~n", [begin P11 = spawn(fun() -> receive _ -> ok end end), exit(P11, kill), is_process_alive(P11) end]),
    ok.

alive(P) -> is_process_alive(P).
