-module(selective_receive).
-export([main/0]).

call(Server, Req) ->
    Ref = make_ref(),
    Server ! {call, self(), Ref, Req},
    receive {reply, Ref, Reply} -> Reply after 1000 -> timeout end.

server(State) ->
    receive
        {call, From, Ref, {add, N}} -> From ! {reply, Ref, State + N}, server(State + N);
        {call, From, Ref, get} -> From ! {reply, Ref, State}, server(State);
        {call, From, Ref, stop} -> From ! {reply, Ref, stopped}
    end.

main() ->
    self() ! {low, 1},
    self() ! {high, 1},
    self() ! {low, 2},
    self() ! {high, 2},
    self() ! other,
    Highs = [receive {high, N} -> N end || _ <- [1, 2]],
    io:format("highs first ~p~n", [Highs]),
    Rest = [receive M -> M end || _ <- [1, 2, 3]],
    io:format("rest in order ~p~n", [Rest]),
    S = spawn(fun() -> server(0) end),
    io:format("calls ~p~n", [[call(S, {add, 5}), call(S, {add, 10}), call(S, get)]]),
    %% stale replies with old refs must be ignored
    self() ! {reply, make_ref(), stale},
    io:format("call ignoring stale ~p~n", [call(S, get)]),
    io:format("stale still queued ~p~n", [receive {reply, _, stale} -> yes after 0 -> no end]),
    io:format("stop ~p~n", [call(S, stop)]),
    io:format("refs unique ~p~n", [length(lists:usort([make_ref() || _ <- lists:seq(1, 1000)]))]),
    R = make_ref(),
    io:format("ref equal self ~p other ~p~n", [R =:= R, R =:= make_ref()]),
    %% priority receive: urgent messages anywhere in the queue are taken first
    [self() ! {normal, N} || N <- lists:seq(1, 5)],
    self() ! {urgent, a},
    [self() ! {normal, N} || N <- lists:seq(6, 8)],
    self() ! {urgent, b},
    io:format("priority ~p~n", [prio([])]),
    %% many messages, match the last one first
    [self() ! {n, N} || N <- lists:seq(1, 2000)],
    receive {n, 2000} -> ok end,
    io:format("remaining ~p~n", [length(drain())]),
    ok.

prio(Acc) ->
    receive
        {urgent, X} -> prio([X | Acc])
    after 0 ->
        receive
            {normal, N} -> prio([N | Acc])
        after 0 -> lists:reverse(Acc)
        end
    end.

drain() -> receive M -> [M | drain()] after 0 -> [] end.
