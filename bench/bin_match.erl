%% bin_match: matches a 10 MB binary byte by byte (<<X, Rest/binary>>),
%% summing the bytes. Measures match contexts and bs_get_integer on bytes.
-module(bin_match).
-export([main/0]).

-define(SIZE, 10 * 1024 * 1024).

main() ->
    Block = list_to_binary([I rem 251 || I <- lists:seq(1, 4096)]),
    Bin = binary:copy(Block, ?SIZE div 4096),
    _ = sum(binary:part(Bin, 0, 10000), 0),
    T0 = erlang:monotonic_time(microsecond),
    S = sum(Bin, 0),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, bin_match, T1 - T0, S}).

sum(<<X, Rest/binary>>, Acc) -> sum(Rest, Acc + X);
sum(<<>>, Acc) -> Acc.
