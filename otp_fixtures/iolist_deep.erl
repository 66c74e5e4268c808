%% Covers iolists nested 100,000 deep (both ways) through every BIF that
%% walks them: list_to_binary, iolist_size, iolist_to_binary,
%% list_to_bitstring, term_to_binary/binary_to_term, unicode, crc32, md5,
%% phash2, comparison, and erlang:iolist_to_iovec.
-module(iolist_deep).
-export([main/0]).
t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, element(1, hd(S)), element(2, hd(S))} end,
    io:format("~s: ~w~n", [Name, R]).
deep(0, Acc) -> Acc;
deep(N, Acc) -> deep(N - 1, [Acc, N band 255]).
deep2(0, Acc) -> Acc;
deep2(N, Acc) -> deep2(N - 1, [N band 255 | [Acc]]).
main() ->
    D = deep(100000, <<"x">>),
    D2 = deep2(100000, []),
    t("deep l2b", fun() -> erlang:md5(list_to_binary(D)) end),
    t("deep iolist_size", fun() -> iolist_size(D) end),
    t("deep iolist_to_binary", fun() -> byte_size(iolist_to_binary(D2)) end),
    t("deep list_to_bitstring", fun() -> bit_size(list_to_bitstring([D, <<1:1>>])) end),
    t("deep t2b", fun() -> byte_size(term_to_binary(D)) end),
    t("deep b2t", fun() -> binary_to_term(term_to_binary(D)) =:= D end),
    t("deep unicode", fun() -> byte_size(unicode:characters_to_binary(D2)) end),
    t("deep iolist_to_iovec", fun() -> iolist_size(erlang:iolist_to_iovec(D)) end),
    t("deep crc", fun() -> erlang:crc32(D) end),
    t("deep md5", fun() -> erlang:md5(D2) end),
    t("deep phash2", fun() -> erlang:phash2(D) end),
    t("deep compare", fun() -> D =:= deep(100000, <<"x">>) end),
    t("iolist_to_iovec", fun() -> [erlang:iolist_to_iovec(X) || X <- [[], <<>>, [<<"a">>, "bc", [<<"d">>]], [binary:copy(<<1>>, 100), "x"], <<1,2,3>>]] end),
    t("iolist_to_iovec bad", fun() -> erlang:iolist_to_iovec([a]) end),
    ok.
