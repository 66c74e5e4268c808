%% Covers: bs_start_match3/4 (function heads, case, reuse of a context
%% across clauses), bs_get_integer2 (sizes, units, little/big/native/
%% signed, variable sizes), bs_get_float2 (16/32/64, NaN/inf rejected),
%% bs_get_binary2 (sizes, all, units), bs_skip_bits2, bs_test_tail2,
%% bs_test_unit, bs_match_string, bs_get_tail, bs_get_position/
%% bs_set_position, bs_get_utf8/16/32 and bs_skip_utf8/16/32 (invalid
%% code points and short input), badmatch and function_clause.
-module(bs_match).
-export([main/0, id/1]).

id(X) -> X.

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).

ints(B, N) ->
    [case B of <<X:N, _/bits>> -> {big, X}; _ -> nomatch end,
     case B of <<X:N/little, _/bits>> -> {little, X}; _ -> nomatch end,
     case B of <<X:N/native, _/bits>> -> {native, X}; _ -> nomatch end,
     case B of <<X:N/signed, _/bits>> -> {signed, X}; _ -> nomatch end,
     case B of <<X:N/signed-little, _/bits>> -> {signed_little, X}; _ -> nomatch end,
     case B of <<_:3, X:N/signed, _/bits>> -> {unaligned, X}; _ -> nomatch end].

floats(B) ->
    [case B of <<X:16/float, _/bits>> -> {f16, X}; _ -> nomatch end,
     case B of <<X:32/float, _/bits>> -> {f32, X}; _ -> nomatch end,
     case B of <<X:64/float, _/bits>> -> {f64, X}; _ -> nomatch end,
     case B of <<X:32/float-little, _/bits>> -> {f32l, X}; _ -> nomatch end,
     case B of <<X:64/float-native, _/bits>> -> {f64n, X}; _ -> nomatch end,
     case B of <<_:1, X:32/float, _/bits>> -> {f32u, X}; _ -> nomatch end].

fsize(B, S) -> case B of <<X:S/float, _/bits>> -> X; _ -> nomatch end.

%% one context, several clauses: positions saved and restored
clauses(<<"GET ", Rest/binary>>) -> {get, Rest};
clauses(<<"POST ", Len:8, Body:Len/binary, _/binary>>) -> {post, Body};
clauses(<<"POST ", Rest/binary>>) -> {post_bad, Rest};
clauses(<<X:4, Y:4, "=", _/bits>>) -> {nibbles, X, Y};
clauses(<<_:7>>) -> seven;
clauses(<<A, B/bits>>) when bit_size(B) rem 8 =:= 0 -> {byte_tail, A, byte_size(B)};
clauses(<<A, B/bits>>) -> {bits_tail, A, bit_size(B)};
clauses(_) -> other.

tlv(<<>>, Acc) -> lists:reverse(Acc);
tlv(<<T:8, L:16, V:L/binary, Rest/binary>>, Acc) -> tlv(Rest, [{T, V} | Acc]);
tlv(Bad, Acc) -> {error, Bad, lists:reverse(Acc)}.

utf8s(<<C/utf8, R/binary>>, Acc) -> utf8s(R, [C | Acc]);
utf8s(R, Acc) -> {lists:reverse(Acc), R}.
utf16s(<<C/utf16, R/binary>>, Acc) -> utf16s(R, [C | Acc]);
utf16s(R, Acc) -> {lists:reverse(Acc), R}.
utf16les(<<C/utf16-little, R/binary>>, Acc) -> utf16les(R, [C | Acc]);
utf16les(R, Acc) -> {lists:reverse(Acc), R}.
utf32s(<<C/utf32, R/binary>>, Acc) -> utf32s(R, [C | Acc]);
utf32s(R, Acc) -> {lists:reverse(Acc), R}.
utf32les(<<C/utf32-little, R/binary>>, Acc) -> utf32les(R, [C | Acc]);
utf32les(R, Acc) -> {lists:reverse(Acc), R}.

count8(<<_/utf8, R/binary>>, N) -> count8(R, N + 1);
count8(R, N) -> {N, R}.
count16(<<_/utf16, R/binary>>, N) -> count16(R, N + 1);
count16(R, N) -> {N, R}.
count32(<<_/utf32-little, R/binary>>, N) -> count32(R, N + 1);
count32(R, N) -> {N, R}.

skip(B, N) -> case B of <<_:N, R/bits>> -> R; _ -> short end.
skip_unit(B, N) -> case B of <<_:N/unit:16, R/bits>> -> R; _ -> short end.
bin_unit(B, N) -> case B of <<X:N/binary-unit:4, R/bits>> -> {X, R}; _ -> nomatch end.
tail_len(B) -> case B of <<_:16>> -> two; <<_:8>> -> one; <<>> -> zero; _ -> other end.
units(B) -> case B of <<_/binary>> -> bytes; <<_:4, _/binary-unit:16>> -> u16; _ -> bits end.
strs(<<"abc", R/bits>>) -> {abc, R};
strs(<<"ab", 1:3, R/bits>>) -> {ab3, R};
strs(<<1:1, "x", R/bits>>) -> {bitx, R};
strs(_) -> none.

main() ->
    Samples = [<<>>, <<1>>, <<255, 254, 253, 252, 251, 250, 249, 248, 247, 246, 245, 244, 243>>,
               <<128, 0, 0, 0, 0, 0, 0, 1, 5:4>>, <<1:1>>, <<16#deadbeef:32, 7:3>>],
    [t(io_lib:format("ints ~w ~w", [B, N]), fun() -> ints(B, N) end)
     || B <- Samples, N <- [0, 1, 5, 8, 13, 32, 60, 64, 65, 96]],
    [t(io_lib:format("floats ~w", [B]), fun() -> floats(B) end)
     || B <- [<<1.5:64/float, 0:8>>, <<-0.25:32/float, 1:64>>, <<16#7ff0000000000000:64>>,
              <<16#7ff8000000000000:64>>, <<16#fff0000000000000:64>>, <<16#7f800000:32, 0:32>>,
              <<16#7c00:16, 0:48>>, <<16#3c00:16, 0:48>>, <<16#7e00:16, 16#7fc00000:32, 0:16>>,
              <<1:5>>, <<1.0:32/float-little, 2.0:32/float-little>>, <<0:1, 1.25:32/float, 0:31>>]],
    t("float var size", fun() -> [fsize(<<2.5:64/float>>, S) || S <- [16, 32, 64, 8, 0, -1]] end),
    t("clauses", fun() -> [clauses(id(B)) || B <- [<<"GET /x">>, <<"POST ", 3, "abcde">>, <<"POST ", 9, "ab">>,
                                                   <<16#12, "=">>, <<1:7>>, <<1, 2, 3>>, <<1, 2:5>>, <<>>, foo]] end),
    t("tlv", fun() -> tlv(<<1, 0, 2, "hi", 2, 0, 0, 3, 0, 5, "abc">>, []) end),
    t("tlv ok", fun() -> tlv(<<1, 0, 2, "hi", 2, 0, 0>>, []) end),
    U = <<"aé€😀"/utf8>>,
    t("utf8", fun() -> utf8s(id(<<U/binary, 16#ff, 16#c0, 16#80>>), []) end),
    t("utf8 overlong", fun() -> utf8s(id(<<16#e0, 16#80, 16#80>>), []) end),
    t("utf8 surrogate", fun() -> utf8s(id(<<16#ed, 16#a0, 16#80>>), []) end),
    t("utf8 too big", fun() -> utf8s(id(<<16#f4, 16#90, 16#80, 16#80>>), []) end),
    t("utf8 short", fun() -> utf8s(id(<<$a, 16#e2, 16#82>>), []) end),
    t("utf8 unaligned", fun() -> <<_:3, R/bits>> = id(<<0:3, "é"/utf8, 0:5>>), utf8s(R, []) end),
    t("utf16", fun() -> utf16s(id(<<"a€😀"/utf16, 16#dc00:16, 1:16>>), []) end),
    t("utf16 lone high", fun() -> utf16s(id(<<16#d800:16, $a:16>>), []) end),
    t("utf16 short", fun() -> utf16s(id(<<$a:16, 16#d83d:16>>), []) end),
    t("utf16le", fun() -> utf16les(id(<<"a€😀"/utf16-little, 0>>), []) end),
    t("utf32", fun() -> utf32s(id(<<$a:32, 16#10ffff:32, 16#110000:32>>), []) end),
    t("utf32 surrogate", fun() -> utf32s(id(<<16#d800:32>>), []) end),
    t("utf32le", fun() -> utf32les(id(<<"a😀"/utf32-little, 1, 2>>), []) end),
    t("skip utf8", fun() -> count8(id(<<U/binary, 16#80>>), 0) end),
    t("skip utf16", fun() -> count16(id(<<"a€😀"/utf16, 16#dc00:16>>), 0) end),
    t("skip utf32", fun() -> count32(id(<<"a😀"/utf32-little, 16#d800:32/little>>), 0) end),
    t("skip bits", fun() -> [skip(id(<<1, 2, 3>>), N) || N <- [0, 3, 8, 24, 25]] end),
    t("skip unit", fun() -> [skip_unit(id(<<1, 2, 3, 4, 5>>), N) || N <- [0, 1, 2, 3]] end),
    t("skip bad size", fun() -> [skip(id(<<1, 2, 3>>), N) || N <- [-1, 1 bsl 70]] end),
    t("binary unit", fun() -> [bin_unit(id(<<1, 2, 3>>), N) || N <- [0, 1, 3, 6, 7]] end),
    t("test tail", fun() -> [tail_len(id(B)) || B <- [<<1, 2>>, <<1>>, <<>>, <<1:4>>, <<1, 2, 3>>]] end),
    t("test unit", fun() -> [units(id(B)) || B <- [<<1, 2>>, <<1:4>>, <<1:20>>, <<1:12>>]] end),
    t("match string", fun() -> [strs(id(B)) || B <- [<<"abcd">>, <<"ab", 1:3, 7:2>>, <<1:1, "x", 3:2>>, <<"ab">>, <<>>]] end),
    t("get tail", fun() -> <<_:5, T/bits>> = id(<<"hello">>), {T, bit_size(T)} end),
    t("binary all unit", fun() -> case id(<<1, 2:4>>) of <<X/binary>> -> X; _ -> not_binary end end),
    t("nested", fun() -> <<A:4, B:4, C/binary>> = id(<<16#ab, "rest">>), <<D:2, E:6>> = C, {A, B, D, E} end),
    t("same var twice", fun() -> case id(<<3, 1, 2, 3, 4>>) of <<N, X:N/binary, N, _/binary>> -> {N, X}; <<N, _:N/binary, Y, _/binary>> -> {other, Y} end end),
    t("big int", fun() -> <<X:200/signed>> = id(<<1:1, 0:199>>), X end),
    t("big int little", fun() -> <<X:72/little>> = id(<<1, 2, 3, 4, 5, 6, 7, 8, 9>>), X end),
    t("badmatch", fun() -> <<X:16>> = id(<<1>>), X end),
    t("badmatch type", fun() -> <<X:8>> = id(foo), X end),
    t("function_clause", fun() -> tlv_strict(id(<<1>>)) end),
    t("case_clause", fun() -> case id(<<1:3>>) of <<X:8>> -> X end end),
    t("huge size", fun() -> S = id(1 bsl 62), case id(<<1, 2>>) of <<X:S>> -> X; _ -> nomatch end end),
    t("neg size", fun() -> S = id(-8), case id(<<1, 2>>) of <<X:S>> -> X; _ -> nomatch end end),
    t("atom size", fun() -> S = id(a), case id(<<1, 2>>) of <<X:S>> -> X; _ -> nomatch end end),
    t("big bin match", fun() -> B = binary:copy(<<"0123456789">>, 100), <<_:500/binary, X:10/binary, R/binary>> = B, {X, byte_size(R)} end),
    t("sub of sub", fun() -> B = binary:copy(<<"ab">>, 100), <<_:3, S/bits>> = B, <<_:5, T:16/bits, _/bits>> = S, T end),
    ok.

tlv_strict(<<T:8, L:8>>) -> {T, L}.
