-module(ets_random).
-export([main/0]).

%% A differential test: 1000 random operations (fixed seeds) on every table
%% type with keys of several kinds (1 and 1.0 among them); the results are
%% hashed per run (hash-table results sorted first) and the final contents
%% printed, so any difference from OTP in the semantics of insert,
%% delete, update_counter, select, match, take, chunks... shows up.
norm(T, L) when is_list(L) -> case ets:info(T, type) of ordered_set -> L; _ -> total_sort(L) end;
norm(_, X) -> X.
%% 5 and 5.0 compare equal: break ties by the external format, so that
%% the hash tables' own order does not show.
total_sort(L) -> [X || {X, _} <- lists:sort([{X, term_to_binary(X)} || X <- L])].
e(F) -> try F() catch C:R -> {C, R} end.
key(N) -> case N rem 5 of 0 -> N; 1 -> float(N - 1); 2 -> {k, N}; 3 -> [N]; 4 -> <<N>> end.
op(T, S) ->
    {X, S1} = rand:uniform_s(30, S),
    {Y, S2} = rand:uniform_s(40, S1),
    {Z, S3} = rand:uniform_s(5, S2),
    K = key(Y),
    R = case X of
        1 -> ets:insert(T, {K, Z});
        2 -> ets:insert(T, [{K, Z}, {key(Y + 1), Z}, {K, Z + 1}]);
        3 -> ets:insert_new(T, {K, Z});
        4 -> ets:lookup(T, K);
        5 -> ets:delete(T, K);
        6 -> ets:delete_object(T, {K, Z});
        7 -> e(fun() -> ets:update_counter(T, K, {2, Z, 4, 0}, {K, 0}) end);
        8 -> ets:member(T, K);
        9 -> ets:take(T, K);
        10 -> e(fun() -> ets:lookup_element(T, K, 2) end);
        11 -> ets:select_count(T, [{{'_', '$1'}, [{'>', '$1', Z}], [true]}]);
        12 -> ets:select_delete(T, [{{'$1', Z}, [{is_integer, '$1'}], [true]}]);
        13 -> ets:select(T, [{{'$1', '$2'}, [{'==', '$2', Z}], [{{'$2', '$1'}}]}]);
        14 -> ets:match(T, {'$1', Z});
        15 -> ets:match_object(T, {'_', Z});
        16 -> ets:info(T, size);
        17 -> e(fun() -> ets:update_element(T, K, {2, Z}) end);
        18 -> e(fun() -> ets:select_replace(T, [{{'$1', '$2'}, [{'<', '$2', Z}], [{{'$1', {'+', '$2', 1}}}]}]) end);
        19 -> lists:sum([1 || _ <- ets:tab2list(T)]);
        20 -> chunks(ets:select(T, [{{'$1', '_'}, [], ['$1']}], Z));
        21 -> case ets:info(T, type) of ordered_set -> {ets:next(T, K), ets:prev(T, K), ets:first(T), ets:last(T)}; _ -> ok end;
        22 -> ets:foldl(fun({_, V}, A) -> V + A end, 0, T);
        23 -> case ets:info(T, type) of ordered_set -> ets:select_reverse(T, [{{'$1', '_'}, [], ['$1']}]); _ -> ok end;
        24 -> ets:lookup(T, Y);
        _ -> ets:insert(T, {K, Z})
    end,
    {X, norm(T, R), S3}.
chunks('$end_of_table') -> [];
chunks({L, C}) -> L ++ chunks(ets:select(C)).
run(_, 0, _, Acc) -> erlang:phash2(Acc);
run(T, N, S, Acc) ->
    {X, R, S1} = op(T, S),
    R2 = if X =:= 20 -> norm(T, R); true -> R end,
    run(T, N - 1, S1, [{X, R2} | Acc]).
main() ->
    [begin
         T = ets:new(t, [Type]),
         H = run(T, 1000, rand:seed_s(exsss, {Seed, 2, 3}), []),
         Final = total_sort(ets:tab2list(T)),
         io:format("~p ~p ~p size ~p contents ~p~n", [Type, Seed, H, length(Final), erlang:phash2(Final)])
     end || Type <- [set, ordered_set, bag, duplicate_bag], Seed <- [1, 2, 3]],
    ok.
