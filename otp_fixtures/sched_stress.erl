%% Many processes exchanging messages, links, monitors and exit signals at
%% once, so that with several schedulers they run truly in parallel. Only
%% results that do not depend on timing are printed.
-module(sched_stress).
-export([main/0]).

main() ->
    ring(200, 50),
    pairs(64, 2000),
    churn(2000),
    exits(300),
    monitors(300),
    timers(200),
    order(8, 5000),
    ok.

%% A token goes round a ring of N processes Laps times.
ring(N, Laps) ->
    Self = self(),
    First = lists:foldl(fun(_, Next) -> spawn(fun() -> relay(Next) end) end, Self, lists:seq(1, N)),
    First ! {token, Laps},
    done = ring_wait(First),
    io:format("ring ~p processes ~p laps~n", [N, Laps]).

ring_wait(First) ->
    receive
        {token, 0} -> stop_ring(First), done;
        {token, K} -> First ! {token, K - 1}, ring_wait(First)
    end.

stop_ring(P) -> P ! stop.

relay(Next) ->
    receive
        stop -> Next ! stop;
        {token, K} -> Next ! {token, K}, relay(Next)
    end.

%% N pairs of processes ping-pong M times and report a checksum.
pairs(N, M) ->
    Self = self(),
    Pids = [spawn(fun() -> pinger(Self, I, M) end) || I <- lists:seq(1, N)],
    Sums = [receive {done, P, S} -> S end || P <- Pids],
    io:format("pairs ~p sum ~p~n", [length(Sums), lists:sum(Sums)]).

pinger(Parent, I, M) ->
    Ponger = spawn(fun() -> ponger() end),
    S = ping(Ponger, I, M, 0),
    Ponger ! stop,
    Parent ! {done, self(), S}.

ping(_, _, 0, Acc) -> Acc;
ping(P, I, M, Acc) ->
    P ! {self(), I + M},
    receive {pong, V} -> ping(P, I, M - 1, Acc + V) end.

ponger() ->
    receive
        {From, V} -> From ! {pong, V * 2}, ponger();
        stop -> ok
    end.

%% Spawn and exit in quick succession, each reporting back.
churn(N) ->
    Self = self(),
    [spawn(fun() -> Self ! {born, I} end) || I <- lists:seq(1, N)],
    Total = lists:sum([receive {born, I} -> I end || I <- lists:seq(1, N)]),
    io:format("churn ~p~n", [Total]).

%% Linked workers die with various reasons; a trapping supervisor sees
%% every 'EXIT', a non-trapping linked bystander dies with the first
%% abnormal reason.
exits(N) ->
    process_flag(trap_exit, true),
    Pids = [spawn_link(fun() -> receive go -> exit(reason(I)) end end) || I <- lists:seq(1, N)],
    [P ! go || P <- Pids],
    Reasons = [receive {'EXIT', P, R} -> R end || P <- Pids],
    Counts = lists:foldl(fun(R, D) -> orddict:update_counter(R, 1, D) end, [], Reasons),
    io:format("exits ~p~n", [Counts]),
    %% exit/2 with kill cannot be trapped; with another reason it can.
    Self = self(),
    Trapper = spawn_link(fun() -> process_flag(trap_exit, true), Self ! trapping, trap_loop([]) end),
    receive trapping -> ok end,
    exit(Trapper, soft),
    Trapper ! {self(), report},
    receive {trapped, Got} -> io:format("trapped ~p~n", [Got]) end,
    exit(Trapper, kill),
    receive {'EXIT', Trapper, Why} -> io:format("killed trapper: ~p~n", [Why]) end,
    process_flag(trap_exit, false).

reason(I) when I rem 3 =:= 0 -> normal;
reason(I) when I rem 3 =:= 1 -> boom;
reason(_) -> {shutdown, x}.

trap_loop(Acc) ->
    receive
        {'EXIT', _, R} -> trap_loop([R | Acc]);
        {From, report} -> From ! {trapped, lists:reverse(Acc)}, trap_loop(Acc)
    end.

%% Monitors from many processes on one target, and on dead pids.
monitors(N) ->
    Self = self(),
    Target = spawn(fun() -> receive stop -> exit(done) end end),
    Watchers = [spawn(fun() ->
                          Ref = monitor(process, Target),
                          Self ! {ready, self()},
                          receive {'DOWN', Ref, process, Target, R} -> Self ! {down, self(), R} end
                      end) || _ <- lists:seq(1, N)],
    [receive {ready, W} -> ok end || W <- Watchers],
    Target ! stop,
    Downs = [receive {down, W, R} -> R end || W <- Watchers],
    Dead = spawn(fun() -> ok end),
    Ref = monitor(process, Dead),
    receive {'DOWN', Ref, process, Dead, _} -> ok end,
    Ref2 = monitor(process, Dead),
    R2 = receive {'DOWN', Ref2, process, Dead, Why} -> Why end,
    io:format("monitors ~p ~p dead ~p~n", [length(Downs), lists:usort(Downs), R2]).

%% Timers and receive timeouts from many processes at once.
timers(N) ->
    Self = self(),
    [spawn(fun() ->
               erlang:send_after(I rem 20, self(), tick),
               R = receive tick -> tick after 5000 -> late end,
               T = receive never -> never after I rem 7 -> timeout end,
               Self ! {timer, R, T}
           end) || I <- lists:seq(1, N)],
    Results = [receive {timer, R, T} -> {R, T} end || _ <- lists:seq(1, N)],
    io:format("timers ~p~n", [lists:usort(Results)]).

%% Messages from each sender arrive in the order sent.
order(Senders, M) ->
    Self = self(),
    [spawn(fun() -> [Self ! {seq, S, I} || I <- lists:seq(1, M)] end) || S <- lists:seq(1, Senders)],
    Ok = check_order(Senders * M, #{}),
    io:format("order ~p~n", [Ok]).

check_order(0, Last) -> lists:all(fun(V) -> V =:= 5000 end, maps:values(Last)) andalso map_size(Last) =:= 8;
check_order(K, Last) ->
    receive
        {seq, S, I} ->
            case maps:get(S, Last, 0) of
                Prev when Prev =:= I - 1 -> check_order(K - 1, Last#{S => I});
                Prev -> {out_of_order, S, Prev, I}
            end
    end.
