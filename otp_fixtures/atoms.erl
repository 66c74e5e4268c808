-module(atoms).
-export([main/0]).

main() ->
    As = [hello, 'Hello', 'hello world', '', '[]', 'a.b', a@b, 'a-b', 'if', 'case', 'end',
          'receive', '123', ok, true, false, undefined, 'don\'t', 'tab\there', 'new\nline',
          'ünïcödé', aBC_123, '_x', 'X'],
    lists:foreach(fun(A) -> io:format("~p ~w ~s ~w~n", [A, A, atom_to_list(A), length(atom_to_list(A))]) end, As),
    io:format("list_to_atom ~p~n", [list_to_atom("made up")]),
    io:format("existing ~p~n", [list_to_existing_atom("hello")]),
    io:format("nonexisting ~p~n", [try list_to_existing_atom("surely_not_an_atom_xyzzy_42") catch error:R2 -> R2 end]),
    io:format("atom_to_binary ~p~n", [atom_to_binary(hello)]),
    io:format("binary_to_atom ~p~n", [binary_to_atom(<<"from_bin">>, utf8)]),
    io:format("compare ~w ~w ~w~n", [a < b, 'Z' < a, zzz < aaaa]),
    io:format("sorted ~p~n", [lists:sort(As)]),
    io:format("is_atom ~w ~w ~w~n", [is_atom(foo), is_atom("foo"), is_atom([])]),
    io:format("booleans ~w ~w ~w ~w~n", [true and false, true or false, not true, true xor true]),
    io:format("long atom length ~w~n", [length(atom_to_list(list_to_atom(lists:duplicate(255, $z))))]),
    io:format("too long ~p~n", [try list_to_atom(lists:duplicate(256, $z)) catch error:R3 -> R3 end]),
    io:format("~ts~n", [atom_to_list('ünïcödé')]),
    ok.
