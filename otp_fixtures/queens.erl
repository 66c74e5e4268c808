-module(queens).
-export([main/0]).

queens(N) -> queens(N, N, [[]]).
queens(_, 0, Acc) -> Acc;
queens(N, K, Acc) ->
    queens(N, K - 1, [[Q | Qs] || Qs <- Acc, Q <- lists:seq(1, N), safe(Q, Qs, 1)]).

safe(_, [], _) -> true;
safe(Q, [Q1 | Qs], D) -> Q =/= Q1 andalso abs(Q - Q1) =/= D andalso safe(Q, Qs, D + 1).

show(Sol) ->
    N = length(Sol),
    [io:format("~s~n", [[if C =:= Q -> $Q; true -> $. end || C <- lists:seq(1, N)]]) || Q <- Sol].

main() ->
    [io:format("~w-queens: ~w solutions~n", [N, length(queens(N))]) || N <- lists:seq(1, 8)],
    [First | _] = lists:sort(queens(8)),
    io:format("first 8-queens solution ~w~n", [First]),
    show(First),
    io:format("sudoku-ish permutations of 5: ~w~n", [length(perms(lists:seq(1, 5)))]),
    io:format("subsets of 4: ~w~n", [subsets([a, b, c, d])]),
    io:format("change(100, [50,25,10,5,1]) = ~w~n", [change(100, [50, 25, 10, 5, 1])]),
    ok.

perms([]) -> [[]];
perms(L) -> [[H | T] || H <- L, T <- perms(L -- [H])].

subsets([]) -> [[]];
subsets([H | T]) -> S = subsets(T), S ++ [[H | X] || X <- S].

change(0, _) -> 1;
change(_, []) -> 0;
change(A, _) when A < 0 -> 0;
change(A, [C | Cs] = All) -> change(A - C, All) + change(A, Cs).
