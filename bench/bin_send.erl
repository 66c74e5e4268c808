%% bin_send: sends a 1 MB binary between two processes 10 000 times (5 000
%% round trips to an echo process). Off-heap binaries travel by
%% reference, so this measures message passing, not copying.
-module(bin_send).
-export([main/0]).

-define(SENDS, 10000).

main() ->
    Bin = binary:copy(<<"0123456789abcdef">>, 65536),
    Echo = spawn(fun echo/0),
    _ = ping(Echo, Bin, 10, 0),
    T0 = erlang:monotonic_time(microsecond),
    S = ping(Echo, Bin, ?SENDS div 2, 0),
    T1 = erlang:monotonic_time(microsecond),
    Echo ! stop,
    erlang:display({bench, bin_send, T1 - T0, S}).

ping(_Echo, _Bin, 0, Acc) -> Acc;
ping(Echo, Bin, N, Acc) ->
    Echo ! {self(), Bin},
    receive {Echo, B} -> ping(Echo, Bin, N - 1, Acc + byte_size(B)) end.

echo() ->
    receive
        {From, B} -> From ! {self(), B}, echo();
        stop -> ok
    end.
