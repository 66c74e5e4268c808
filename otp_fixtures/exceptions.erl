-module(exceptions).
-export([main/0, id/1]).

id(X) -> X.

log(X) -> io:format("  log: ~p~n", [X]).

classify(F) ->
    try F() of
        V -> {value, V}
    catch
        throw:T -> {thrown, T};
        error:E -> {error, E};
        exit:X -> {exited, X}
    end.

with_after(F) ->
    try
        log(body_start),
        F()
    after
        log(after_ran)
    end.

rethrow(F) ->
    try F()
    catch
        Class:Reason:Stack ->
            log({caught_and_rethrowing, Class, Reason}),
            erlang:raise(Class, Reason, Stack)
    end.

nested() ->
    try
        try throw(inner)
        catch throw:inner -> throw(outer)
        after log(inner_after)
        end
    catch throw:What -> {outer_caught, What}
    after log(outer_after)
    end.

main() ->
    io:format("classify ~p~n", [[classify(F) || F <- [fun() -> ok end,
                                                      fun() -> throw(ball) end,
                                                      fun() -> error(oops) end,
                                                      fun() -> exit(bye) end,
                                                      fun() -> error({complex, [1, 2]}, [args]) end]]]),
    io:format("after (normal):~n"),
    io:format("  result ~p~n", [with_after(fun() -> 42 end)]),
    io:format("after (exception):~n"),
    io:format("  result ~p~n", [classify(fun() -> with_after(fun() -> throw(t) end) end)]),
    io:format("rethrow:~n"),
    io:format("  result ~p~n", [classify(fun() -> rethrow(fun() -> error(deep) end) end)]),
    io:format("nested:~n"),
    io:format("  result ~p~n", [nested()]),
    io:format("old catch throw ~p~n", [catch throw(hello)]),
    io:format("old catch value ~p~n", [catch id(7) * 6]),
    io:format("old catch exit ~p~n", [catch exit(gone)]),
    io:format("old catch error reason ~p~n", [element(1, element(2, catch error(boom)))]),
    io:format("try of clauses ~p~n", [[try id(X) of 1 -> one; N when N > 1 -> many catch _:_ -> err end || X <- [1, 5]]]),
    io:format("catch all ~p~n", [try exit(x) catch _:_ -> caught end]),
    io:format("catch class var ~p~n", [[try F() catch C:_ -> C end || F <- [fun() -> throw(a) end, fun() -> error(a) end, fun() -> exit(a) end]]]),
    io:format("throw uncaught class ~p~n", [try throw(x) catch error:_ -> wrong; throw:_ -> right end]),
    io:format("after order:~n"),
    R = try
            try id(1) after log(a1) end
        after log(a2)
        end,
    io:format("  ~p~n", [R]),
    io:format("exit inside catch ~p~n", [classify(fun() -> try exit(inner) catch error:_ -> no end end)]),
    io:format("raise ~p~n", [classify(fun() -> erlang:raise(throw, raised, []) end)]),
    io:format("raise badarg ~p~n", [classify(fun() -> erlang:raise(bogus, x, []) end)]),
    io:format("error/2 args ~p~n", [try error(e, [1, 2]) catch error:e:S -> [A || {_, _, A, _} <- lists:sublist(S, 1)] end]),
    io:format("nested catch values ~p~n", [catch (catch throw(x))]),
    io:format("exception in after ~p~n", [classify(fun() -> try ok after throw(from_after) end end)]),
    io:format("loop with catch ~p~n", [lists:sum([case catch(if X rem 2 =:= 0 -> throw(X); true -> X end) of N -> N end || X <- lists:seq(1, 10)])]),
    ok.
