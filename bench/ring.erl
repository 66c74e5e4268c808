%% ring: a ring of processes passing a token around. Measures spawn,
%% send and receive, process scheduling and context switching (all
%% processes on one scheduler's worth of work).
-module(ring).
-export([main/0]).

-define(PROCS, 500).
-define(WARMUP, 100).
-define(ROUNDS, 700).

main() ->
    _ = run(?WARMUP),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?ROUNDS),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, ring, T1 - T0, R}).

%% Spawn PROCS processes in a ring, send a counter around Rounds times;
%% each hop
%% subtracts one. The checksum hashes every count that reached the
%% first process. Then tell the ring to stop.
run(Rounds) ->
    Self = self(),
    First = spawn(fun() -> first(Self) end),
    Last = lists:foldl(fun(_, Next) -> spawn(fun() -> relay(Next) end) end,
                       First, lists:seq(2, ?PROCS)),
    First ! {next, Last},
    Last ! {token, Rounds * ?PROCS},
    receive
        {done, V} -> V
    end.

first(Parent) ->
    receive {next, Next} -> first(Parent, Next, 0) end.

first(Parent, Next, Hops) ->
    receive
        {token, 0} ->
            Next ! stop,
            Parent ! {done, Hops};
        {token, N} ->
            Next ! {token, N - 1},
            first(Parent, Next, (Hops * 31 + N) rem 1000000007)
    end.

relay(Next) ->
    receive
        {token, 0} ->
            Next ! {token, 0},
            relay(Next);
        {token, N} ->
            Next ! {token, N - 1},
            relay(Next);
        stop ->
            Next ! stop
    end.
