%% Covers the errors after a partial binary match: function_clause (its
%% arguments are the original binaries, not match contexts), case_clause
%% and badmatch, in heads, recursion, guards and with bound segments.
-module(bs_match_errors).
-export([main/0, id/1]).
id(X) -> X.
t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).
f(<<1, X:8, _/binary>>, a) -> X;
f(<<2, Y:16>>, b) -> Y.
g(<<A, Rest/binary>>, N) when N > 0 -> g(Rest, N - 1 + A * 0);
g(<<"end">>, 0) -> done.
h(<<X:4, Rest/bits>>) when X > 100 -> Rest.
k(<<N, B:N/binary, _/binary>>, B) -> B.
main() ->
    t("fc partial", fun() -> f(id(<<1, 2, 3>>), b) end),
    t("fc partial2", fun() -> f(id(<<2, 0, 1, 9>>), b) end),
    t("fc recursion", fun() -> g(id(<<1, 2, 3, "en">>), 3) end),
    t("fc guard", fun() -> h(id(<<255>>)) end),
    t("fc bound", fun() -> k(id(<<2, "ab", "c">>), <<"ax">>) end),
    t("case partial", fun() -> case id(<<1, 2, 3>>) of <<1, 3, _/binary>> -> one; <<2, _/binary>> -> two end end),
    t("badmatch partial", fun() -> <<1, 3, _/binary>> = id(<<1, 2, 3>>) end),
    t("badmatch sub", fun() -> <<_, T/binary>> = id(<<1, 2, 3>>), <<9, _/binary>> = T end),
    ok.
