-module(links_trap_exit).
-export([main/0]).

main() ->
    process_flag(trap_exit, true),
    P1 = spawn_link(fun() -> exit(custom_reason) end),
    receive {'EXIT', P1, R1} -> io:format("exit reason ~p~n", [R1]) end,
    P2 = spawn_link(fun() -> ok end),
    receive {'EXIT', P2, R2} -> io:format("normal exit ~p~n", [R2]) end,
    P3 = spawn_link(fun() -> receive never -> ok end end),
    exit(P3, kill),
    receive {'EXIT', P3, R3} -> io:format("killed ~p~n", [R3]) end,
    P4 = spawn_link(fun() -> receive never -> ok end end),
    exit(P4, shutdown),
    receive {'EXIT', P4, R4} -> io:format("shutdown ~p~n", [R4]) end,
    P5 = spawn_link(fun() -> exit({tuple, [reason]}) end),
    receive {'EXIT', P5, R5} -> io:format("tuple exit ~p~n", [R5]) end,
    %% A process that traps exits receives exit signals as messages.
    Self = self(),
    Trapper = spawn(fun() ->
                            process_flag(trap_exit, true),
                            Self ! ready,
                            receive {'EXIT', From, Why} -> Self ! {trapped, From =:= Self, Why} end,
                            receive {'EXIT', _, Why2} -> Self ! {trapped2, Why2} end
                    end),
    receive ready -> ok end,
    exit(Trapper, please_stop),
    receive {trapped, FromParent, W} -> io:format("trapped ~p from parent ~p~n", [W, FromParent]) end,
    exit(Trapper, normal),
    receive {trapped2, W2} -> io:format("trapped normal ~p~n", [W2]) end,
    %% Linked chain: killing the middle takes the non-trapping neighbour down.
    Chain = spawn(fun() ->
                          A = spawn_link(fun() -> receive never -> ok end end),
                          Self ! {chain_child, A},
                          receive never -> ok end
                  end),
    A = receive {chain_child, Child} -> Child end,
    MonC = monitor(process, Chain),
    MonA = monitor(process, A),
    exit(A, boom),
    receive {'DOWN', MonA, process, A, RA} -> io:format("child down ~p~n", [RA]) end,
    receive {'DOWN', MonC, process, Chain, RC} -> io:format("linked parent down ~p~n", [RC]) end,
    %% unlink prevents propagation
    P6 = spawn_link(fun() -> receive go -> exit(after_unlink) end end),
    unlink(P6),
    M6 = monitor(process, P6),
    P6 ! go,
    receive {'DOWN', M6, _, _, R6} -> io:format("unlinked exit ~p~n", [R6]) end,
    receive {'EXIT', P6, _} = Unexpected -> io:format("unexpected ~p~n", [Unexpected]) after 50 -> io:format("no EXIT after unlink~n") end,
    %% link to a dead process gives noproc exit
    Dead = spawn(fun() -> ok end),
    MD = monitor(process, Dead),
    receive {'DOWN', MD, _, _, _} -> ok end,
    link(Dead),
    receive {'EXIT', Dead, RD} -> io:format("link to dead ~p~n", [RD]) end,
    io:format("trap_exit flag was ~p~n", [process_flag(trap_exit, false)]),
    ok.
