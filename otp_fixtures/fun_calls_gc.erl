-module(fun_calls_gc).
-export([main/0]).

%% Many fun calls (local funs with and without free variables, export
%% funs, apply) across context switches and collections: the registers
%% saved at a switch must be exactly the callee's arguments and free
%% variables.

loop(0, _, Acc) -> Acc;
loop(N, Funs, Acc) ->
    Garbage = lists:seq(1, N rem 50),
    R = lists:foldl(fun(F, A) -> call(F, N, A) end, Acc, Funs),
    loop(N - 1, Funs, (R + length(Garbage)) rem 1000003).

call(F, N, A) when is_function(F, 2) -> F(N, A);
call(F, N, _A) when is_function(F, 1) -> F(N).

main() ->
    K = 7,
    Funs = [fun(X, A) -> X + A end,
            fun(X, A) -> X * K + A end,
            fun(X) -> {X, K, [X]} =/= ok andalso X > 0 andalso (X rem 3) end,
            fun erlang:'+'/2,
            fun(X, A) -> apply(erlang, '+', [X, A]) end,
            fun(X, A) -> lists:sum([X, A, K]) end],
    io:format("~p~n", [loop(200000, Funs, 0)]).
