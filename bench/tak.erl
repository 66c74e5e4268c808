%% tak: the Takeuchi function. Measures deeply nested non-tail calls with
%% three arguments, integer comparison and decrement.
-module(tak).
-export([main/0]).

-define(WARMUP, 1).
-define(REPS, 500).

main() ->
    _ = run(?WARMUP),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?REPS),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, tak, T1 - T0, R}).

run(K) -> run(K, 0).

run(0, Acc) -> Acc;
%% Vary the arguments a little with K so that no call can be hoisted.
run(K, Acc) -> run(K - 1, Acc + tak(18 + (K rem 2), 12, 6)).

tak(X, Y, Z) when Y < X ->
    tak(tak(X - 1, Y, Z), tak(Y - 1, Z, X), tak(Z - 1, X, Y));
tak(_, _, Z) ->
    Z.
