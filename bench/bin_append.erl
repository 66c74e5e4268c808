%% bin_append: builds a binary by appending one byte at a time, 1 000 000
%% times (<<B/binary, X>> in a loop). Measures the append optimisation:
%% a writable binary that grows in place, so the loop is linear.
-module(bin_append).
-export([main/0]).

-define(WARMUP, 1000).
-define(N, 1000000).

main() ->
    _ = build(?WARMUP),
    T0 = erlang:monotonic_time(microsecond),
    B = build(?N),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, bin_append, T1 - T0, byte_size(B) + erlang:crc32(B)}).

build(N) -> build(N, <<>>).

build(0, B) -> B;
build(N, B) -> build(N - 1, <<B/binary, (N band 255)>>).
