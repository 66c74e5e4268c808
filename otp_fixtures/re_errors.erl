%% Covers re's errors: badarg with error_info (and `cause => badopt` for
%% bad option lists) from run/compile/internal_run/inspect, compile
%% errors {error, {Text, Offset}} and {error, {compile, _}} with
%% report_errors, bad subjects and patterns, forged pattern tuples, bad
%% capture specifications, and the errors re.erl raises for replace and
%% split. Only compile errors whose PCRE1 text and offset cbeam reproduces
%% are here; docs/architecture.md lists the differences.
-module(re_errors).
-export([main/0]).

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, top(S)} end,
    io:format("~s: ~p~n", [Name, R]).

%% The raising BIF's frame, its arguments only counted (a compiled pattern
%% holds PCRE's code in OTP and cbeam's own form).
top([{M, F, A, Info} | _]) when M =:= re; M =:= erlang ->
    {M, F, arity(A), [I || {error_info, _} = I <- Info]};
top(_) -> other.

arity(A) when is_list(A) -> length(A);
arity(A) -> A.

main() ->
    Bad = ["a\\", "\\c", "a{3,2}", "a{99999}", "x{99999}", "[abc", "[z-a]", "*a", "+", "a**", "(abc", "((a)", "a)", "())",
           "(?#abc", "(?<a", "[[:alpha:]", "(?<n", "(?C256)", "(?C12", "(?<1n>a)", "\\p", "\\o", "(?R",
           "(*FOO)", "\\o{8}", "(*MARK)", "\\x{zz", [92, 99, 128], "\\x{d800}", "\\x{110000}", "\\x{}",
           "[[.a.]]", "[[:foo:]]", "(?-0)", "(?+0)", "\\k", "a\\kb", "\\777", "ab\\400", "(?|(?<a>x)|(?<b>y))",
           "(?<n>a)(?<n>b)", "x(?<n>a)|(?<n>b)", "\\L", "ab\\L", "(a)\\u", "[\\N]", "x[a\\N]", "[b-\\d]",
           "x[a-\\w]", "\\p{Foo}", "ab\\p{Xyz}c", "\\P{Qq}", "\\2(a)", "(a)\\3", "(?<=a+)b", "x(?<=ab*)",
           "(?(1)a|b|c)", "(?(2)a)", "(?(abc", "(?(ab)x)", "a(?", "ab(?", "(?P", "x(?Px", "(?i", "(?P<", "(?P<n",
           "\\g", "a\\g", "\\g{", "(?<n>a)\\k<m>", "(?&foo)", "(?(<foo>)a)"],
    [t(io_lib:format("compile ~p", [P]), fun() -> re:compile(P) end) || P <- Bad],
    [t(io_lib:format("compile unicode ~p", [P]), fun() -> re:compile(P, [unicode]) end)
     || P <- [<<"\\x{d800}">>, <<"\\x{110000}">>, <<"(">>, <<"a", 255>>, <<"ab", 16#e4, "x">>, [256, $(]]],
    t("run compile error", fun() -> re:run("a", "(") end),
    t("run report_errors", fun() -> re:run("a", "(", [report_errors]) end),
    t("run report_errors unicode", fun() -> re:run(<<"a">>, <<"[">>, [report_errors, unicode]) end),
    t("compile badopt", fun() -> re:compile("a", [foo]) end),
    t("compile run opt", fun() -> re:compile("a", [global]) end),
    t("compile offset opt", fun() -> re:compile("a", [{offset, 1}]) end),
    t("compile improper opts", fun() -> re:compile("a", [caseless | foo]) end),
    t("compile opts not list", fun() -> re:compile("a", caseless) end),
    t("compile bad pattern", fun() -> re:compile(foo) end),
    t("compile bad iolist", fun() -> re:compile([256]) end),
    t("compile bitstring", fun() -> re:compile(<<1:3>>) end),
    t("run badopt", fun() -> re:run("a", "a", [foo]) end),
    t("run bad offset", fun() -> re:run("a", "a", [{offset, -1}]) end),
    t("run bad newline", fun() -> re:run("a", "a", [{newline, foo}]) end),
    t("run bad match_limit", fun() -> re:run("a", "a", [{match_limit, x}]) end),
    t("run 4-tuple opt", fun() -> re:run("a", "a", [{capture, all, list, x}]) end),
    t("run bad capture type", fun() -> re:run("a", "a", [{capture, all, foo}]) end),
    t("run bad capture values", fun() -> re:run("a", "a", [{capture, foo}]) end),
    t("run bad capture item", fun() -> re:run("a", "a", [{capture, [1.0]}]) end),
    t("run negative capture", fun() -> re:run("a", "a", [{capture, [-1]}]) end),
    t("run improper capture", fun() -> re:run("a", "a", [{capture, [1 | 2]}]) end),
    t("run bad subject", fun() -> re:run(abc, "a") end),
    t("run bad subject list", fun() -> re:run([256], "a") end),
    t("run bad pattern", fun() -> re:run("a", abc) end),
    t("run bad pattern tuple", fun() -> re:run("a", {re_pattern, 0, 0, 0}) end),
    t("run forged pattern", fun() -> re:run("a", {re_pattern, 0, 0, 0, <<"junk">>}) end),
    t("run forged pattern 2", fun() -> re:run("a", {re_pattern, a, 0, 0, <<>>}) end),
    {ok, MP} = re:compile("a"),
    t("run compiled with compile opt", fun() -> re:run("a", MP, [caseless]) end),
    t("run compiled with unicode", fun() -> re:run("a", MP, [unicode]) end),
    t("run compiled anchored ok", fun() -> re:run("a", MP, [anchored, {newline, lf}, bsr_unicode]) end),
    t("run invalid utf8", fun() -> re:run(<<"a", 255>>, <<"a">>, [unicode]) end),
    t("run invalid utf8 before offset", fun() -> re:run(<<255, "ab">>, <<"b">>, [unicode, {offset, 1}]) end),
    t("run offset inside char", fun() -> re:run(<<"xäy"/utf8>>, <<"y">>, [unicode, {offset, 2}]) end),
    t("internal_run bad first", fun() -> re:internal_run("a", "a", [], maybe) end),
    t("internal_run", fun() -> {re:internal_run("ab", "b", [], true), re:internal_run("ab", "b", [], false)} end),
    t("inspect badarg", fun() -> re:inspect(foo, namelist) end),
    t("replace bad", fun() -> re:replace("a", "(", "b") end),
    t("replace bad subject", fun() -> re:replace(foo, "a", "b") end),
    t("split bad", fun() -> re:split("a", "(") end),
    t("split bad opt", fun() -> re:split("a", "a", [foo]) end),
    ok.
