%% many_to_one: 16 senders each send 250,000 messages to one receiver
%% (4,000,000 in all), as fast as they can. Measures concurrent sends to
%% one busy inbox: contention on the receiver's queue, never blocking a
%% sender.
-module(many_to_one).
-export([main/0]).

-define(SENDERS, 16).

main() ->
    _ = run(1000),
    T0 = erlang:monotonic_time(microsecond),
    R = run(250000),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, many_to_one, T1 - T0, R}).

run(PerSender) ->
    Self = self(),
    Receiver = spawn(fun() -> receiver(Self, ?SENDERS * PerSender, 0) end),
    [spawn(fun() -> send(Receiver, S, PerSender) end) || S <- lists:seq(1, ?SENDERS)],
    receive {done, Sum} -> Sum end.

send(_, _, 0) -> ok;
send(To, S, K) -> To ! {S, K}, send(To, S, K - 1).

receiver(Parent, 0, Sum) -> Parent ! {done, Sum};
receiver(Parent, Left, Sum) ->
    receive {S, K} -> receiver(Parent, Left - 1, (Sum + S * K) band 16#FFFFFFF) end.
