%% Covers re with the unicode option: character lists and binaries as
%% subjects and patterns (re:urun/ucompile traps), offsets and captures
%% in bytes, list captures converted back to characters, global matching
%% over multi-byte characters, replace and split with unicode, ucp, and
%% (*UTF)/(*CRLF) pattern prefixes.
-module(re_unicode).
-export([main/0]).

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:_ -> {C, E} end,
    io:format("~s: ~w~n", [Name, R]).

main() ->
    S = "αβγ åäö x",
    B = unicode:characters_to_binary(S),
    t("list subject", fun() -> re:run(S, "β", [unicode]) end),
    t("binary subject", fun() -> re:run(B, <<"ä"/utf8>>, [unicode]) end),
    t("list capture", fun() -> re:run(S, "(β)(.)", [unicode, {capture, all, list}]) end),
    t("binary capture", fun() -> re:run(S, "(β)(.)", [unicode, {capture, all, binary}]) end),
    t("list capture binary subject", fun() -> re:run(B, "(β)(.)", [unicode, {capture, all_but_first, list}]) end),
    t("dot is a character", fun() -> re:run(B, "^.", [unicode, {capture, first, list}]) end),
    t("dot is a byte", fun() -> re:run(B, "^.", [{capture, first, list}]) end),
    t("global", fun() -> re:run(S, "[^ ]", [unicode, global, {capture, first, list}]) end),
    t("global binary", fun() -> re:run(B, <<"\\w+"/utf8>>, [unicode, ucp, global, {capture, first, binary}]) end),
    t("global empty", fun() -> re:run("αβ", "", [unicode, global]) end),
    t("offset", fun() -> re:run(B, "[åä]", [unicode, {offset, 8}]) end),
    {ok, MP} = re:compile("(?<g>γ)", [unicode]),
    t("compiled", fun() -> {element(3, MP), re:run(S, MP, [{capture, [g], list}])} end),
    t("compiled binary", fun() -> re:run(B, MP, [{capture, [g], binary}]) end),
    t("compiled global list", fun() -> re:run(S ++ S, MP, [global, {capture, all, list}]) end),
    t("compile list", fun() -> {ok, {re_pattern, N, U, C, _}} = re:compile([$(, 16#3b1, $)], [unicode]), {N, U, C} end),
    t("compile bad list", fun() -> re:compile([$(, 16#110000], [unicode]) end),
    t("caseless", fun() -> re:run("ΑΒΓ", "β", [unicode, caseless]) end),
    t("caseless latin1 chars", fun() -> re:run("Å", "å", [unicode, caseless]) end),
    t("class range", fun() -> re:run("ω", "[α-ω]", [unicode]) end),
    t("property", fun() -> re:run("aΩ", "\\p{Greek}", [unicode]) end),
    t("ucp word", fun() -> {re:run("Ω", "\\w", [unicode]), re:run("Ω", "\\w", [unicode, ucp])} end),
    t("replace", fun() -> re:replace(S, "[αβ]", "<&>", [unicode, global, {return, list}]) end),
    t("replace binary", fun() -> re:replace(B, "ä", "ae", [unicode, {return, binary}]) end),
    t("replace iodata", fun() -> iolist_to_binary(re:replace(S, "ö", "oe", [unicode])) end),
    t("split", fun() -> re:split(S, " ", [unicode, {return, list}]) end),
    t("split binary", fun() -> re:split(B, "[ä ]", [unicode]) end),
    t("split chars", fun() -> re:split("αβγ", "", [unicode, {return, list}]) end),
    t("utf prefix", fun() -> {ok, {re_pattern, _, U, _, _}} = re:compile("(*UTF)a"), {U, re:run(<<"αa"/utf8>>, "(*UTF)^.", [{capture, first, binary}])} end),
    t("crlf prefix", fun() -> {ok, {re_pattern, _, _, C, _}} = re:compile("(*CRLF)a"), C end),
    t("bad subject list", fun() -> re:run([16#110000], "a", [unicode]) end),
    t("latin1 list with unicode", fun() -> re:run([228], [228], [unicode]) end),
    ok.
