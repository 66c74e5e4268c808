-module(statistics_basic).
-export([main/0]).

%% erlang:statistics/1 for the keys whose shape and monotonicity are
%% deterministic.

main() ->
    {R0, _} = statistics(reductions),
    _ = lists:foldl(fun(X, A) -> X + A end, 0, lists:seq(1, 100000)),
    {R1, D1} = statistics(reductions),
    io:format("reductions grow ~p ~p~n", [R1 > R0, D1 > 0]),
    {E1, _} = statistics(exact_reductions),
    io:format("exact reductions int ~p~n", [is_integer(E1)]),
    {W0, _} = statistics(wall_clock),
    timer:sleep(20),
    {W1, DW} = statistics(wall_clock),
    io:format("wall_clock ~p ~p~n", [W1 >= W0 + 20, DW >= 20]),
    {C, _} = statistics(runtime),
    io:format("runtime int ~p~n", [is_integer(C) andalso C >= 0]),
    {CS, 0} = statistics(context_switches),
    io:format("context_switches int ~p~n", [is_integer(CS)]),
    io:format("run_queue int ~p~n", [is_integer(statistics(run_queue))]),
    io:format("bad key ~p~n", [element(1, catch statistics(no_such_key))]).
