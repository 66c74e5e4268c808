-module(spawn_link_crash).
-export([main/0, id/1]).

id(X) -> X.

%% Crashing linked processes. The emulator's "Error in process ..." reports
%% contain pids and timestamps, so the primary logger level is set to none.
main() ->
    ok = logger:set_primary_config(level, none),
    process_flag(trap_exit, true),
    P1 = spawn_link(fun() -> id(1) / id(0) end),
    receive {'EXIT', P1, {R1, [{M1, F1, _, _} | _]}} -> io:format("badarith ~p in ~p:~p~n", [R1, M1, F1]) end,
    P2 = spawn_link(fun() -> {ok, _} = id(error) end),
    receive {'EXIT', P2, {R2, _}} -> io:format("badmatch ~p~n", [R2]) end,
    P3 = spawn_link(fun() -> throw(not_caught) end),
    receive {'EXIT', P3, {R3, _}} -> io:format("throw ~p~n", [R3]) end,
    P4 = spawn_link(fun() -> error(custom, [a, b]) end),
    receive {'EXIT', P4, {R4, [{_, _, Args, _} | _]}} -> io:format("error/2 ~p args ~p~n", [R4, Args]) end,
    %% A non-trapping process linked to a crashing one dies with the same reason.
    Self = self(),
    Mid = spawn(fun() ->
                        spawn_link(fun() -> receive go -> exit(chain_reaction) end end) ! go,
                        receive never -> ok end
                end),
    Ref = monitor(process, Mid),
    receive {'DOWN', Ref, process, Mid, RM} -> io:format("propagated ~p~n", [RM]) end,
    %% spawn_link inside a catch: the crash is not caught by the parent's try.
    Res = try
              P5 = spawn_link(fun() -> exit(in_child) end),
              receive {'EXIT', P5, R5} -> {got_exit, R5} end
          catch _:_ -> caught
          end,
    io:format("try around spawn_link ~p~n", [Res]),
    %% many crashing children
    Ps = [spawn_link(fun() -> exit({n, N}) end) || N <- lists:seq(1, 10)],
    Rs = [receive {'EXIT', P, {n, N}} -> N end || P <- Ps],
    io:format("collected ~w~n", [Rs]),
    process_flag(trap_exit, false),
    Self ! done,
    receive done -> io:format("done~n") end,
    ok.
