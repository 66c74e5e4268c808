-module(huffman).
-export([main/0]).

%% Huffman coding producing and consuming bitstrings.
freqs(Str) ->
    lists:sort(maps:to_list(lists:foldl(fun(C, M) -> maps:update_with(C, fun(N) -> N + 1 end, 1, M) end, #{}, Str))).

build([{_, T}]) -> T;
build(Q) ->
    [{W1, T1}, {W2, T2} | Rest] = lists:sort(Q),
    build([{W1 + W2, {T1, T2}} | Rest]).

codes({L, R}, Prefix) -> codes(L, <<Prefix/bits, 0:1>>) ++ codes(R, <<Prefix/bits, 1:1>>);
codes(Leaf, Prefix) -> [{Leaf, Prefix}].

encode(Str, Codes) -> << <<(maps:get(C, Codes))/bits>> || C <- Str >>.

decode(<<>>, _, _) -> [];
decode(Bits, Tree, {L, R}) ->
    case Bits of
        <<0:1, Rest/bits>> -> step(L, Rest, Tree);
        <<1:1, Rest/bits>> -> step(R, Rest, Tree)
    end;
decode(Bits, Tree, _) -> decode(Bits, Tree, Tree).

step({_, _} = Node, Rest, Tree) -> decode(Rest, Tree, Node);
step(Leaf, Rest, Tree) -> [Leaf | decode(Rest, Tree, Tree)].

main() ->
    Text = "this is an example of a huffman tree built with erlang bitstrings",
    F = freqs(Text),
    io:format("freqs ~w~n", [F]),
    Tree = build([{N, C} || {C, N} <- F]),
    Codes = maps:from_list(codes(Tree, <<>>)),
    io:format("codes ~w~n", [lists:sort(maps:to_list(Codes))]),
    Enc = encode(Text, Codes),
    io:format("bits ~w (vs ~w)~n", [bit_size(Enc), length(Text) * 8]),
    io:format("encoded ~w~n", [Enc]),
    Dec = decode(Enc, Tree, Tree),
    io:format("decoded ~s~n", [Dec]),
    io:format("roundtrip ~w~n", [Dec =:= Text]),
    Padded = <<Enc/bits, 0:(8 - bit_size(Enc) rem 8)>>,
    io:format("padded bytes ~w is_binary ~w~n", [byte_size(Padded), is_binary(Padded)]),
    ok.
