-module(sort_algorithms).
-export([main/0]).

msort([]) -> [];
msort([X]) -> [X];
msort(L) ->
    {A, B} = lists:split(length(L) div 2, L),
    merge(msort(A), msort(B)).
merge([], B) -> B;
merge(A, []) -> A;
merge([X | A], [Y | _] = B) when X =< Y -> [X | merge(A, B)];
merge(A, [Y | B]) -> [Y | merge(A, B)].

isort(L) -> lists:foldl(fun insert/2, [], L).
insert(X, []) -> [X];
insert(X, [Y | T]) when X =< Y -> [X, Y | T];
insert(X, [Y | T]) -> [Y | insert(X, T)].

%% heap sort on a tuple-based array via the array module
hsort(L) ->
    A0 = array:from_list(L),
    N = array:size(A0),
    A1 = lists:foldl(fun(I, A) -> sift(A, I, N) end, A0, lists:seq(N div 2 - 1, 0, -1)),
    extract(A1, N - 1, []).
extract(_, -1, Acc) -> Acc;
extract(A, End, Acc) ->
    Top = array:get(0, A),
    A2 = sift(array:set(0, array:get(End, A), A), 0, End),
    extract(A2, End - 1, [Top | Acc]).
sift(A, I, N) ->
    L = 2 * I + 1, R = L + 1,
    Largest0 = if L < N -> case array:get(L, A) > array:get(I, A) of true -> L; false -> I end; true -> I end,
    Largest = if R < N -> case array:get(R, A) > array:get(Largest0, A) of true -> R; false -> Largest0 end; true -> Largest0 end,
    case Largest of
        I -> A;
        _ ->
            Vi = array:get(I, A), Vl = array:get(Largest, A),
            sift(array:set(Largest, Vi, array:set(I, Vl, A)), Largest, N)
    end.

rand_list(0, _) -> [];
rand_list(N, S) -> S1 = (S * 1103515245 + 12345) rem 2147483648, [S1 rem 1000 | rand_list(N - 1, S1)].

main() ->
    L = rand_list(2000, 7),
    io:format("first 15 ~w~n", [lists:sublist(L, 15)]),
    Ref = lists:sort(L),
    io:format("msort ok ~w~n", [msort(L) =:= Ref]),
    io:format("isort ok ~w~n", [isort(lists:sublist(L, 300)) =:= lists:sort(lists:sublist(L, 300))]),
    io:format("hsort ok ~w~n", [hsort(L) =:= Ref]),
    io:format("sorted head ~w tail ~w~n", [lists:sublist(Ref, 10), lists:nthtail(1990, Ref)]),
    io:format("usort count ~w~n", [length(lists:usort(L))]),
    io:format("median ~w~n", [lists:nth(1000, Ref)]),
    io:format("array ~w~n", [array:to_list(array:map(fun(I, V) -> I * V end, array:from_list([1, 2, 3, 4])))]),
    io:format("array sparse ~w ~w~n", [array:get(100, array:set(100, x, array:new())), array:sparse_to_orddict(array:set(5, y, array:new()))]),
    io:format("sort strings ~p~n", [lists:sort(["pear", "apple", "fig", "banana", "Apple"])]),
    io:format("sort tuples desc ~w~n", [lists:reverse(lists:keysort(2, [{a, 3}, {b, 1}, {c, 2}]))]),
    ok.
