-module(json_encode).
-export([main/0]).

%% A small JSON encoder/decoder: a realistic program mixing strings, iolists,
%% maps, recursion and number formatting.
encode(null) -> <<"null">>;
encode(true) -> <<"true">>;
encode(false) -> <<"false">>;
encode(N) when is_integer(N) -> integer_to_binary(N);
encode(F) when is_float(F) -> float_to_binary(F, [short]);
encode(B) when is_binary(B) -> [$", escape(B), $"];
encode(A) when is_atom(A) -> encode(atom_to_binary(A));
encode(L) when is_list(L) -> [$[, lists:join($,, [encode(E) || E <- L]), $]];
encode(M) when is_map(M) ->
    Pairs = [[encode(to_bin(K)), $:, encode(V)] || {K, V} <- lists:sort(maps:to_list(M))],
    [${, lists:join($,, Pairs), $}].

to_bin(K) when is_atom(K) -> atom_to_binary(K);
to_bin(K) when is_binary(K) -> K.

escape(B) -> [esc(C) || <<C>> <= B].
esc($") -> <<"\\\"">>;
esc($\\) -> <<"\\\\">>;
esc($\n) -> <<"\\n">>;
esc(C) when C < 32 -> io_lib:format("\\u~4.16.0B", [C]);
esc(C) -> C.

%% decoder (subset)
decode(Bin) -> {V, Rest} = value(ws(Bin)), <<>> = ws(Rest), V.
ws(<<C, R/binary>>) when C =:= $\s; C =:= $\n; C =:= $\t -> ws(R);
ws(B) -> B.
value(<<"null", R/binary>>) -> {null, R};
value(<<"true", R/binary>>) -> {true, R};
value(<<"false", R/binary>>) -> {false, R};
value(<<$", R/binary>>) -> str(R, <<>>);
value(<<$[, R/binary>>) -> arr(ws(R), []);
value(<<${, R/binary>>) -> obj(ws(R), #{});
value(B) -> num(B, <<>>).
str(<<$", R/binary>>, Acc) -> {Acc, R};
str(<<$\\, $u, H:4/binary, R/binary>>, Acc) -> str(R, <<Acc/binary, (binary_to_integer(H, 16))>>);
str(<<$\\, $n, R/binary>>, Acc) -> str(R, <<Acc/binary, $\n>>);
str(<<$\\, C, R/binary>>, Acc) -> str(R, <<Acc/binary, C>>);
str(<<C, R/binary>>, Acc) -> str(R, <<Acc/binary, C>>).
arr(<<$], R/binary>>, Acc) -> {lists:reverse(Acc), R};
arr(B, Acc) ->
    {V, R} = value(ws(B)),
    case ws(R) of
        <<$,, R2/binary>> -> arr(ws(R2), [V | Acc]);
        <<$], R2/binary>> -> {lists:reverse([V | Acc]), R2}
    end.
obj(<<$}, R/binary>>, Acc) -> {Acc, R};
obj(<<$", B/binary>>, Acc) ->
    {K, R} = str(B, <<>>),
    <<$:, R1/binary>> = ws(R),
    {V, R2} = value(ws(R1)),
    case ws(R2) of
        <<$,, R3/binary>> -> obj(ws(R3), Acc#{K => V});
        <<$}, R3/binary>> -> {Acc#{K => V}, R3}
    end.
num(<<C, R/binary>>, Acc) when C >= $0, C =< $9; C =:= $-; C =:= $.; C =:= $e; C =:= $+ ->
    num(R, <<Acc/binary, C>>);
num(R, Acc) ->
    V = try binary_to_integer(Acc) catch error:badarg -> binary_to_float(Acc) end,
    {V, R}.

main() ->
    Doc = #{name => <<"cbeam">>, version => [0, 1, 0], stable => false, license => null,
            ratio => 0.75, tags => [<<"vm">>, <<"erlang">>, <<"c">>],
            nested => #{quote => <<"say \"hi\"\n">>, ctrl => <<1, 2>>, big => 1 bsl 70},
            empty_list => [], empty_obj => #{}},
    Json = iolist_to_binary(encode(Doc)),
    io:format("~s~n", [Json]),
    io:format("size ~w~n", [byte_size(Json)]),
    Back = decode(Json),
    io:format("decoded ~p~n", [Back]),
    Again = iolist_to_binary(encode(Back)),
    io:format("re-encoded equal ~w~n", [Again =:= Json]),
    io:format("list ~s~n", [encode([1, 2.5, -3, <<"x">>, [true, [null]]])]),
    io:format("decode ws ~p~n", [decode(<<" { \"a\" : [ 1 , 2 ] , \"b\" : { } } ">>)]),
    ok.
