-module(compare_values).
-export([main/0]).

%% Comparison operators used as values (not as guards) over every pair of
%% a mixed set of terms: numbers (int/float, equal and not), atoms, tuples,
%% lists, binaries, maps.

values() ->
    [0, 1, 1.0, -1, 2.5, 1 bsl 70, -(1 bsl 70), float(1 bsl 70), a, b, {}, {1}, {1.0}, [], [1], [1.0],
     <<>>, <<1>>, #{}, #{a => 1}, #{a => 1.0}, "ab", 'ab'].

main() ->
    Vs = values(),
    Row = fun(A) -> [{A =:= B, A =/= B, A == B, A /= B, A < B, A > B, A =< B, A >= B} || B <- Vs] end,
    Table = [Row(A) || A <- Vs],
    Bits = [case T of {E, NE, Q, NQ, L, G, LE, GE} ->
                 [bit(E), bit(NE), bit(Q), bit(NQ), bit(L), bit(G), bit(LE), bit(GE)] end
            || R <- Table, T <- R],
    lists:foreach(fun(Line) -> io:format("~s~n", [Line]) end, chunks(lists:append(Bits), 64)).

bit(true) -> $1;
bit(false) -> $0.

chunks([], _) -> [];
chunks(L, N) when length(L) =< N -> [L];
chunks(L, N) -> {H, T} = lists:split(N, L), [H | chunks(T, N)].
