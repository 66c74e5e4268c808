-module(list_comprehensions).
-export([main/0]).

qsort([]) -> [];
qsort([P | T]) -> qsort([X || X <- T, X < P]) ++ [P] ++ qsort([X || X <- T, X >= P]).

perms([]) -> [[]];
perms(L) -> [[H | T] || H <- L, T <- perms(L -- [H])].

main() ->
    io:format("squares ~w~n", [[X * X || X <- lists:seq(1, 10)]]),
    io:format("evens ~w~n", [[X || X <- lists:seq(1, 20), X rem 2 =:= 0]]),
    io:format("pairs ~w~n", [[{X, Y} || X <- [1, 2, 3], Y <- [a, b]]]),
    io:format("dependent ~w~n", [[{X, Y} || X <- lists:seq(1, 4), Y <- lists:seq(X, 4)]]),
    io:format("pythag ~w~n", [[{A, B, C} || C <- lists:seq(1, 30), B <- lists:seq(1, C), A <- lists:seq(1, B),
                                           A * A + B * B =:= C * C]]),
    io:format("pattern filter ~w~n", [[V || {ok, V} <- [{ok, 1}, error, {ok, 2}, {error, x}, {ok, 3}]]]),
    io:format("multiple filters ~w~n", [[X || X <- lists:seq(1, 50), X rem 3 =:= 0, X rem 5 =:= 0]]),
    io:format("qsort ~w~n", [qsort([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5])]),
    io:format("perms ~p~n", [perms([a, b, c])]),
    io:format("nested ~w~n", [[[Y || Y <- lists:seq(1, X)] || X <- lists:seq(1, 4)]]),
    io:format("strings ~p~n", [[[C - 32] || C <- "hello", C =/= $l]]),
    io:format("from binary gen ~w~n", [[B || <<B>> <= <<1, 2, 3>>]]),
    io:format("empty ~w~n", [[X || X <- [], X > 0]]),
    io:format("guard bif filter ~w~n", [[X || X <- [1, a, "s", 2.0, {t}], is_number(X)]]),
    io:format("sieve ~w~n", [sieve(lists:seq(2, 60))]),
    io:format("cartesian count ~w~n", [length([ok || _ <- lists:seq(1, 30), _ <- lists:seq(1, 30)])]),
    io:format("matrix transpose ~w~n", [transpose([[1, 2, 3], [4, 5, 6]])]),
    ok.

sieve([]) -> [];
sieve([P | T]) -> [P | sieve([X || X <- T, X rem P =/= 0])].

transpose([[] | _]) -> [];
transpose(M) -> [[H || [H | _] <- M] | transpose([T || [_ | T] <- M])].
