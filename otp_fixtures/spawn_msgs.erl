-module(spawn_msgs).
-export([main/0, echo/0]).

echo() ->
    receive
        {From, stop} -> From ! {self(), stopped};
        {From, Msg} -> From ! {self(), {echo, Msg}}, echo()
    end.

ping(0, Pong) -> Pong ! done, ok;
ping(N, Pong) ->
    Pong ! {ping, self(), N},
    receive {pong, N} -> ping(N - 1, Pong) end.

pong(Count) ->
    receive
        {ping, From, N} -> From ! {pong, N}, pong(Count + 1);
        done -> exit({pong_count, Count})
    end.

ring(N, M) ->
    Self = self(),
    First = lists:foldl(fun(_, Next) -> spawn(fun() -> relay(Next) end) end, Self, lists:seq(1, N)),
    First ! {token, M * N},
    ring_wait(First).

ring_wait(First) ->
    receive
        {token, 0} -> First ! stop, receive stop -> done end;
        {token, K} -> First ! {token, K - 1}, ring_wait(First)
    end.

relay(Next) ->
    receive
        {token, 0} = T -> Next ! T, relay(Next);
        {token, K} -> Next ! {token, K - 1}, relay(Next);
        stop -> Next ! stop
    end.

main() ->
    E = spawn(?MODULE, echo, []),
    E ! {self(), hello},
    E ! {self(), [1, 2, 3]},
    E ! {self(), #{k => v}},
    [receive {E, R} -> io:format("reply ~p~n", [R]) end || _ <- [1, 2, 3]],
    E ! {self(), stop},
    receive {E, stopped} -> io:format("echo stopped~n") end,
    io:format("pid is pid ~w, alive after stop: ~w~n", [is_pid(E), wait_dead(E)]),
    Pong = spawn(fun() -> pong(0) end),
    Ref = monitor(process, Pong),
    ping(1000, Pong),
    receive {'DOWN', Ref, process, Pong, Why} -> io:format("pong exited ~p~n", [Why]) end,
    io:format("ring ~p~n", [ring(100, 10)]),
    Parent = self(),
    Workers = [spawn(fun() -> Parent ! {result, N, N * N} end) || N <- lists:seq(1, 20)],
    Results = [receive {result, N, V} -> V end || N <- lists:seq(1, 20)],
    io:format("workers ~w results ~w~n", [length(Workers), Results]),
    self() ! first, self() ! second, self() ! third,
    io:format("mailbox order ~p~n", [[receive M -> M end || _ <- [1, 2, 3]]]),
    io:format("send returns msg ~p~n", [self() ! {returned, value}]),
    receive {returned, _} -> ok end,
    io:format("spawn/3 with args ~p~n", [begin
                                             P = spawn(erlang, apply, [fun(X) -> Parent ! {applied, X} end, [7]]),
                                             true = is_pid(P),
                                             receive {applied, X} -> X end
                                         end]),
    Big = lists:seq(1, 10000),
    spawn(fun() -> Parent ! {big, lists:sum(Big), Big} end),
    receive {big, Sum, Copy} -> io:format("big message sum ~w len ~w~n", [Sum, length(Copy)]) end,
    ok.

wait_dead(P) ->
    case is_process_alive(P) of
        true -> receive after 1 -> wait_dead(P) end;
        false -> false
    end.
