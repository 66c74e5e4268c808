%% hof: higher-order list functions with funs: lists:seq/2, lists:map/2,
%% lists:filter/2, lists:foldl/3, lists:foldr/3, list comprehensions and
%% closures capturing variables. Measures fun creation and call_fun,
%% remote calls into lists, and list allocation.
-module(hof).
-export([main/0]).

-define(WARMUP, 10).
-define(REPS, 3000).
-define(LEN, 1000).

main() ->
    _ = run(?WARMUP),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?REPS),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, hof, T1 - T0, R}).

run(N) -> run(N, 0).

run(0, Acc) -> Acc;
run(N, Acc) ->
    L = lists:seq(1, ?LEN),
    Add = fun(X) -> X + N end,
    M = lists:map(Add, L),
    F = lists:filter(fun(X) -> X rem 3 =/= 0 end, M),
    S1 = lists:foldl(fun(X, A) -> (A * 31 + X) band 16#ffffff end, 0, F),
    S2 = lists:foldr(fun(X, A) -> A + X * 2 end, 0, F),
    C = [X * Y || X <- lists:sublist(F, 20), Y <- [1, 2, 3], (X + Y) rem 2 =:= 0],
    Compose = compose(fun(X) -> X * 2 end, Add),
    S3 = lists:sum(lists:map(Compose, C)),
    true = lists:all(fun(X) -> X > 0 end, F),
    run(N - 1, (Acc + S1 + S2 + S3) rem 1000000007).

compose(F, G) -> fun(X) -> F(G(X)) end.
