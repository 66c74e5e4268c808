-module(gb_trees_queue).
-export([main/0]).

main() ->
    T0 = gb_trees:empty(),
    T1 = lists:foldl(fun(K, T) -> gb_trees:insert(K, K * K, T) end, T0, [50, 20, 80, 10, 30, 70, 90, 5]),
    io:format("size ~p~n", [gb_trees:size(T1)]),
    io:format("to_list ~p~n", [gb_trees:to_list(T1)]),
    io:format("lookup ~p ~p~n", [gb_trees:lookup(30, T1), gb_trees:lookup(31, T1)]),
    io:format("get ~p is_defined ~p~n", [gb_trees:get(70, T1), gb_trees:is_defined(71, T1)]),
    io:format("smallest ~p largest ~p~n", [gb_trees:smallest(T1), gb_trees:largest(T1)]),
    T2 = gb_trees:update(20, updated, gb_trees:delete(50, T1)),
    io:format("after update/delete ~p~n", [gb_trees:to_list(T2)]),
    io:format("enter ~p~n", [gb_trees:to_list(gb_trees:enter(1, new, gb_trees:enter(5, replaced, T2)))]),
    io:format("keys ~p values ~p~n", [gb_trees:keys(T1), gb_trees:values(T1)]),
    {K, V, T3} = gb_trees:take_smallest(T1),
    io:format("take_smallest ~p ~p -> ~p~n", [K, V, gb_trees:keys(T3)]),
    It = gb_trees:iterator_from(25, T1),
    {K1, _, It2} = gb_trees:next(It),
    {K2, _, _} = gb_trees:next(It2),
    io:format("iterator_from 25 -> ~p ~p~n", [K1, K2]),
    io:format("map ~p~n", [gb_trees:to_list(gb_trees:map(fun(_, X) -> X rem 7 end, T1))]),
    Big = gb_trees:from_orddict([{N, N} || N <- lists:seq(1, 1000)]),
    io:format("big ~p ~p~n", [gb_trees:size(Big), gb_trees:get(777, gb_trees:balance(Big))]),
    Q0 = queue:new(),
    Q1 = queue:in(3, queue:in(2, queue:in(1, Q0))),
    Q2 = queue:in_r(0, Q1),
    io:format("queue ~p len ~p~n", [queue:to_list(Q2), queue:len(Q2)]),
    {{value, H}, Q3} = queue:out(Q2),
    io:format("out ~p rest ~p~n", [H, queue:to_list(Q3)]),
    {{value, Tl}, Q4} = queue:out_r(Q3),
    io:format("out_r ~p rest ~p~n", [Tl, queue:to_list(Q4)]),
    io:format("empty out ~p~n", [queue:out(queue:new())]),
    io:format("peek ~p peek_r ~p~n", [queue:peek(Q2), queue:peek_r(Q2)]),
    io:format("reverse ~p join ~p~n", [queue:to_list(queue:reverse(Q2)),
                                       queue:to_list(queue:join(Q2, queue:from_list([a, b])))]),
    io:format("split ~p~n", [[queue:to_list(Q) || Q <- tuple_to_list(queue:split(2, Q2))]]),
    io:format("filter ~p member ~p~n", [queue:to_list(queue:filter(fun(X) -> X rem 2 =:= 1 end, Q2)), queue:member(2, Q2)]),
    Qb = lists:foldl(fun queue:in/2, queue:new(), lists:seq(1, 10000)),
    io:format("drain sum ~p~n", [drain(Qb, 0)]),
    ok.

drain(Q, Acc) ->
    case queue:out(Q) of
        {empty, _} -> Acc;
        {{value, X}, Q2} -> drain(Q2, Acc + X)
    end.
