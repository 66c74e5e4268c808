%% selective_receive: request/reply with a fresh reference while 100,000
%% unrelated messages wait in the mailbox. With OTP 24+'s receive markers
%% each receive skips the old messages in O(1); without them every receive
%% scans the whole mailbox.
-module(selective_receive).
-export([main/0]).

-define(BACKLOG, 100000).
-define(CALLS, 20000).

main() ->
    Server = spawn(fun server/0),
    [self() ! {junk, I} || I <- lists:seq(1, ?BACKLOG)],
    _ = calls(Server, 100, 0),
    T0 = erlang:monotonic_time(microsecond),
    Sum = calls(Server, ?CALLS, 0),
    T1 = erlang:monotonic_time(microsecond),
    {message_queue_len, Left} = process_info(self(), message_queue_len),
    erlang:display({bench, selective_receive, T1 - T0, Sum + Left}).

calls(_, 0, Acc) -> Acc;
calls(Server, N, Acc) ->
    Ref = make_ref(),
    Server ! {self(), Ref, N},
    receive {Ref, V} -> calls(Server, N - 1, Acc + V) end.

server() ->
    receive {From, Ref, N} -> From ! {Ref, N * 2}, server() end.
