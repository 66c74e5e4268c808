-module(ets_ordered).
-export([main/0]).

walk(_, '$end_of_table') -> [];
walk(T, K) -> [K | walk(T, ets:next(T, K))].

rwalk(_, '$end_of_table') -> [];
rwalk(T, K) -> [K | rwalk(T, ets:prev(T, K))].

main() ->
    T = ets:new(ord, [ordered_set]),
    ets:insert(T, [{N, integer_to_list(N)} || N <- [50, 10, 40, 20, 30, 5, 45]]),
    ets:insert(T, [{a, atom}, {"str", string}, {{t}, tuple}, {2.5, float}]),
    io:format("tab2list ~p~n", [ets:tab2list(T)]),
    io:format("first ~p last ~p~n", [ets:first(T), ets:last(T)]),
    io:format("walk ~p~n", [walk(T, ets:first(T))]),
    io:format("rwalk ~p~n", [rwalk(T, ets:last(T))]),
    io:format("next of missing key ~p prev ~p~n", [ets:next(T, 25), ets:prev(T, 25)]),
    io:format("1 and 1.0 same key ~p~n", [begin ets:insert(T, {10.0, float_ten}), ets:lookup(T, 10) end]),
    io:format("select ~p~n", [ets:select(T, [{{'$1', '$2'}, [{is_integer, '$1'}, {'>', '$1', 20}], ['$1']}])]),
    io:format("select tuple result ~p~n", [ets:select(T, [{{'$1', '$2'}, [{'<', '$1', 20}], [{{'$2', '$1'}}]}])]),
    io:format("select_count ~p~n", [ets:select_count(T, [{{'$1', '_'}, [{is_number, '$1'}], [true]}])]),
    io:format("match ~p~n", [ets:match(T, {'$1', atom})]),
    io:format("match_object ~p~n", [ets:match_object(T, {'_', string})]),
    io:format("fun2ms-style select ~p~n", [ets:select(T, [{{'$1', '$2'}, [{'==', {'rem', '$1', 20}, 0}], ['$_']}])]),
    {Sel1, Cont} = ets:select(T, [{{'$1', '_'}, [{is_integer, '$1'}], ['$1']}], 3),
    {Sel2, _} = ets:select(Cont),
    io:format("select with limit ~w ~w~n", [Sel1, Sel2]),
    io:format("select_delete ~p ~p~n", [ets:select_delete(T, [{{'$1', '_'}, [{is_integer, '$1'}, {'<', '$1', 15}], [true]}]),
                                        [K || {K, _} <- ets:tab2list(T), is_number(K)]]),
    io:format("foldr ~p~n", [ets:foldr(fun({K, _}, A) -> [K | A] end, [], T)]),
    io:format("slot-free iteration sum ~p~n", [lists:sum([K || {K, _} <- ets:tab2list(T), is_integer(K)])]),
    S = ets:new(scores, [ordered_set]),
    ets:insert(S, [{{Score, Name}, Name} || {Name, Score} <- [{ann, 90}, {bob, 75}, {cy, 90}, {di, 60}]]),
    io:format("leaderboard ~p~n", [lists:reverse([N || {_, N} <- ets:tab2list(S)])]),
    io:format("ms with map ~p~n", [ets:select(S, [{{{'$1', '$2'}, '_'}, [{'>=', '$1', 75}], [#{score => '$1', name => '$2'}]}])]),
    ok.
