%% tuple_loop: element/2, setelement/3, tuple construction and matching,
%% and records (creation, field access, field update, record matching).
%% Measures tuple allocation and copying, element access and guards.
-module(tuple_loop).
-export([main/0]).

-record(pt, {x = 0, y = 0, z = 0, tag = none, hits = 0}).

-define(WARMUP, 10000).
-define(REPS, 3500000).

main() ->
    _ = run(?WARMUP),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?REPS),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, tuple_loop, T1 - T0, R}).

run(N) ->
    T = erlang:make_tuple(10, 0),
    P = #pt{tag = start},
    loop(N, T, P, {0, 0}).

loop(0, T, P, {A, B}) ->
    S = lists:sum(tuple_to_list(T)),
    #pt{x = X, y = Y, z = Z, hits = H} = P,
    (S + X + Y + Z + H + A + B) rem 1000000007;
loop(N, T, P, Pair) ->
    I = N rem 10 + 1,
    E = element(I, T),
    T1 = setelement(I, T, (E + N) band 16#ffff),
    P1 = step(N, P),
    Pair1 = swap(Pair, element(1 + N rem 3, {P1#pt.x, P1#pt.y, P1#pt.z})),
    loop(N - 1, T1, P1, Pair1).

step(N, #pt{tag = start} = P) ->
    P#pt{tag = moving, x = N band 255};
step(N, #pt{tag = moving, x = X, y = Y, hits = H} = P) when X > Y ->
    P#pt{y = Y + 3, z = (X * N) band 1023, hits = H + 1};
step(N, #pt{tag = moving, x = X, hits = H} = P) ->
    P#pt{x = X + (N band 7) + 1, y = 0, hits = (H + 1) band 16#ffff};
step(_, P) ->
    P.

swap({A, B}, V) -> {B, (A + V) band 16#fffff}.
