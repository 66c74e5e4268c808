%% qsort: list quicksort (partition with accumulators, then ++) of
%% pseudo-random integers from a seeded linear congruential generator.
%% Measures list building, integer comparison, pattern matching and GC.
-module(qsort).
-export([main/0]).

-define(WARMUP, 1).
-define(REPS, 20).
-define(LEN, 20000).

main() ->
    _ = run(?WARMUP),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?REPS),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, qsort, T1 - T0, R}).

run(K) -> run(K, 0).

run(0, Acc) -> Acc;
run(K, Acc) ->
    L = lcg_list(?LEN, K * 7919 + 1, []),
    S = qsort(L),
    run(K - 1, (Acc + check(S, 1, 0)) rem 1000000007).

%% 31-bit LCG (the constants of the classic ANSI C rand()).
lcg_list(0, _, Acc) -> Acc;
lcg_list(N, Seed, Acc) ->
    S = (Seed * 1103515245 + 12345) band 16#7fffffff,
    lcg_list(N - 1, S, [S bsr 8 | Acc]).

qsort([]) -> [];
qsort([P | T]) ->
    {Lo, Hi} = part(P, T, [], []),
    qsort(Lo) ++ [P | qsort(Hi)].

part(_, [], Lo, Hi) -> {Lo, Hi};
part(P, [X | T], Lo, Hi) when X < P -> part(P, T, [X | Lo], Hi);
part(P, [X | T], Lo, Hi) -> part(P, T, Lo, [X | Hi]).

%% Position-weighted sum, so that the order matters (and is checked).
check([], _, Acc) -> Acc;
check([X | T], I, Acc) -> check(T, I + 1, (Acc + X * I) rem 1000000007).
