%% Covers re:run/2,3 (default captures, match/nomatch, offsets, iodata
%% subjects and patterns, sub-binaries of binary subjects), re:compile/1,2
%% and compiled patterns (the tuple's counts and flags, never its binary,
%% which is PCRE's code in OTP and cbeam's own form), global matching
%% (re:grun), re:replace/3,4 and re:split/2,3 with their options, and
%% re:inspect/2.
-module(re_basic).
-export([main/0]).

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, top(S)} end,
    io:format("~s: ~p~n", [Name, R]).

%% The raising BIF's frame (re.erl frames carry OTP's own line numbers,
%% which cbeam runs unmodified, but keep the output short).
top([{M, F, A, _} | _]) when M =:= re; M =:= erlang -> {M, F, length_or(A)};
top(_) -> other.

length_or(A) when is_list(A) -> length(A);
length_or(A) -> A.

mp({ok, {re_pattern, N, U, C, B}}) when is_binary(B) -> {ok, {re_pattern, N, U, C}};
mp(Other) -> Other.

main() ->
    S = "the cat sat on the mat",
    B = <<"the cat sat on the mat">>,
    t("run 2", fun() -> re:run(S, "at") end),
    t("run nomatch", fun() -> re:run(S, "dog") end),
    t("run groups", fun() -> re:run(S, "(c|m)(a)(t)") end),
    t("run unset trailing", fun() -> re:run("ab", "(a)|(b)") end),
    t("run unset middle", fun() -> re:run("b", "(a)|(b)") end),
    t("run binary subject", fun() -> re:run(B, <<"s(a)t">>) end),
    t("run iolist subject", fun() -> re:run(["th", [<<"e c">>, $a] | <<"t">>], "e (ca)") end),
    t("run iolist pattern", fun() -> re:run(S, [<<"s">>, "a" | <<"t">>]) end),
    t("run empty pattern", fun() -> re:run(S, []) end),
    t("run empty subject", fun() -> re:run("", "x*") end),
    t("run offset", fun() -> re:run(S, "at", [{offset, 6}]) end),
    t("run offset end", fun() -> re:run(S, "$", [{offset, 22}]) end),
    t("run binary capture", fun() -> re:run(B, "(\\w+) (\\w+)", [{capture, all, binary}]) end),
    t("run list capture", fun() -> re:run(B, "(\\w+) (\\w+)", [{capture, all, list}]) end),
    t("run big binary", fun() -> Big = list_to_binary(lists:duplicate(100, "abc") ++ "xyz"),
                                  {match, [X]} = re:run(Big, "c(x)y", [{capture, [1], binary}]),
                                  {X, binary:referenced_byte_size(X) >= 1} end),
    t("compile", fun() -> mp(re:compile("(a)(b)?")) end),
    t("compile opts", fun() -> mp(re:compile(<<"x">>, [caseless, multiline])) end),
    t("compile crlf", fun() -> mp(re:compile("x", [{newline, crlf}])) end),
    t("compile anycrlf", fun() -> mp(re:compile("x", [{newline, anycrlf}])) end),
    t("compile unicode", fun() -> mp(re:compile(<<"ä"/utf8>>, [unicode])) end),
    t("compile unicode list", fun() -> mp(re:compile([$a, 16#3b1], [unicode])) end),
    t("compile no_auto_capture", fun() -> mp(re:compile("(a)(?<n>b)", [no_auto_capture])) end),
    {ok, MP} = re:compile("(?<first>\\w)(\\w*)"),
    t("run compiled", fun() -> re:run(S, MP) end),
    t("run compiled opts", fun() -> re:run(S, MP, [{offset, 4}, {capture, [first, 2], list}]) end),
    t("run compiled twice", fun() -> {re:run("x", MP), re:run("yz", MP)} end),
    t("compiled is term", fun() -> {ok, MP2} = re:compile("(?<first>\\w)(\\w*)"), MP2 =:= MP end),
    t("compiled survives t2b", fun() -> re:run(S, binary_to_term(term_to_binary(MP)), [{capture, first, list}]) end),
    t("global", fun() -> re:run(S, "[a-z]at", [global]) end),
    t("global groups", fun() -> re:run(S, "([a-z])at", [global, {capture, all_but_first, list}]) end),
    t("global empty matches", fun() -> re:run("abc", "x*", [global]) end),
    t("global compiled", fun() -> re:run(B, MP, [global, {capture, [first], binary}]) end),
    t("global nomatch", fun() -> re:run(S, "dog", [global]) end),
    t("global crlf", fun() -> re:run("a\r\nb\r\n", "$", [global, multiline, {newline, crlf}]) end),
    t("global anycrlf empty", fun() -> re:run("\r\n\r\n", "", [global, {newline, anycrlf}]) end),
    t("replace", fun() -> re:replace(S, "at", "og") end),
    t("replace list", fun() -> re:replace(S, "at", "og", [{return, list}]) end),
    t("replace global binary", fun() -> re:replace(S, "(.)at", "\\1og&", [global, {return, binary}]) end),
    t("replace escapes", fun() -> re:replace("abc", "b", "[\\&\\\\\\9]", [{return, list}]) end),
    t("replace group 10", fun() -> re:replace("abcdefghijk", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)", "\\10-\\1", [{return, list}]) end),
    t("replace nomatch", fun() -> re:replace(S, "dog", "cat", [{return, list}]) end),
    t("replace compiled", fun() -> re:replace(S, MP, "<&>", [global, {return, list}]) end),
    t("replace bad return", fun() -> re:replace(S, "a", "b", [{return, foo}]) end),
    t("replace capture opt", fun() -> re:replace(S, "a", "b", [{capture, all}]) end),
    t("split", fun() -> re:split("a,b,,c,,", ",") end),
    t("split list", fun() -> re:split("a,b,,c,,", ",", [{return, list}]) end),
    t("split trim", fun() -> re:split("a,b,,c,,", ",", [trim, {return, list}]) end),
    t("split parts", fun() -> re:split("a,b,,c,,", ",", [{parts, 2}, {return, list}]) end),
    t("split parts 0", fun() -> re:split("a,b,,c,,", ",", [{parts, 0}, {return, list}]) end),
    t("split parts inf", fun() -> re:split("a,b,,c,,", ",", [{parts, infinity}, {return, list}]) end),
    t("split groups", fun() -> re:split("a1b22c", "([0-9])+", [{return, list}]) end),
    t("split group", fun() -> re:split("a1b22c", "([0-9])+", [group, {return, list}]) end),
    t("split empty", fun() -> re:split("abc", "", [{return, list}]) end),
    t("split compiled", fun() -> {ok, C} = re:compile("\\s+"), re:split(<<"a  b\tc">>, C) end),
    t("split global opt", fun() -> re:split("a", "a", [global]) end),
    t("split bad parts", fun() -> re:split("a", "a", [{parts, -1}]) end),
    t("inspect", fun() -> {ok, C} = re:compile("(?<zed>a)(?<alpha>b)(c)"), re:inspect(C, namelist) end),
    t("inspect none", fun() -> {ok, C} = re:compile("(a)"), re:inspect(C, namelist) end),
    t("inspect dupnames", fun() -> {ok, C} = re:compile("(?<n>a)|(?<n>b)|(?<m>c)", [dupnames]), re:inspect(C, namelist) end),
    t("inspect bad", fun() -> re:inspect(MP, names) end),
    t("inspect not pattern", fun() -> re:inspect({re_pattern, 0, 0, 0, <<"junk">>}, namelist) end),
    t("version", fun() -> is_binary(re:version()) end),
    ok.
