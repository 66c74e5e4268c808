-module(proc_dict).
-export([main/0]).

memo_fib(N) when N < 2 -> N;
memo_fib(N) ->
    case get({fib, N}) of
        undefined ->
            V = memo_fib(N - 1) + memo_fib(N - 2),
            put({fib, N}, V),
            V;
        V -> V
    end.

main() ->
    io:format("initial get(x) ~p~n", [get(x)]),
    io:format("put returns old ~p ~p~n", [put(x, 1), put(x, 2)]),
    io:format("get ~p~n", [get(x)]),
    put(y, [a, b]),
    put({complex, key}, #{v => 1}),
    put("string key", 3.5),
    Mine = [{K, V} || {K, V} <- get(), lists:member(K, [x, y, {complex, key}, "string key"])],
    io:format("get() (sorted, filtered) ~p~n", [lists:sort(Mine)]),
    io:format("get_keys(2) ~p~n", [get_keys(2)]),
    put(z, 2),
    io:format("get_keys(2) ~p~n", [lists:sort(get_keys(2))]),
    io:format("erase ~p then ~p~n", [erase(x), get(x)]),
    io:format("erase missing ~p~n", [erase(never_set)]),
    io:format("memo fib(90) ~p~n", [memo_fib(90)]),
    io:format("memo entries ~p~n", [length([K || {{fib, _} = K, _} <- get()])]),
    Counter = fun(Key) -> put(Key, case get(Key) of undefined -> 1; N -> N + 1 end) end,
    [Counter(W) || W <- [apple, pear, apple, fig, apple, pear]],
    io:format("counts ~p~n", [[{W, get(W)} || W <- [apple, pear, fig]]]),
    Old = erase(),
    io:format("erase() returned ~p entries (own)~n", [length([K || {K, _} <- Old, K =/= '$ancestors', K =/= '$initial_call'])]),
    io:format("after erase() ~p~n", [[K || {K, _} <- get(), K =:= apple]]),
    Parent = self(),
    spawn(fun() -> Parent ! {child_sees, get(y)} end),
    receive {child_sees, V} -> io:format("child process dict is separate: ~p~n", [V]) end,
    ok.
