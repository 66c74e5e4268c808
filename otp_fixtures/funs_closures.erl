-module(funs_closures).
-export([main/0, add/2, id/1]).

id(X) -> X.
add(A, B) -> A + B.

make_counter(Start) -> fun(Inc) -> Start + Inc end.
make_adders(Ns) -> [fun(X) -> X + N end || N <- Ns].

err(F) -> try F() of V -> {ok, V} catch C:R -> {C, R} end.

main() ->
    Sq = fun(X) -> X * X end,
    io:format("call ~w~n", [Sq(7)]),
    io:format("arity ~p~n", [erlang:fun_info(Sq, arity)]),
    io:format("type ~p ~p~n", [erlang:fun_info(Sq, type), erlang:fun_info(fun ?MODULE:add/2, type)]),
    io:format("module ~p~n", [erlang:fun_info(Sq, module)]),
    io:format("name ~p~n", [erlang:fun_info(Sq, name)]),
    C = make_counter(10),
    io:format("closure ~w env ~p~n", [C(5), erlang:fun_info(C, env)]),
    Multi = begin A = 1, B = two, Cc = "three", fun() -> {A, B, Cc} end end,
    io:format("multi env ~p -> ~p~n", [erlang:fun_info(Multi, env), Multi()]),
    io:format("adders ~w~n", [[F(100) || F <- make_adders([1, 2, 3])]]),
    Ext = fun ?MODULE:add/2,
    io:format("external ~w ~p~n", [Ext(2, 3), erlang:fun_info(Ext, arity)]),
    io:format("external info ~p ~p~n", [erlang:fun_info(Ext, module), erlang:fun_info(Ext, name)]),
    io:format("bif fun ~w~n", [(fun erlang:length/1)([a, b])]),
    Local = fun add/2,
    io:format("local ref ~w~n", [Local(4, 5)]),
    io:format("apply/2 ~w apply/3 ~w~n", [apply(Sq, [9]), apply(?MODULE, add, [1, 2])]),
    io:format("erlang:apply ~w~n", [erlang:apply(lists, reverse, [[1, 2, 3]])]),
    M = id(lists), Fn = id(seq),
    io:format("dynamic call ~w~n", [M:Fn(1, 3)]),
    io:format("is_function ~w ~w ~w~n", [is_function(Sq), is_function(Sq, 1), is_function(Sq, 2)]),
    Fact = fun Fact(0) -> 1; Fact(N) -> N * Fact(N - 1) end,
    io:format("named fun ~w~n", [Fact(20)]),
    Y = fun(F) -> (fun(X) -> F(fun(V) -> (X(X))(V) end) end)(fun(X) -> F(fun(V) -> (X(X))(V) end) end) end,
    FibY = Y(fun(Self) -> fun(0) -> 0; (1) -> 1; (N) -> Self(N - 1) + Self(N - 2) end end),
    io:format("Y combinator fib(15) ~w~n", [FibY(15)]),
    Curry = fun(X) -> fun(Yv) -> fun(Z) -> X + Yv * Z end end end,
    io:format("curry ~w~n", [((Curry(1))(2))(3)]),
    Clauses = fun({a, X}) -> {got_a, X}; ([H | _]) -> {list, H}; (_) -> other end,
    io:format("clauses ~p~n", [[Clauses(V) || V <- [{a, 1}, [z], 42]]]),
    io:format("equal funs ~w ~w~n", [fun ?MODULE:add/2 =:= fun ?MODULE:add/2, Sq =:= Sq]),
    io:format("badfun ~p~n", [err(fun() -> (id(not_a_fun))(1) end)]),
    io:format("badarity ~p~n", [case err(fun() -> (id(Sq))(1, 2) end) of
                                    {error, {badarity, {F, Args}}} -> {badarity, is_function(F), Args};
                                    Other -> Other
                                end]),
    io:format("undef ~p~n", [err(fun() -> (id(no_such_module)):f() end)]),
    io:format("undef fun ~p~n", [err(fun() -> apply(?MODULE, nope, [1]) end)]),
    Counter = lists:foldl(fun(_, F) -> fun() -> F() + 1 end end, fun() -> 0 end, lists:seq(1, 100)),
    io:format("fun chain ~w~n", [Counter()]),
    ok.
