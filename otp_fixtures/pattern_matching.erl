-module(pattern_matching).
-export([main/0, id/1]).

id(X) -> X.

first_word("hello " ++ Rest) -> {greeting, Rest};
first_word([C | _] = S) when C >= $0, C =< $9 -> {number, list_to_integer(S)};
first_word(_) -> other.

area({square, S}) -> S * S;
area({rect, W, H}) -> W * H;
area({circle, R}) -> 3 * R * R.

same(X, X) -> same;
same(_, _) -> different.

parse_kv(Str) ->
    case string:split(Str, "=") of
        [K, V] -> {K, V};
        [_] -> {error, no_equals}
    end.

deep({a, [_, {b, X} | _], #{k := [Y | _]}}) -> {X, Y};
deep(_) -> nomatch.

main() ->
    io:format("string prefix ~p~n", [[first_word(S) || S <- ["hello world", "42", "bye"]]]),
    io:format("shapes ~w~n", [[area(S) || S <- [{square, 3}, {rect, 2, 5}, {circle, 2}]]]),
    io:format("repeated var ~p~n", [[same(1, 1), same(1, 1.0), same([a], [a]), same({x}, {y})]]),
    {A, B} = {1, 2},
    [H | T] = [first, second, third],
    {_, [_, {Z}]} = {ignored, [skip, {zed}]},
    io:format("destructure ~p ~p ~p ~p ~p~n", [A, B, H, T, Z]),
    Whole = {point, X1, Y1} = id({point, 10, 20}),
    io:format("alias ~p ~p ~p~n", [Whole, X1, Y1]),
    io:format("kv ~p ~p~n", [parse_kv("key=value"), parse_kv("novalue")]),
    io:format("deep ~p ~p~n", [deep({a, [1, {b, 2}, 3], #{k => [y1, y2], other => 0}}), deep({a, [], #{}})]),
    io:format("case with guards ~p~n",
              [[case V of
                    N when is_integer(N), N < 0 -> negative;
                    0 -> zero;
                    N when is_integer(N) -> positive;
                    [_ | _] -> nonempty_list;
                    {} -> empty_tuple;
                    _ -> something_else
                end || V <- [-5, 0, 5, [1], {}, "", 2.0]]]),
    io:format("nested case ~p~n", [[case {X, Y} of {0, 0} -> origin; {0, _} -> y_axis; {_, 0} -> x_axis; _ -> plane end
                                     || {X, Y} <- [{0, 0}, {0, 3}, {4, 0}, {1, 1}]]]),
    io:format("binary pattern ~p~n", [[case Bin of <<"GET ", Path/binary>> -> {get, Path}; <<"POST ", _/binary>> -> post; _ -> unknown end
                                        || Bin <- [<<"GET /index">>, <<"POST /form">>, <<"PUT x">>]]]),
    io:format("map pattern ~p~n", [[case M of #{type := T2, id := I} -> {T2, I}; #{type := T2} -> {T2, noid}; #{} -> empty end
                                     || M <- [#{type => a, id => 1}, #{type => b}, #{}]]]),
    io:format("list patterns ~p~n", [[case L of [] -> empty; [_] -> one; [_, _] -> two; [_, _ | _] -> many end
                                       || L <- [[], [a], [a, b], [a, b, c]]]]),
    io:format("float/int literal ~p~n", [[case V of 1 -> int_one; 1.0 -> float_one; _ -> other end || V <- [1, 1.0, 2]]]),
    io:format("match in function args ~p~n", [lists:map(fun({K, V}) -> K =:= V end, [{1, 1}, {1, 2}])]),
    io:format("underscore vars ~p~n", [begin {_Ignored, Used} = {1, 2}, Used end]),
    io:format("char ranges ~p~n", [[classify_char(C) || C <- "aZ5 _"]]),
    ok.

classify_char(C) when C >= $a, C =< $z -> lower;
classify_char(C) when C >= $A, C =< $Z -> upper;
classify_char(C) when C >= $0, C =< $9 -> digit;
classify_char($\s) -> space;
classify_char(_) -> other.
