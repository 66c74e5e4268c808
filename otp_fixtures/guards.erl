-module(guards).
-export([main/0]).

classify(X) when is_integer(X), X > 0 -> pos_int;
classify(X) when is_integer(X) -> nonpos_int;
classify(X) when is_float(X) -> float;
classify(X) when is_atom(X) -> atom;
classify(X) when is_binary(X) -> binary;
classify(X) when is_bitstring(X) -> bitstring;
classify([]) -> nil;
classify(X) when is_list(X) -> list;
classify(X) when is_tuple(X), tuple_size(X) =:= 2 -> pair;
classify(X) when is_tuple(X) -> tuple;
classify(X) when is_map(X) -> map;
classify(X) when is_function(X, 0) -> fun0;
classify(X) when is_function(X) -> function;
classify(_) -> other.

range(X) when X >= 0 andalso X < 10 -> small;
range(X) when X < 0 orelse X > 100 -> out;
range(_) -> medium.

semi(X) when X =:= a; X =:= b -> ab;
semi(X) when is_integer(X), X rem 2 =:= 0; is_float(X) -> even_or_float;
semi(_) -> no.

%% An exception in a guard just makes the guard fail.
safe(X) when length(X) > 2 -> long;
safe(X) when element(1, X) =:= tag -> tagged;
safe(X) when X / 0 > 1 -> never;
safe(_) -> fallback.

bifs(X) when abs(X) > 5, X * 2 < 100, X rem 3 == 0 -> yes;
bifs(_) -> no.

mapg(M) when is_map_key(k, M), map_get(k, M) > 1 -> big_k;
mapg(M) when map_size(M) > 2 -> many;
mapg(_) -> other.

sizes(B) when byte_size(B) > 3, bit_size(B) rem 8 =:= 0 -> long_bin;
sizes(_) -> other.

nots(X) when not is_atom(X), not (X == 1) -> not_atom_not_1;
nots(_) -> other.

main() ->
    Vals = [5, -3, 0, 1.5, foo, <<1>>, <<1:3>>, [], [1], {1, 2}, {1}, #{}, fun() -> ok end, fun(_) -> ok end],
    io:format("classify ~p~n", [[classify(V) || V <- Vals]]),
    io:format("range ~p~n", [[range(V) || V <- [5, -1, 50, 101, 10]]]),
    io:format("semi ~p~n", [[semi(V) || V <- [a, b, 4, 3, 2.0, c]]]),
    io:format("safe ~p~n", [[safe(V) || V <- [[1, 2, 3], {tag}, [1], atom, 5]]]),
    io:format("bifs ~p~n", [[bifs(V) || V <- [6, -9, 3, 60, 7]]]),
    io:format("map guards ~p~n", [[mapg(M) || M <- [#{k => 2}, #{k => 1, a => 1, b => 2}, #{}]]]),
    io:format("sizes ~p~n", [[sizes(B) || B <- [<<1, 2, 3, 4>>, <<1>>, <<1, 2, 3, 4, 5:4>>]]]),
    io:format("nots ~p~n", [[nots(V) || V <- [x, 1, 1.0, 2]]]),
    io:format("andalso/orelse values ~p~n", [[true andalso x, false andalso x, false orelse y, true orelse y]]),
    io:format("short circuit ~p~n", [false andalso error(not_evaluated)]),
    io:format("is_number ~w is_pid ~w is_reference ~w is_port ~w~n",
              [is_number(1.0), is_pid(list_to_tuple([])), is_reference(1), is_port(a)]),
    io:format("if ~p~n", [[if X > 5 -> big; X > 2 -> mid; true -> small end || X <- [1, 3, 9]]]),
    io:format("case guard ~p~n", [[case X of {N} when N > 1 -> {gt, N}; {_} -> le; _ -> no end || X <- [{2}, {0}, z]]]),
    io:format("is_record guard ~p~n", [[is_rec(X) || X <- [{rec, 1}, {rec, 1, 2}, {other, 1}]]]),
    ok.

is_rec(X) when is_record(X, rec, 2) -> yes;
is_rec(_) -> no.
