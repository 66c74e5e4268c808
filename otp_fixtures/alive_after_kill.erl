%% OTP guarantees that the signals a process sent to P take effect before
%% its own is_process_alive(P) or process_info(P, ...) looks at P: after
%% exit(P, kill) both must see P dead, every time, whichever scheduler P
%% runs on and whatever it is doing (waiting, busy, just spawned).
-module(alive_after_kill).
-export([main/0]).

main() ->
    io:format("waiting: ~p~n", [count(fun waiting/0, 2000, alive)]),
    io:format("busy: ~p~n", [count(fun busy/0, 500, alive)]),
    io:format("fresh: ~p~n", [count(fun() -> ok end, 2000, alive)]),
    io:format("process_info: ~p~n", [count(fun waiting/0, 2000, info)]),
    %% A normal exit signal to a non-trapping process is ignored: still alive.
    P = spawn(fun waiting/0),
    exit(P, normal),
    io:format("after normal: ~p~n", [is_process_alive(P)]),
    exit(P, kill),
    io:format("after kill: ~p~n", [is_process_alive(P)]),
    ok.

waiting() -> receive _ -> ok end.

busy() -> busy(0).
busy(N) -> busy(N + 1).

%% How many of N killed processes still looked alive right after the kill.
count(Body, N, How) -> count(Body, N, How, 0).
count(_, 0, _, Alive) -> Alive;
count(Body, N, How, Alive) ->
    P = spawn(Body),
    exit(P, kill),
    Seen = case How of
        alive -> is_process_alive(P);
        info -> process_info(P, status) =/= undefined
    end,
    count(Body, N - 1, How, Alive + case Seen of true -> 1; false -> 0 end).
