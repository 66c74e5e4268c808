%% erlang:halt/1 writes out everything queued for standard output before
%% the VM exits, with the status given.
-module(halt_flush).
-export([main/0]).

main() ->
    [io:format("line ~p ~s~n", [N, lists:duplicate(60, $x)]) || N <- lists:seq(1, 3000)],
    io:put_chars(<<"last line without a newline">>),
    erlang:halt(3).
