-module(etf_safe).
-export([main/0]).

%% binary_to_term/2 with safe: no new atoms, no new export entries; used.

reason(F) -> try F() of V -> {ok, V} catch error:R -> {error, R} end.

main() ->
    Unknown = <<131, 100, 0, 20, "no_such_atom_zz_1234">>,
    io:format("safe, unknown atom: ~p~n", [reason(fun() -> binary_to_term(Unknown, [safe]) end)]),
    io:format("safe, known term: ~p~n", [binary_to_term(term_to_binary({ok, [1, <<"x">>, 2.5]}), [safe])]),
    io:format("safe, unknown export: ~p~n",
              [reason(fun() -> binary_to_term(<<131, 113, 100, 0, 1, "m", 100, 0, 1, "q", 97, 7>>, [safe]) end)]),
    io:format("safe, known export: ~p~n", [binary_to_term(term_to_binary(fun lists:map/2), [safe]) =:= fun lists:map/2]),
    io:format("safe and used: ~p~n", [binary_to_term(<<(term_to_binary(hello))/binary, 1, 2, 3>>, [safe, used])]),
    io:format("unsafe creates it: ~p~n", [binary_to_term(Unknown)]),
    io:format("now safe works: ~p~n", [binary_to_term(Unknown, [safe])]).
