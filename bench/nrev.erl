%% nrev: naive reverse of a 30-element list, many times. Measures list
%% cell allocation (cons), list traversal, body recursion and the garbage
%% collector on short-lived data.
-module(nrev).
-export([main/0]).

-define(WARMUP, 1000).
-define(REPS, 60000).

main() ->
    L = lists:seq(1, 30),
    _ = run(?WARMUP, L),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?REPS, L),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, nrev, T1 - T0, R}).

run(K, L) -> run(K, L, 0).

run(0, _, Acc) -> Acc;
run(K, L, Acc) ->
    [H | _] = R = nrev(L),
    %% Feed the result back in every other round so the input differs.
    L2 = case K rem 2 of 0 -> R; 1 -> L end,
    run(K - 1, L2, (Acc + H * K) rem 1000000007).

nrev([]) -> [];
nrev([H | T]) -> app(nrev(T), [H]).

app([], L) -> L;
app([H | T], L) -> [H | app(T, L)].
