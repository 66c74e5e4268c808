%% map_loop: maps:put/get/update/find/is_key and the map syntax
%% (#{K => V}, M#{K := V}, matching) on a small map (under 32 keys: the flat
%% representation) and on large maps (thousands of keys: the hashed
%% representation), plus maps:fold. Measures map lookup, insertion, update
%% and the allocation of new map versions.
-module(map_loop).
-export([main/0]).

-define(WARMUP, 1).
-define(REPS, 15).
-define(SMALL_ITERS, 40000).
-define(LARGE_KEYS, 5000).

main() ->
    _ = run(?WARMUP),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?REPS),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, map_loop, T1 - T0, R}).

run(K) -> run(K, 0).

run(0, Acc) -> Acc;
run(K, Acc) ->
    A = small(?SMALL_ITERS, K),
    B = large(?LARGE_KEYS, K),
    run(K - 1, (Acc + A + B) rem 1000000007).

%% --- small map: fixed atom keys plus a few integer keys (20 keys) ---

small(N, Seed) ->
    M0 = #{a => 0, b => 1, c => 2, d => 3, e => 4, f => 5, g => 6, h => 7,
           i => 8, j => 9, k => 10, l => 11, m => 12, n => 13, o => 14,
           p => 15},
    M = lists:foldl(fun(I, Acc) -> maps:put(I, I * Seed, Acc) end,
                    M0, [1, 2, 3, 4]),
    small_loop(N, M, 0).

small_loop(0, M, Acc) ->
    maps:fold(fun(_, V, S) -> (S + V) rem 1000000007 end, Acc, M);
small_loop(N, M, Acc) ->
    #{a := A, h := H, p := P} = M,
    M1 = M#{a := A + 1, h := (H + N) rem 1000, p := P bxor N},
    K = N rem 4 + 1,
    V = maps:get(K, M1),
    M2 = maps:update(K, (V + A) rem 65536, M1),
    M3 = case maps:find(z, M2) of
             {ok, _} -> M2;
             error -> maps:remove(zz, M2)
         end,
    true = maps:is_key(o, M3),
    small_loop(N - 1, M3, (Acc + V) rem 1000000007).

%% --- large map: integer keys, built with maps:put, read and updated ---

large(N, Seed) ->
    M = build(N, Seed, #{}),
    M2 = update_all(N, M),
    S1 = lookup_all(N, M2, 0),
    S2 = maps:fold(fun(K, V, S) -> (S + K * V) rem 1000000007 end, 0, M2),
    (S1 + S2 + map_size(M2)) rem 1000000007.

build(0, _, M) -> M;
build(I, Seed, M) ->
    Key = (I * 2654435761 + Seed) band 16#fffff,
    build(I - 1, Seed, maps:put(Key, I, M)).

update_all(0, M) -> M;
update_all(I, M) ->
    %% Keys present or not: the LCG collides sometimes, so use get/3.
    Key = (I * 2654435761 + 1) band 16#fffff,
    case M of
        #{Key := V} -> update_all(I - 1, M#{Key := V * 3});
        _ -> update_all(I - 1, M#{Key => I})
    end.

lookup_all(0, _, Acc) -> Acc;
lookup_all(I, M, Acc) ->
    Key = (I * 2654435761 + 2) band 16#fffff,
    V = maps:get(Key, M, 0) + maps:get(I, M, 1),
    lookup_all(I - 1, M, (Acc + V) rem 1000000007).
