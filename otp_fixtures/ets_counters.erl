-module(ets_counters).
-export([main/0]).

%% ets as shared state between processes; results printed sorted.
main() ->
    T = ets:new(counters, [set, public, {write_concurrency, true}]),
    Self = self(),
    Workers = 8,
    [spawn(fun() ->
                   [ets:update_counter(T, K rem 5, {2, 1}, {K rem 5, 0}) || K <- lists:seq(1, 500)],
                   ets:insert(T, {{done, W}, true}),
                   Self ! {done, W}
           end) || W <- lists:seq(1, Workers)],
    [receive {done, W} -> ok end || W <- lists:seq(1, Workers)],
    io:format("counters ~p~n", [lists:sort([X || {K, _} = X <- ets:tab2list(T), is_integer(K)])]),
    io:format("done markers ~p~n", [length(ets:match(T, {{done, '$1'}, true}))]),
    %% memoization table
    M = ets:new(memo, [set]),
    io:format("memo fib(200) ~p~n", [fib(M, 200)]),
    io:format("memo entries ~p~n", [ets:info(M, size)]),
    %% ets:fun2ms is a parse transform; write the match spec by hand
    MS = [{{'$1', '$2'}, [{'andalso', {is_integer, '$1'}, {'>', '$2', 1000}}], [{{'$1', '$2'}}]}],
    io:format("big fibs ~p~n", [lists:sublist(lists:sort(ets:select(M, MS)), 3)]),
    io:format("match_spec_run ~p~n", [ets:match_spec_run([{1, a}, {2, b}, {3, c}],
                                                        ets:match_spec_compile([{{'$1', '$2'}, [{'>', '$1', 1}], ['$2']}]))]),
    io:format("test_ms ~p~n", [ets:test_ms({1, 2}, [{{'$1', '$2'}, [], [{'+', '$1', '$2'}]}])]),
    io:format("all tables includes ours ~p~n", [lists:member(T, ets:all())]),
    io:format("tab2list after rename ~p~n", [begin
                                                  N = ets:new(old_name, [named_table]),
                                                  ets:insert(N, {a, 1}),
                                                  ets:rename(old_name, new_name),
                                                  ets:tab2list(new_name)
                                              end]),
    ok.

fib(_, N) when N < 2 -> N;
fib(M, N) ->
    case ets:lookup(M, N) of
        [{N, V}] -> V;
        [] -> V = fib(M, N - 1) + fib(M, N - 2), ets:insert(M, {N, V}), V
    end.
