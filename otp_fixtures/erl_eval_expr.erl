-module(erl_eval_expr).
-export([main/0]).

%% Exercise the compiler front end libraries (erl_scan, erl_parse, erl_eval,
%% erl_pp) as a large body of real-world Erlang code.
eval(Str, Bindings) ->
    {ok, Tokens, _} = erl_scan:string(Str),
    {ok, Exprs} = erl_parse:parse_exprs(Tokens),
    {value, V, NewB} = erl_eval:exprs(Exprs, Bindings),
    {V, lists:sort(erl_eval:bindings(NewB))}.

main() ->
    Exprs = ["1 + 2 * 3.",
             "X = 10, Y = X * X, Y - 1.",
             "lists:map(fun(E) -> E * 2 end, [1,2,3]).",
             "[{A, B} || A <- [1,2], B <- [x,y]].",
             "case 5 of N when N > 3 -> big; _ -> small end.",
             "(fun Fact(0) -> 1; Fact(N) -> N * Fact(N-1) end)(10).",
             "#{a => 1, b => 2}.",
             "M = #{k => v}, M#{k := w}.",
             "<<1, 2, 3>>.",
             "try throw(x) catch throw:T -> {caught, T} end.",
             "{ok, \"string\", 'atom', 3.5, [a|b]}.",
             "begin Z = 3, Z + Z end.",
             "if 1 > 2 -> a; true -> b end.",
             "lists:foldl(fun(E, Acc) -> E + Acc end, 0, lists:seq(1, 100))."],
    lists:foreach(fun(E) -> io:format("~s~n  => ~p~n", [E, eval(E, erl_eval:new_bindings())]) end, Exprs),
    io:format("with bindings => ~p~n", [eval("X + Y.", [{'X', 40}, {'Y', 2}])]),
    {ok, Toks, _} = erl_scan:string("foo(X, [1|T]) -> {X, T}."),
    io:format("tokens ~p~n", [[element(1, Tk) || Tk <- Toks]]),
    {ok, Form} = erl_parse:parse_form(Toks),
    io:format("form ~p~n", [Form]),
    io:format("pretty ~s~n", [erl_pp:form(Form)]),
    {ok, T2, _} = erl_scan:string("{a, [1, 2], \"s\"}."),
    {ok, Term} = erl_parse:parse_term(T2),
    io:format("parse_term ~p~n", [Term]),
    io:format("abstract ~p~n", [erl_parse:abstract({x, [1]})]),
    io:format("scan error ~p~n", [element(1, erl_scan:string("\"unterminated"))]),
    ok.
