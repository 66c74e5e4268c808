%% Covers binaries as text: io_lib ~p/~tp/~w/~s/~ts/~P/~W of unicode,
%% Latin-1, unprintable and long binaries; string functions on binaries;
%% unicode normalisation to binaries; binary:encode_hex/decode_hex.
-module(bin_text).
-export([main/0]).
t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, element(1, hd(S)), element(2, hd(S))} end,
    io:format("~s: ~w~n", [Name, R]).
main() ->
    U = <<"Ünïcödé ΑΒΓ 日本語 😀 e\x{301}"/utf8>>,
    t("pw", fun() -> iolist_to_binary(io_lib:format("~p|~tp|~w|~s|~ts|~10.3s|~-10ts|", [U, U, U, <<"abc">>, U, <<"abcdefgh">>, <<"αβ"/utf8>>])) end),
    t("p latin1", fun() -> iolist_to_binary(io_lib:format("~p ~p ~p ~p", [<<"caf", 233>>, <<0, 1, 2>>, <<"a\nb\tc">>, <<"abc", 1:3>>])) end),
    t("p long", fun() -> iolist_to_binary(io_lib:format("~p", [binary:copy(<<"abcdefghij">>, 20)])) end),
    t("p long bytes", fun() -> iolist_to_binary(io_lib:format("~p", [list_to_binary(lists:seq(0, 255))])) end),
    t("P depth", fun() -> iolist_to_binary(io_lib:format("~P", [[<<"a">>, binary:copy(<<1>>, 50)], 5])) end),
    t("W", fun() -> iolist_to_binary(io_lib:format("~W", [binary:copy(<<1>>, 50), 3])) end),
    t("string fns", fun() -> {string:length(U), string:slice(U, 3, 4), string:find(U, <<"日"/utf8>>), string:split(U, " ", all),
                               string:uppercase(U), string:titlecase(<<"ürst">>), string:next_grapheme(<<"e\x{301}x"/utf8>>),
                               string:to_integer(<<"123abc">>), string:to_float(<<"1.5e3rest">>), string:trim(<<"\t x \n">>),
                               string:take(U, "Ün"), string:chomp(<<"line\r\n">>), string:jaro_similarity(<<"abc">>, <<"abd">>)} end),
    t("unicode nf", fun() -> {unicode:characters_to_nfc_binary(<<"e\x{301}"/utf8>>), unicode:characters_to_nfd_binary(<<"é"/utf8>>),
                              unicode:characters_to_nfkc_binary(<<"ﬁ"/utf8>>), unicode:characters_to_nfkd_list(<<"①"/utf8>>)} end),
    t("binary hex", fun() -> {binary:encode_hex(<<1, 171, 255>>), binary:decode_hex(<<"01ABff">>), catch binary:decode_hex(<<"0">>)} end),
    ok.
