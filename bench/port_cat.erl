%% port_cat: 64 MB through `cat` and back in 64 KB binary commands, at
%% most 16 commands ahead of what came back. Measures a spawn port's
%% throughput both ways: port_command, the driver's writes, reads and
%% {data, Bin} messages.
-module(port_cat).
-export([main/0]).

-define(CHUNK, 65536).
-define(CHUNKS, 1024).
-define(AHEAD, 16).

main() ->
    _ = run(16),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?CHUNKS),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, port_cat, T1 - T0, R}).

run(Chunks) ->
    P = open_port({spawn, "cat"}, [binary, stream]),
    Bin = binary:copy(<<"0123456789abcdef">>, ?CHUNK div 16),
    Total = Chunks * ?CHUNK,
    loop(P, Bin, Chunks, 0, 0, Total).

%% Sent: chunks sent; Got: bytes received.
loop(P, _Bin, 0, _Sent, Got, Total) when Got >= Total ->
    port_close(P),
    Got;
loop(P, Bin, Left, Sent, Got, Total) when Left > 0, Sent * ?CHUNK - Got < ?AHEAD * ?CHUNK ->
    port_command(P, Bin),
    loop(P, Bin, Left - 1, Sent + 1, Got, Total);
loop(P, Bin, Left, Sent, Got, Total) ->
    receive {P, {data, D}} -> loop(P, Bin, Left, Sent, Got + byte_size(D), Total) end.
