-module(bs_context_reuse).
-export([main/0]).

%% erlc keeps matching a match context after taking its tail
%% (bs_get_tail), across calls; the tail must not move the position.
%% (cbeam once moved it, which broke string:trim/2 on binaries.)

split_at(Bin0, Start, Skip) ->
    <<_:Start/binary, Bin/binary>> = Bin0,
    Width = byte_size(list_to_binary(integer_to_list(Skip))),
    <<_:Width/binary, Rest/binary>> = Bin,
    {Bin, Rest}.

main() ->
    io:format("~p~n", [split_at(<<"x  ">>, 0, 7)]),
    io:format("~p~n", [split_at(<<"abcdef">>, 2, 42)]),
    io:format("~p~n", [[string:trim(B) || B <- [<<"x  ">>, <<"  x">>, <<" a b ">>]]]),
    io:format("~p~n", [string:trim(<<"..xx..">>, both, ".")]).
