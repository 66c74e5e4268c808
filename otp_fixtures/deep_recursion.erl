-module(deep_recursion).
-export([main/0]).

%% Body (non-tail) recursion that needs a deep stack.
len([]) -> 0;
len([_ | T]) -> 1 + len(T).

sum_to(0) -> 0;
sum_to(N) -> N + sum_to(N - 1).

build(0) -> [];
build(N) -> [N | build(N - 1)].

ack(0, N) -> N + 1;
ack(M, 0) -> ack(M - 1, 1);
ack(M, N) -> ack(M - 1, ack(M, N - 1)).

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

hanoi(0, _, _, _) -> 0;
hanoi(N, A, B, C) -> hanoi(N - 1, A, C, B) + 1 + hanoi(N - 1, C, B, A).

tree(0) -> leaf;
tree(D) -> {node, tree(D - 1), tree(D - 1)}.
count(leaf) -> 1;
count({node, L, R}) -> count(L) + count(R) + 1.

main() ->
    io:format("len 500000 = ~w~n", [len(lists:seq(1, 500000))]),
    io:format("sum_to 1000000 = ~w~n", [sum_to(1000000)]),
    B = build(300000),
    io:format("build 300000 = ~w ~w~n", [hd(B), lists:last(B)]),
    io:format("ack(2,3) = ~w ack(3,5) = ~w~n", [ack(2, 3), ack(3, 5)]),
    io:format("fib(24) = ~w~n", [fib(24)]),
    io:format("hanoi(16) = ~w~n", [hanoi(16, a, b, c)]),
    io:format("tree(16) nodes = ~w~n", [count(tree(16))]),
    io:format("deep list flatten = ~w~n", [length(lists:flatten(nest(10000)))]),
    io:format("lists:map on 300000 = ~w~n", [lists:sum(lists:map(fun(X) -> X rem 7 end, lists:seq(1, 300000)))]),
    ok.

nest(0) -> [];
nest(N) -> [N, nest(N - 1)].
