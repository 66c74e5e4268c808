%% A receive that waits while unmatched messages are queued, or keep arriving,
%% still times out on time (a receive timer used to start only on an empty
%% inbox: `receive after T` with a queued message spun forever).
-module(receive_waits).
-export([main/0]).
main() ->
    Self = self(),
    Self ! early,
    T0 = erlang:monotonic_time(millisecond),
    receive after 30 -> ok end,
    io:format("sleep with a queued message returns: ~p~n", [erlang:monotonic_time(millisecond) - T0 >= 30]),
    P = spawn(fun() -> [begin Self ! noise, receive after 2 -> ok end end || _ <- lists:seq(1, 100)] end),
    R = receive never -> never after 50 -> timeout end,
    exit(P, kill),
    io:format("a stream of unmatched messages does not postpone the timeout: ~p~n", [R]),
    io:format("early still queued: ~p~n", [receive early -> yes after 0 -> no end]).
