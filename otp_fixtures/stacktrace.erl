-module(stacktrace).
-export([main/0, id/1, a/1]).

id(X) -> X.

%% Non-tail calls keep frames on the stack so they appear in stacktraces.
a(X) -> R = b(X), id(R).
b(X) -> R = c(X), id(R).
c(X) -> R = 10 div X, id(R).

own(Stack) -> [Frame || {M, _, _, _} = Frame <- Stack, M =:= ?MODULE orelse M =:= erlang orelse M =:= fake].

show(Label, Stack) ->
    io:format("~s:~n", [Label]),
    lists:foreach(fun({M, F, A, Loc}) ->
                          Loc2 = [L || {K, _} = L <- Loc, K =:= file orelse K =:= line],
                          io:format("  ~p~n", [{M, F, A, Loc2}])
                  end, own(Stack)).

deep(0) -> error(bottom);
deep(N) -> R = deep(N - 1), id(R).

main() ->
    try a(0) catch error:badarith:S1 -> show("badarith in c", S1) end,
    try deep(3) catch error:bottom:S2 -> show("deep(3)", S2) end,
    try lists:map(fun(X) -> 1 / X end, [1, 0]) catch error:badarith:S3 -> show("inside lists:map", S3) end,
    try atom_to_list(id(123)) catch error:badarg:S4 -> show("bif badarg (args shown)", S4) end,
    try erlang:raise(error, reraised, [{fake, frame, 2, [{file, "fake.erl"}, {line, 99}]}])
    catch error:reraised:S5 -> show("erlang:raise with custom stack", S5) end,
    try
        try a(0) catch C:R:S6 -> erlang:raise(C, R, S6) end
    catch error:badarith:S7 -> show("rethrown keeps stack", S7)
    end,
    try throw(t) catch throw:t:S8 -> show("throw stack", S8) end,
    {'EXIT', {undef, S9}} = (catch (id(nomod_zz)):f(1, 2)),
    show("undef via old catch", S9),
    try (fun(a) -> ok end)(id(b)) catch error:function_clause:S10 -> show("fun function_clause", S10) end,
    try a(id(x)) catch error:badarith:S11 -> show("badarith with atom", S11) end,
    io:format("stack is list of 4-tuples: ~p~n",
              [try a(0) catch _:_:S12 -> lists:all(fun(F) -> tuple_size(F) =:= 4 end, S12) end]),
    ok.
