%% Selective receive on a fresh reference (the compiler's receive
%% markers): old messages are skipped but kept, in order; nested and
%% abandoned markers; the markers never show in process_info.
-module(receive_markers).
-export([main/0]).

main() ->
    Self = self(),
    [Self ! {old, I} || I <- lists:seq(1, 5)],
    Echo = spawn(fun echo/0),
    R1 = call(Echo, one),
    io:format("call ~p~n", [R1]),
    io:format("queue ~p~n", [process_info(self(), [message_queue_len, messages])]),
    %% Two outstanding requests, answered in reverse order.
    A = make_ref(),
    B = make_ref(),
    Echo ! {delay, Self, A, first},
    Echo ! {Self, B, second},
    RB = receive {B, X} -> X end,
    RA = receive {A, Y} -> Y end,
    io:format("nested ~p ~p~n", [RB, RA]),
    %% A receive on a reference left by an exception.
    Caught = (catch abandon(Echo)),
    io:format("abandoned ~p~n", [Caught]),
    [call(Echo, I) || I <- lists:seq(1, 10)],
    io:format("after many calls ~p~n", [process_info(self(), message_queue_len)]),
    io:format("flush ~p~n", [flush([])]),
    Late = make_ref(),
    Echo ! {Self, Late, late},
    io:format("timeout ~p~n", [receive {Late, never} -> no after 50 -> timeout end]),
    io:format("still there ~p~n", [receive {Late, V} -> V after 1000 -> missing end]),
    ok.

call(Pid, Msg) ->
    Ref = make_ref(),
    Pid ! {self(), Ref, Msg},
    receive {Ref, Reply} -> Reply end.

abandon(Echo) ->
    Ref = make_ref(),
    Echo ! {self(), Ref, boom},
    receive {Ref, R} -> throw({got, R}) end.

echo() ->
    receive
        {From, Ref, Msg} -> From ! {Ref, Msg}, echo();
        {delay, From, Ref, Msg} -> receive after 20 -> From ! {Ref, Msg} end, echo()
    end.

flush(Acc) ->
    receive M -> flush([M | Acc]) after 0 -> lists:reverse(Acc) end.
