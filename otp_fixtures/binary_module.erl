%% Covers the binary module: match/2,3, matches/2,3 (scope, overlapping
%% and longest matches, compiled patterns of one and several needles),
%% split/2,3 (global, trim, trim_all, scope), replace/3,4 (global,
%% insert_replaced, scope), part/2,3, copy/1,2, first, last, at,
%% longest_common_prefix/suffix, encode_unsigned/decode_unsigned (big,
%% little), referenced_byte_size, compile_pattern, bin_to_list/1,2,3,
%% list_to_bin, and the badarg errors with error_info.
-module(binary_module).
-export([main/0, id/1]).

id(X) -> X.

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).

main() ->
    S = <<"the cat sat on the mat with the hat">>,
    CP1 = binary:compile_pattern(<<"at">>),
    CP2 = binary:compile_pattern([<<"at">>, <<"the">>, <<"t">>]),
    Pats = [{N, P} || {N, P} <- lists:zip(lists:seq(1, 7), [<<"at">>, [<<"at">>, <<"the">>], [<<"t">>, <<"th">>, <<"the">>], <<"zzz">>,
                                                             [<<"a">>, <<"at">>], CP1, CP2])],
    [t(io_lib:format("match ~w", [N]), fun() -> binary:match(S, P) end) || {N, P} <- Pats],
    [t(io_lib:format("matches ~w", [N]), fun() -> binary:matches(S, P) end) || {N, P} <- Pats],
    [t(io_lib:format("match scope ~w", [Sc]), fun() -> binary:match(S, <<"at">>, [{scope, Sc}]) end)
     || Sc <- [{0, 5}, {5, 10}, {35, -10}, {10, 0}, {0, 36}, {-1, 2}, {36, 0}, {a, 1}]],
    [t(io_lib:format("matches scope ~w", [Sc]), fun() -> binary:matches(S, [<<"at">>, <<"t">>], [{scope, Sc}]) end)
     || Sc <- [{0, 10}, {10, 25}, {35, -35}]],
    t("matches overlapping", fun() -> binary:matches(<<"aaaa">>, <<"aa">>) end),
    t("matches longest", fun() -> binary:matches(<<"abcde">>, [<<"a">>, <<"abc">>, <<"bcd">>, <<"cde">>]) end),
    t("match empty pattern", fun() -> binary:match(S, <<>>) end),
    t("match empty list", fun() -> binary:match(S, []) end),
    t("match not binary", fun() -> binary:match(foo, <<"a">>) end),
    t("match bits", fun() -> binary:match(<<1, 2:3>>, <<1>>) end),
    t("match bad opt", fun() -> binary:match(S, <<"a">>, [bad]) end),
    t("match sub", fun() -> binary:match(binary:part(S, 4, 10), <<"at">>) end),
    t("compile bad", fun() -> binary:compile_pattern([<<"a">>, <<>>]) end),
    t("compile bad2", fun() -> binary:compile_pattern(foo) end),
    t("compile empty", fun() -> binary:compile_pattern(<<>>) end),
    t("compiled is", fun() -> {T, _} = CP1, T end),
    %% split
    [t(io_lib:format("split ~w ~w", [B, O]), fun() -> binary:split(B, [<<",">>, <<";">>], O) end)
     || B <- [<<"a,b;c,,d,">>, <<",a,,b,,">>, <<>>, <<",">>, <<"abc">>],
        O <- [[], [global], [trim], [global, trim], [global, trim_all], [trim_all], [{scope, {1, 3}}, global]]],
    t("split/2", fun() -> binary:split(<<"k=v=w">>, <<"=">>) end),
    t("split cp", fun() -> binary:split(S, CP1, [global]) end),
    t("split bad", fun() -> binary:split(S, <<>>) end),
    t("split bad opt", fun() -> binary:split(S, <<"a">>, [foo]) end),
    t("split not bin", fun() -> binary:split("abc", <<"a">>) end),
    %% replace
    [t(io_lib:format("replace ~w", [O]), fun() -> binary:replace(S, [<<"at">>, <<"he">>], <<"[]">>, O) end)
     || O <- [[], [global], [{insert_replaced, 1}, global], [{insert_replaced, [0, 2]}, global],
              [{scope, {10, 10}}, global], [{insert_replaced, 5}], [foo]]],
    t("replace/3", fun() -> binary:replace(<<"aXbXc">>, <<"X">>, <<"--">>) end),
    t("replace fun", fun() -> binary:replace(<<"aXbXc">>, <<"X">>, <<"!">>, [global]) end),
    t("replace bad", fun() -> binary:replace(<<"abc">>, <<"b">>, foo) end),
    %% part / copy / first / last / at
    [t(io_lib:format("part ~w", [PL]), fun() -> binary:part(<<"0123456789">>, PL) end)
     || PL <- [{0, 10}, {2, 3}, {10, 0}, {10, -3}, {5, -6}, {11, 0}, {0, 11}, {-1, 2}, foo]],
    t("part/3", fun() -> binary:part(<<"0123456789">>, 3, -2) end),
    [t(io_lib:format("copy ~w ~w", [B, N]), fun() -> binary:copy(B, N) end)
     || {B, N} <- [{<<"ab">>, 0}, {<<"ab">>, 1}, {<<"ab">>, 3}, {<<>>, 5}, {<<"ab">>, -1}, {foo, 1}, {<<1:3>>, 2}, {<<"ab">>, a}]],
    t("copy/1", fun() -> binary:copy(binary:part(S, 4, 3)) end),
    t("referenced_byte_size", fun() -> B = binary:copy(<<"x">>, 1000), P = binary:part(B, 10, 5),
                                       {binary:referenced_byte_size(B), binary:referenced_byte_size(P),
                                        binary:referenced_byte_size(<<"small">>), binary:referenced_byte_size(binary:copy(P))} end),
    t("referenced_byte_size bad", fun() -> binary:referenced_byte_size(foo) end),
    [t(io_lib:format("first/last/at ~w", [B]), fun() -> {binary:first(B), binary:last(B), binary:at(B, 1)} end)
     || B <- [<<"xyz">>, <<"x">>, <<>>, foo, <<1, 2:4>>]],
    [t(io_lib:format("at ~w", [I]), fun() -> binary:at(<<"xyz">>, I) end) || I <- [0, 2, 3, -1, a]],
    %% common prefix / suffix
    [t(io_lib:format("lcp ~w", [L]), fun() -> {binary:longest_common_prefix(L), binary:longest_common_suffix(L)} end)
     || L <- [[<<"foobar">>, <<"foobaz">>, <<"fooqbar">>], [<<"abc">>], [<<"abc">>, <<>>], [<<"same">>, <<"same">>],
              [<<"xbar">>, <<"ybar">>], [], [foo], <<"abc">>, [<<"a">>, <<1:1>>]]],
    %% unsigned
    [t(io_lib:format("encode_unsigned ~w ~w", [I, E]), fun() -> binary:encode_unsigned(I, E) end)
     || I <- [0, 1, 255, 256, 16#102030, 1 bsl 64, (1 bsl 200) - 1, -1, a], E <- [big, little, bad]],
    t("encode_unsigned/1", fun() -> binary:encode_unsigned(16#abcdef) end),
    [t(io_lib:format("decode_unsigned ~w ~w", [B, E]), fun() -> binary:decode_unsigned(B, E) end)
     || B <- [<<>>, <<0>>, <<0, 0, 1>>, <<1, 0, 0>>, <<255, 255, 255, 255, 255, 255, 255, 255, 255>>, <<1:4>>, foo],
        E <- [big, little, bad]],
    t("decode_unsigned/1", fun() -> binary:decode_unsigned(<<1, 2, 3>>) end),
    %% bin_to_list / list_to_bin
    [t(io_lib:format("bin_to_list ~w", [A]), fun() -> apply(binary, bin_to_list, A) end)
     || A <- [[<<"hello">>], [<<"hello">>, {1, 3}], [<<"hello">>, {5, -2}], [<<"hello">>, 1, 2],
              [<<"hello">>, {4, 3}], [<<"hello">>, 1, a], [foo], [<<1:1>>]]],
    t("list_to_bin", fun() -> binary:list_to_bin([1, [<<"x">>], "yz"]) end),
    t("list_to_bin bad", fun() -> binary:list_to_bin([1 | foo]) end),
    ok.
