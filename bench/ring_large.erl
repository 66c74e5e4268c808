%% ring_large: a ring of 10,000 processes passing a counter around 1,000
%% times: 10,000,000 messages. Measures send and receive at scale, with
%% a working set of processes far larger than any cache.
-module(ring_large).
-export([main/0]).

-define(PROCS, 10000).

main() ->
    _ = run(5),
    T0 = erlang:monotonic_time(microsecond),
    R = run(1000),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, ring_large, T1 - T0, R}).

run(Rounds) ->
    Self = self(),
    First = spawn(fun() -> first(Self) end),
    Last = lists:foldl(fun(_, Next) -> spawn(fun() -> relay(Next) end) end,
                       First, lists:seq(2, ?PROCS)),
    First ! {next, Last},
    Last ! {token, Rounds * ?PROCS},
    receive {done, V} -> V end.

first(Parent) ->
    receive {next, Next} -> first(Parent, Next, 0) end.

first(Parent, Next, Acc) ->
    receive
        {token, 0} ->
            Next ! stop,
            Parent ! {done, Acc};
        {token, N} ->
            Next ! {token, N - 1},
            first(Parent, Next, (Acc * 31 + N) band 16#FFFFFFF)
    end.

%% A token that reached 0 travels on unchanged to the first process.
relay(Next) ->
    receive
        {token, 0} -> Next ! {token, 0}, relay(Next);
        {token, N} -> Next ! {token, N - 1}, relay(Next);
        stop -> Next ! stop
    end.
