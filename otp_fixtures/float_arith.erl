-module(float_arith).
-export([main/0, id/1]).

id(X) -> X.

main() ->
    io:format("~w ~w ~w ~w~n", [id(1.5) + 2.25, id(1.0) - 3.5, id(2.5) * 4, id(7) / 2]),
    io:format("~w ~w ~w~n", [id(1) / 3, id(2) / 3, id(10) / 4]),
    io:format("0.1+0.2 = ~w~n", [id(0.1) + 0.2]),
    io:format("float(7) = ~w, float(-3) = ~w~n", [float(id(7)), float(id(-3))]),
    Vals = [2.5, 3.5, -2.5, -3.5, 2.4, 2.6, -0.4, 0.5, 1.0e15 + 0.5],
    lists:foreach(fun(V) ->
                          io:format("~w: round ~w trunc ~w ceil ~w floor ~w~n",
                                    [V, round(V), trunc(V), ceil(V), floor(V)])
                  end, Vals),
    io:format("sqrt ~w ~w~n", [math:sqrt(2), math:sqrt(144)]),
    io:format("pow ~w ~w ~w~n", [math:pow(2, 10), math:pow(2, 0.5), math:pow(10, -3)]),
    io:format("exp/log ~w ~w ~w ~w~n", [math:exp(1), math:log(10), math:log2(1024), math:log10(0.001)]),
    io:format("pi ~w~n", [math:pi()]),
    io:format("trig ~w ~w ~w ~w~n", [math:sin(0), math:cos(0), math:atan2(1, 1), math:atan(1) * 4]),
    io:format("fmod ~w ~w~n", [math:fmod(10.5, 3), math:fmod(-10.5, 3)]),
    io:format("abs ~w ~w~n", [abs(id(-2.5)), abs(id(2.5))]),
    io:format("compare ~w ~w ~w ~w~n", [id(1) == 1.0, id(1) =:= 1.0, id(1.0) < 2, id(3) > 2.999]),
    io:format("mixed ~w ~w~n", [id(1) + 0.5, id(1 bsl 64) * 1.0]),
    io:format("big float ~w ~w~n", [1.0e308 * id(1.5) / 2, 1.7976931348623157e308]),
    io:format("tiny ~w ~w~n", [5.0e-324, 2.2250738585072014e-308]),
    io:format("neg zero ~w ~w~n", [-0.0, id(0.0) * -1]),
    io:format("sum ~w~n", [lists:sum([0.1 || _ <- lists:seq(1, 10)])]),
    io:format("harmonic(1000) ~w~n", [lists:sum([1 / N || N <- lists:seq(1, 1000)])]),
    io:format("is_float ~w ~w~n", [is_float(id(1.0)), is_float(id(1))]),
    io:format("newton sqrt(2) ~w~n", [newton(2.0, 1.0, 20)]),
    io:format("overflow: ~p~n", [err(fun() -> id(1.0e308) * 10 end)]),
    io:format("div by zero: ~p~n", [err(fun() -> id(1.0) / 0 end)]),
    io:format("div by zero float: ~p~n", [err(fun() -> id(1.0) / 0.0 end)]),
    ok.

err(F) -> try F() of V -> {ok, V} catch C:R -> {C, R} end.

newton(_, X, 0) -> X;
newton(A, X, N) -> newton(A, (X + A / X) / 2, N - 1).
