%% Covers edge cases: 16- and 32-bit floats (subnormals, rounding, overflow,
%% inf/NaN patterns), order, equality and hashes of bitstrings, the ETF of
%% bitstrings (BIT_BINARY_EXT), and unaligned binaries passed to every
%% binary BIF and the binary, unicode and base64 modules.
-module(bits_edge).
-export([main/0, id/1]).
id(X) -> X.
t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).
main() ->
    [t(io_lib:format("f16 ~w", [F]), fun() -> B = <<(id(F)):16/float>>, <<G:16/float>> = B, {B, G} end)
     || F <- [1.0e-7, 6.0e-8, 5.9e-8, 2.9e-8, 3.0e-8, 65519.0, 65520.0, 65504.0, 1.0e10, -1.0e10, 0.1, 1/3, 2049.0, 2051.0, 1 bsl 20, -0.0]],
    [t(io_lib:format("f32 ~w", [F]), fun() -> B = <<(id(F)):32/float>>, <<G:32/float>> = B, {B, G} end)
     || F <- [1.0e-45, 1.0e-46, 3.5e38, 3.4028235677973366e38, 3.4028234663852886e38, 1.0e39, -1.0e39, 0.1, 1 bsl 128]],
    [t(io_lib:format("f16 match ~w", [B]), fun() -> <<G:16/float>> = B, G end)
     || B <- [<<16#0001:16>>, <<16#03ff:16>>, <<16#7bff:16>>, <<16#fc00:16>>, <<16#7c01:16>>, <<16#8000:16>>]],
    [t(io_lib:format("cmp ~w ~w", [A, B]), fun() -> {A < B, A == B, A > B, erlang:phash2(A), erlang:phash2(B)} end)
     || {A, B} <- [{<<1:1>>, <<1>>}, {<<1:1>>, <<128>>}, {<<128>>, <<1:1>>}, {<<1, 2:3>>, <<1, 2:4>>}, {<<1, 64:7>>, <<1, 128>>},
                   {<<>>, <<0:1>>}, {<<0:1>>, <<0:2>>}, {<<255:8, 1:1>>, <<255:8, 1:2>>}]],
    t("sort bits", fun() -> lists:sort([<<1:1>>, <<1>>, <<0:1>>, <<>>, <<128>>, <<1:2>>, <<2:2>>, <<64:7>>, <<129>>]) end),
    t("hash bits", fun() -> [erlang:phash2(X) || X <- [<<1:1>>, <<1,2,3:5>>, binary:copy(<<7>>, 100)]] end),
    t("t2b bits", fun() -> [term_to_binary(X) || X <- [<<1:1>>, <<1,2,3:5>>]] end),
    t("b2t bits", fun() -> binary_to_term(<<131,77,0,0,0,1,3,160>>) end),
    t("b2t bits 0", fun() -> binary_to_term(<<131,77,0,0,0,1,0,160>>) end),
    t("b2t bits 0 empty", fun() -> binary_to_term(<<131,77,0,0,0,0,0>>) end),
    t("b2t bits 8", fun() -> binary_to_term(<<131,77,0,0,0,1,8,160>>) end),
    t("b2t bits 9", fun() -> binary_to_term(<<131,77,0,0,0,1,9,160>>) end),
    t("b2t bits garbage", fun() -> binary_to_term(<<131,77,0,0,0,1,3,255>>) end),
    t("unaligned sub ops", fun() -> <<_:1, B:40/bits, _/bits>> = id(<<"abcdefgh">>),
        {byte_size(B), bit_size(B), binary:part(B, 1, 2), B =:= <<(id(<<"abcdefgh">>)):40/bits>>, catch binary_to_list(B), bitstring_to_list(B),
         catch split_binary(B, 2), iolist_to_binary([B]), catch list_to_binary([B]), list_to_bitstring([B, <<1:1>>])} end),
    t("unaligned binary", fun() -> <<_:1, B:40/binary, _/bits>> = id(binary:copy(<<"abcdefgh">>, 6)),
        {B, binary:match(B, <<"def">>), binary:split(B, <<"d">>, [global]), binary:replace(B, <<"a">>, <<"A">>, [global]),
         binary_to_list(B, 3, 5), binary:bin_to_list(B), binary:copy(B, 2) =:= <<B/binary, B/binary>>, binary:first(B), binary:last(B),
         binary:decode_unsigned(binary:part(B, 0, 3)), binary_to_atom(binary:part(B, 0, 3), latin1), binary_to_integer(<<(binary:part(B, 0, 0))/binary, "12">>),
         unicode:characters_to_list(B), base64:encode(B), erlang:md5(B), erlang:crc32(B), binary:longest_common_prefix([B, <<"bcd">>]),
         term_to_binary(B), erlang:phash2(B), erlang:external_size(B), binary_to_term(term_to_binary(B)) =:= B} end),
    t("unaligned b2t", fun() -> T = term_to_binary({a, "bc", 1.5}), <<_:3, B:(byte_size(T))/binary, _:5>> = <<0:3, T/binary, 0:5>>, binary_to_term(B) end),
    t("unaligned decode", fun() -> <<_:3, B/binary>> = <<0:3, "Y2JlYW0=", 0:5>>, {base64:decode(B), binary_to_integer(binary:part(<<0:3, "12", 0:5>>, 0, 0))} end),
    ok.
