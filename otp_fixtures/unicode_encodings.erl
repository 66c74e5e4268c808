%% Covers unicode:characters_to_binary/1,2,3 and characters_to_list/1,2
%% with every encoding (latin1, unicode, utf8, utf16, utf32, both
%% endiannesses) in and out, the {error, Done, Rest} and
%% {incomplete, Done, Rest} results, badarg errors, deep and mixed chardata.
-module(unicode_encodings).
-export([main/0]).

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).

encs() -> [latin1, unicode, utf8, utf16, {utf16, big}, {utf16, little}, utf32, {utf32, big}, {utf32, little}].

main() ->
    Cps = [$a, 233, 255, 256, 16#7ff, 16#800, 16#20ac, 16#ffff, 16#10000, 16#1f600, 16#10ffff],
    %% every character through every output encoding, and back
    [t(io_lib:format("to ~w ~w", [E, C]), fun() ->
        B = unicode:characters_to_binary([C], unicode, E),
        {B, case B of {_, _, _} -> none; _ -> unicode:characters_to_list(B, E) end} end)
     || E <- encs(), C <- Cps],
    [t(io_lib:format("bin in ~w out ~w", [In, Out]), fun() ->
        unicode:characters_to_binary(unicode:characters_to_binary([$x, 233, 16#20ac], unicode, In), In, Out) end)
     || In <- encs(), Out <- encs()],
    %% errors and incomplete input
    Bad = [[16#d800], [16#110000], [-1], [a], [$a, [$b, 1.0]], [$a | $b], [<<"ok">>, 16#dfff],
           <<$a, 16#ff>>, <<$a, 16#c3>>, <<$a, 16#e2, 16#82>>, <<$a, 16#f0, 16#9f, 16#98>>,
           <<16#ed, 16#a0, 16#80>>, <<16#c0, 16#80>>, <<16#f4, 16#90, 16#80, 16#80>>,
           [<<$a, 16#e2>>, <<16#82, 16#ac>>], [<<$a, 16#e2>>, 16#20ac], <<1:3>>, foo, 1],
    [t(io_lib:format("to_binary ~w", [X]), fun() -> unicode:characters_to_binary(X) end) || X <- Bad],
    [t(io_lib:format("to_list ~w", [X]), fun() -> unicode:characters_to_list(X) end) || X <- Bad],
    [t(io_lib:format("to latin1 ~w", [X]), fun() -> unicode:characters_to_binary(X, unicode, latin1) end)
     || X <- [[$a, 255], [$a, 256, $b], <<"é€"/utf8>>, [<<"x">>, 16#20ac]]],
    [t(io_lib:format("from ~w ~w", [E, B]), fun() -> unicode:characters_to_list(B, E) end)
     || {E, B} <- [{utf16, <<0, $a, 16#d8>>}, {utf16, <<0, $a, 16#d8, 16#3d>>}, {utf16, <<0, $a, 16#d8, 16#3d, 16#de>>},
                   {utf16, <<16#dc, 0, 0, $a>>}, {utf16, <<16#d8, 16#3d, 0, $a>>}, {{utf16, little}, <<$a, 0, 16#3d>>},
                   {utf32, <<0, 0, 0, $a, 0, 0>>}, {utf32, <<0, 0, 16#d8, 0>>}, {utf32, <<0, 16#11, 0, 0>>},
                   {{utf32, little}, <<$a, 0, 0, 0, 0, 0, 16#11, 0>>}, {latin1, <<255, 0, 128>>}, {latin1, [255, 256]},
                   {utf16, [<<0>>, <<$a>>]}, {utf32, [<<0, 0>>, <<0, $b>>]}, {latin1, [<<"ab">>, $c | <<"d">>]}]],
    t("to_list/1 deep", fun() -> unicode:characters_to_list([[[<<"α"/utf8>>]], "β", [[16#3b3 | <<"δ"/utf8>>]]]) end),
    t("to_binary/1 deep", fun() -> unicode:characters_to_binary([[[<<"α"/utf8>>]], "β", [[16#3b3 | <<"δ"/utf8>>]]]) end),
    t("to_binary/2 latin1 in", fun() -> unicode:characters_to_binary([233, <<233>>], latin1) end),
    t("to_binary/2 latin1 bad", fun() -> unicode:characters_to_binary([256], latin1) end),
    t("to_binary bad enc", fun() -> unicode:characters_to_binary("a", foo) end),
    t("to_binary bad out enc", fun() -> unicode:characters_to_binary("a", unicode, foo) end),
    t("to_list bad enc", fun() -> unicode:characters_to_list("a", {utf16, middle}) end),
    t("empty", fun() -> {unicode:characters_to_binary([]), unicode:characters_to_list(<<>>),
                         unicode:characters_to_binary([[], <<>>], unicode, utf32)} end),
    Long = lists:seq(1, 3000) ++ [16#20ac || _ <- lists:seq(1, 500)],
    t("long", fun() -> B = unicode:characters_to_binary(Long), {byte_size(B), unicode:characters_to_list(B) =:= Long} end),
    t("long error", fun() -> {error, D, R} = unicode:characters_to_binary(Long ++ [-5, $z]), {byte_size(D), R} end),
    t("long utf16", fun() -> B = unicode:characters_to_binary(Long, unicode, utf16), {byte_size(B), unicode:characters_to_list(B, utf16) =:= Long} end),
    t("bom", fun() -> [unicode:bom_to_encoding(B) || B <- [<<16#ef, 16#bb, 16#bf>>, <<16#fe, 16#ff>>, <<16#ff, 16#fe>>,
                                                           <<0, 0, 16#fe, 16#ff>>, <<16#ff, 16#fe, 0, 0>>, <<"x">>]] end),
    t("encoding_to_bom", fun() -> [unicode:encoding_to_bom(E) || E <- encs()] end),
    ok.
