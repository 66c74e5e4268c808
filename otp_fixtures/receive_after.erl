-module(receive_after).
-export([main/0]).

flush() ->
    receive M -> [M | flush()] after 0 -> [] end.

main() ->
    io:format("empty mailbox after 0: ~p~n", [receive X -> X after 0 -> timeout end]),
    io:format("after 10: ~p~n", [receive X2 -> X2 after 10 -> timeout end]),
    self() ! msg,
    io:format("ready message: ~p~n", [receive X3 -> X3 after 1000 -> timeout end]),
    Self = self(),
    spawn(fun() -> timer:sleep(20), Self ! late end),
    io:format("before arrival: ~p~n", [receive late -> got after 1 -> timeout end]),
    io:format("after arrival: ~p~n", [receive late -> got after 2000 -> timeout end]),
    [self() ! N || N <- lists:seq(1, 5)],
    io:format("flush ~p~n", [flush()]),
    io:format("after only: ~p~n", [receive after 5 -> done end]),
    T0 = erlang:monotonic_time(millisecond),
    receive after 50 -> ok end,
    Elapsed = erlang:monotonic_time(millisecond) - T0,
    io:format("waited at least 50ms: ~p~n", [Elapsed >= 50]),
    io:format("infinity with message ~p~n", [begin self() ! inf, receive inf -> ok after infinity -> never end end]),
    Timeout = lists:max([0, 3]),
    io:format("variable timeout ~p~n", [receive never_sent -> x after Timeout -> var_timeout end]),
    io:format("bad timeout ~p~n", [try receive after make_neg() -> ok end catch error:R -> R end]),
    %% timeouts interleaved with messages from several senders
    [spawn(fun() -> timer:sleep(D), Self ! {tick, D} end) || D <- [100, 20, 60]],
    io:format("ticks ~p~n", [collect(3)]),
    ok.

make_neg() -> -1.

collect(0) -> [];
collect(N) -> receive {tick, D} -> [D | collect(N - 1)] after 2000 -> [timeout] end.
