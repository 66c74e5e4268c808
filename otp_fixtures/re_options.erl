%% Covers every re compile option (anchored, caseless, dollar_endonly,
%% dotall, extended, firstline, multiline, no_auto_capture, dupnames,
%% ungreedy, newline variants and their combinations, bsr_anycrlf,
%% bsr_unicode, no_start_optimize, ucp, never_utf, unicode) and run option
%% (global, offset, notbol, noteol, notempty, notempty_atstart, anchored,
%% report_errors, capture in every form, match_limit,
%% match_limit_recursion, {newline, _} at run time), OTP's Latin-1
%% character classes, and named groups.
-module(re_options).
-export([main/0]).

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:_ -> {C, E} end,
    io:format("~s: ~p~n", [Name, R]).

run(S, P, O) -> re:run(S, P, O).

main() ->
    t("anchored", fun() -> {run("xab", "ab", [anchored]), run("abx", "ab", [anchored])} end),
    t("anchored compiled", fun() -> {ok, C} = re:compile("ab", [anchored]), run("xab", C, []) end),
    t("anchored at run", fun() -> {ok, C} = re:compile("ab"), {run("xab", C, [anchored]), run("xab", C, [anchored, {offset, 1}])} end),
    t("caseless", fun() -> run("ABC", "b", [caseless]) end),
    t("caseless latin1", fun() -> {run([196], [228], [caseless]), run([16#D7], [16#F7], [caseless])} end),
    t("dollar_endonly", fun() -> {run("a\n", "a$", []), run("a\n", "a$", [dollar_endonly])} end),
    t("dotall", fun() -> {run("a\nb", "a.b", []), run("a\nb", "a.b", [dotall])} end),
    t("extended", fun() -> run("ab", "a  b # comment", [extended]) end),
    t("firstline", fun() -> {run("x\nab", "ab", []), run("x\nab", "ab", [firstline])} end),
    t("multiline", fun() -> {run("a\nb", "^b", []), run("a\nb", "^b", [multiline])} end),
    t("no_auto_capture", fun() -> run("ab", "(a)(?<n>b)", [no_auto_capture]) end),
    t("dupnames", fun() -> run("b", "(?<n>a)|(?<n>b)", [dupnames, {capture, [n], list}]) end),
    t("dupnames all_names", fun() -> run("bc", "(?<n>a)|(?<n>b)(?<m>c)", [dupnames, {capture, all_names, index}]) end),
    t("dup names refused", fun() -> re:compile("(?<n>a)|(?<n>b)") end),
    t("ungreedy", fun() -> {run("aaa", "a+", []), run("aaa", "a+", [ungreedy])} end),
    t("no_start_optimize", fun() -> run("abc", "c", [no_start_optimize]) end),
    t("ucp", fun() -> {run(<<"é"/utf8>>, "\\w", [unicode]), run(<<"é"/utf8>>, "\\w", [unicode, ucp]),
                       run(<<"α"/utf8>>, "\\w", [unicode]), run(<<"α"/utf8>>, "\\w", [unicode, ucp])} end),
    t("never_utf", fun() -> {run("a", "a", [never_utf]), re:compile("a", [never_utf, unicode])} end),
    t("latin1 classes", fun() -> [run([C], P, []) || C <- [228, 181, 170, 160, 215, 247, 223], P <- ["\\w", "\\s", "[[:alpha:]]", "[[:punct:]]", "[[:lower:]]", "[[:upper:]]"]] end),
    t("latin1 unicode no ucp", fun() -> run(<<"ä"/utf8>>, "\\w", [unicode]) end),
    Nl = "a\rb\nc\r\nd",
    [t(io_lib:format("newline ~p", [N]), fun() -> run(Nl, "^.", [global, multiline | N]) end)
     || N <- [[], [{newline, cr}], [{newline, lf}], [{newline, crlf}], [{newline, any}], [{newline, anycrlf}],
              [{newline, cr}, {newline, lf}], [{newline, any}, {newline, cr}], [{newline, lf}, {newline, any}]]],
    [t(io_lib:format("compile newline ~p", [N]), fun() -> case re:compile("a", N) of {ok, {re_pattern, A, U, C, _}} -> {A, U, C}; E -> E end end)
     || N <- [[{newline, cr}], [{newline, crlf}], [{newline, any}], [{newline, anycrlf}], [{newline, lf}, {newline, any}],
              [{newline, crlf}, {newline, any}], [bsr_anycrlf, bsr_unicode], [{newline, nul}], [{newline, "lf"}]]],
    t("newline at run", fun() -> {ok, C} = re:compile(".$", [multiline]),
                                  {run(Nl, C, [global]), run(Nl, C, [global, {newline, crlf}]), run(Nl, C, [global, {newline, cr}])} end),
    t("bsr", fun() -> {run([16#85], "\\R", []), run([16#85], "\\R", [bsr_anycrlf]), run([16#85], "\\R", [bsr_unicode])} end),
    t("bsr at run", fun() -> {ok, C} = re:compile("\\R"), {run([16#85], C, []), run([16#85], C, [bsr_anycrlf])} end),
    t("notbol", fun() -> {run("ab", "^a", [notbol]), run("ab", "^a", [notbol, multiline])} end),
    t("noteol", fun() -> run("ab", "b$", [noteol]) end),
    t("notempty", fun() -> {run("abc", "x*", []), run("abc", "x*", [notempty]), run("abc", "a*", [notempty])} end),
    t("notempty_atstart", fun() -> {run("bc", "a*", [notempty_atstart]), run("abc", "a*", [notempty_atstart])} end),
    t("offset", fun() -> [run("abcabc", "b", [{offset, O}]) || O <- [0, 1, 2, 5, 6]] end),
    t("offset bol", fun() -> run("abcabc", "^a", [{offset, 3}]) end),
    C3 = "x(a)?(?<nm>b)(c)",
    [t(io_lib:format("capture ~p", [Cap]), fun() -> run("xbc", C3, [Cap]) end)
     || Cap <- [{capture, all}, {capture, all_but_first}, {capture, first}, {capture, none}, {capture, []},
                {capture, all_names}, {capture, [1, 2, 3, 4, 0]}, {capture, [nm, "nm", <<"nm">>, 1, nope]},
                {capture, all, index}, {capture, all, list}, {capture, all, binary}, {capture, all_but_first, binary},
                {capture, [1, nm], list}, {capture, [1, nm], binary}, {capture, none, binary},
                {capture, all_names, binary}, {capture, [["n", <<"m">>]], list}]],
    t("capture all_names none", fun() -> run("a", "(a)", [{capture, all_names}]) end),
    t("capture unset all list", fun() -> run("b", "(a)?b", [{capture, all, list}]) end),
    t("capture unset all binary", fun() -> run(<<"b">>, "(a)?b", [{capture, all, binary}]) end),
    t("capture last wins", fun() -> run("ab", "(a)(b)", [{capture, first}, {capture, all_but_first, list}]) end),
    Bomb = lists:duplicate(24, $a) ++ "b",
    t("match_limit", fun() -> {run(Bomb, "(a+)+$", [report_errors, {match_limit, 100}]), run(Bomb, "(a+)+$", [{match_limit, 100}])} end),
    t("match_limit ok", fun() -> run("aab", "a+b", [report_errors, {match_limit, 1000000}]) end),
    t("match_limit_recursion", fun() -> {run(Bomb, "(a+)+$", [report_errors, {match_limit_recursion, 2}]), run(Bomb, "(a+)+$", [{match_limit_recursion, 2}])} end),
    t("report_errors ok", fun() -> run("abc", "b", [report_errors]) end),
    t("global capture forms", fun() -> [run("a1b2", "([a-z])([0-9])", [global, Cap]) || Cap <- [{capture, first, list}, {capture, none}, {capture, [2], binary}, {capture, all_but_first}]] end),
    t("global offset", fun() -> run("a1b2c3", "[0-9]", [global, {offset, 2}]) end),
    t("global notempty", fun() -> run("abc", "x*", [global, notempty]) end),
    t("global anchored", fun() -> run("aab", "a", [global, anchored]) end),
    t("global report_errors", fun() -> run(Bomb, "(a+)+$", [global, report_errors, {match_limit, 100}]) end),
    t("global compile error report", fun() -> run("a", "(", [global, report_errors]) end),
    t("global compile opts", fun() -> run("A1a2", "a", [global, caseless]) end),
    ok.
