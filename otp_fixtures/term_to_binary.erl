-module(term_to_binary).
-export([main/0]).

main() ->
    Small = [0, 1, 255, 256, -1, 1 bsl 31, 1 bsl 40, -(1 bsl 70), 1.5, a, 'hello', '', [], [1, 2], "abc",
             [a | b], {}, {a, 1}, <<>>, <<1, 2, 3>>, <<1:3>>, #{}, #{a => 1}, 'ä', [1000]],
    lists:foreach(fun(T) -> io:format("~-26w ~w~n", [T, term_to_binary(T)]) end, Small),
    Complex = [{record, "string", [1, 2.5, -3], #{k => [v]}, <<"bin">>},
               lists:seq(1, 300), list_to_tuple(lists:seq(1, 300)),
               maps:from_list([{N, N} || N <- lists:seq(1, 50)]),
               123456789012345678901234567890, 1.0e-300, binary:copy(<<"x">>, 1000),
               fun lists:map/2],
    io:format("roundtrips ~w~n", [[binary_to_term(term_to_binary(T)) =:= T || T <- Complex ++ Small]]),
    io:format("compressed roundtrip ~w~n", [[binary_to_term(term_to_binary(T, [compressed])) =:= T || T <- Complex]]),
    C = term_to_binary(lists:duplicate(1000, a), [compressed]),
    io:format("compressed tag ~w smaller ~w~n", [binary:part(C, 0, 2), byte_size(C) < 1000]),
    io:format("minor_version 1 float ~w~n", [term_to_binary(1.5, [{minor_version, 1}])]),
    io:format("minor_version 0 float ~w~n", [term_to_binary(0.5, [{minor_version, 0}])]),
    io:format("atom latin1 (minor 1) ~w~n", [term_to_binary(abc, [{minor_version, 1}])]),
    io:format("external fun ~w~n", [term_to_binary(fun lists:map/2)]),
    io:format("handmade ~p~n", [binary_to_term(<<131, 104, 2, 100, 0, 2, 111, 107, 97, 42>>)]),
    io:format("handmade string ~p~n", [binary_to_term(<<131, 107, 0, 3, 1, 2, 3>>)]),
    io:format("handmade big ~p~n", [binary_to_term(<<131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1>>)]),
    io:format("handmade map ~p~n", [binary_to_term(<<131, 116, 0, 0, 0, 1, 100, 0, 1, 107, 97, 1>>)]),
    io:format("bad binary ~p~n", [try binary_to_term(<<131, 255>>) catch error:R -> R end]),
    io:format("binary_to_term/2 used ~p~n", [binary_to_term(<<(term_to_binary(ok))/binary, "extra">>, [used])]),
    io:format("external_size ~w ~w~n", [erlang:external_size({a, [1, 2]}), byte_size(term_to_binary({a, [1, 2]}))]),
    io:format("deterministic map ~w~n", [term_to_binary(#{b => 2, a => 1, c => 3}, [deterministic])]),
    ok.
