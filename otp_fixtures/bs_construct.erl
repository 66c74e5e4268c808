%% Covers: bs_create_bin with every segment type (integer, float, binary,
%% utf8/16/32, string, append, private_append), sizes, units, little/big/
%% native/signed, `all`; bs_init_writable (binary comprehensions); the
%% construction errors with their error_info.
-module(bs_construct).
-export([main/0, id/1]).

id(X) -> X.

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).

main() ->
    %% integers: sizes, units, endianness, signedness
    [t(io_lib:format("int ~w:~w ~w", [V, Sz, E]),
       fun() -> case E of
                    big -> <<(id(V)):(id(Sz))/big>>;
                    little -> <<(id(V)):(id(Sz))/little>>;
                    native -> <<(id(V)):(id(Sz))/native>>;
                    signed -> <<(id(V)):(id(Sz))/signed-little>>
                end end)
     || V <- [0, 1, -1, 255, 256, -129, 16#123456789, -16#123456789abcdef0123, 1 bsl 64, 7],
        Sz <- [0, 1, 3, 8, 12, 16, 33, 64, 65, 100],
        E <- [big, little, native, signed]],
    t("int unit", fun() -> <<(id(5)):(id(3))/unit:4, (id(1)):2/unit:3>> end),
    t("int const", fun() -> <<1:1, 2:7, 300:16/little, -2:24/signed, 5:3>> end),
    t("int default size", fun() -> <<(id(300))>> end),
    t("int badarg atom", fun() -> <<(id(a)):8>> end),
    t("int badarg float", fun() -> <<(id(1.5)):8>> end),
    t("int neg size", fun() -> <<(id(1)):(id(-1))>> end),
    t("int atom size", fun() -> <<(id(1)):(id(foo))>> end),
    t("int huge size", fun() -> <<(id(1)):(id(1 bsl 62))>> end),
    %% floats
    [t(io_lib:format("float ~w:~w ~w", [V, Sz, E]),
       fun() -> case E of
                    big -> <<(id(V)):(id(Sz))/float>>;
                    little -> <<(id(V)):(id(Sz))/float-little>>;
                    native -> <<(id(V)):(id(Sz))/float-native>>
                end end)
     || V <- [0.0, 1.5, -2.25, 1.0e300, 3, 1 bsl 70, 65504.0, 70000.0, 1.0e-8],
        Sz <- [16, 32, 64], E <- [big, little, native]],
    t("float bad size", fun() -> <<(id(1.0)):(id(24))/float>> end),
    t("float badarg", fun() -> <<(id(a)):64/float>> end),
    t("float unit", fun() -> <<(id(1.0)):(id(4))/float-unit:8>> end),
    t("float big int", fun() -> <<(id(1 bsl 1100)):64/float>> end),
    %% binaries
    B = id(<<"abcdefgh">>),
    t("bin all", fun() -> <<B/binary, B/bits>> end),
    t("bin size", fun() -> <<B:(id(3))/binary, B:2/binary-unit:16>> end),
    t("bin too short", fun() -> <<B:(id(9))/binary>> end),
    t("bin bitstring", fun() -> <<(id(<<1:3>>))/bits, (id(<<7:5>>))/bitstring, 1:1>> end),
    t("bin bits size", fun() -> <<B:(id(13))/bits>> end),
    t("bin not binary", fun() -> <<(id(<<1:3>>))/binary>> end),
    t("bin badarg", fun() -> <<(id(abc))/binary>> end),
    t("bin list", fun() -> <<(id([1,2]))/binary>> end),
    t("bin unaligned", fun() -> <<1:1, B/binary, 2:7>> end),
    t("bin unit 3", fun() -> <<(id(<<1:6>>)):(id(2))/binary-unit:3>> end),
    %% utf
    [t(io_lib:format("utf ~w ~w", [C, Ty]),
       fun() -> case Ty of
                    utf8 -> <<(id(C))/utf8>>;
                    utf16 -> <<(id(C))/utf16>>;
                    utf16le -> <<(id(C))/utf16-little>>;
                    utf32 -> <<(id(C))/utf32>>;
                    utf32le -> <<(id(C))/utf32-little>>;
                    utf32n -> <<(id(C))/utf32-native>>
                end end)
     || C <- [0, $a, 16#7f, 16#80, 16#7ff, 16#800, 16#ffff, 16#10000, 16#10ffff,
              16#d800, 16#dfff, 16#110000, -1, a, 1.0],
        Ty <- [utf8, utf16, utf16le, utf32, utf32le, utf32n]],
    t("utf const", fun() -> <<"ä€"/utf8, "x"/utf16, $y/utf32-little>> end),
    %% strings
    t("string", fun() -> <<"abc", "", "d">> end),
    t("string unaligned", fun() -> <<1:3, "xyz", 0:5>> end),
    %% append / private_append
    t("append", fun() -> app(id(<<>>), 0) end),
    t("append bits", fun() -> appbits(id(<<>>), 0) end),
    t("append big", fun() -> byte_size(app(id(<<>>), 5000)) end),
    Shared = id(<<"shared">>),
    X1 = <<Shared/binary, "1">>, X2 = <<Shared/binary, "2">>,
    t("append shared", fun() -> {X1, X2, <<X1/binary, X2/binary>>} end),
    t("append not binary", fun() -> <<(id(foo))/binary, 1>> end),
    t("append bits unit", fun() -> <<(id(<<1:1>>))/binary, 1>> end),
    t("priv append comp", fun() -> << <<X:4>> || X <- lists:seq(1, 9) >> end),
    t("priv append big comp", fun() -> erlang:md5(<< <<X:16>> || X <- lists:seq(1, 3000) >>) end),
    t("comp bin gen", fun() -> << <<(X + 1)>> || <<X>> <= <<"HAL">> >> end),
    t("comp utf", fun() -> << <<C/utf8>> || C <- [$a, 16#20ac, 16#1f600] >> end),
    t("comp bits", fun() -> << <<X:1>> || X <- [1, 0, 1, 1] >> end),
    t("comp filter", fun() -> << <<X>> || <<X>> <= <<1,2,3,4,5>>, X rem 2 =:= 1 >> end),
    t("comp badarg", fun() -> << <<X>> || X <- [1, a] >> end),
    %% mixed, sizes computed
    t("mixed", fun() -> N = id(4), <<N:8, B:N/binary, 1.5:32/float, $z/utf8, -1:N/signed>> end),
    t("size expr", fun() -> S = id(2), <<B:(S * 2)/binary-unit:8>> end),
    t("zero size", fun() -> <<(id(99)):0, (id(<<>>))/binary, B:0/binary>> end),
    t("big bin", fun() -> X = binary:copy(<<"0123456789">>, 20), Y = <<X/binary, X/binary, 1:4>>, {bit_size(Y), binary_part(Y, 395, 5)} end),
    %% which error wins: sizes (and binary/all, utf32 types) first, then
    %% the appended binary, then the values, each in segment order
    t("order float", fun() -> <<(id(a)):(id(24))/float>> end),
    t("order size", fun() -> <<(id(a)):8, (id(1)):(id(-1))>> end),
    t("order utf32", fun() -> <<(id(a))/utf8, (id(-1))/utf32>> end),
    t("order type", fun() -> <<(id(a)):8, (id(<<1:1>>))/binary, 1>> end),
    t("order all", fun() -> <<(id(a))/binary, (id(b))/binary>> end),
    t("order short", fun() -> <<(id(<<1,2>>)):(id(3))/binary, (id(b))/binary>> end),
    t("order limit", fun() -> <<(id(a)):(id(1 bsl 58))/unit:64>> end),
    t("order append", fun() -> X = id(a), <<X/binary, 1:(id(-1))>> end),
    t("order float size", fun() -> <<(id(1.5)):(id(a))/float>> end),
    t("order neg big size", fun() -> <<(id(1.5)):(id(-1 bsl 70))/float>> end),
    t("guard fail", fun() -> guard(id(a)) end),
    t("guard ok", fun() -> guard(id(1)) end),
    t("after guard fail", fun() -> catch_info(fun() -> <<(id(a))/binary>> end) end),
    ok.

%% An error after a failed guard construction must not carry its info.
catch_info(F) ->
    case id(a) of X when <<X:8>> =:= <<>> -> x; _ -> ok end,
    try F() catch error:R:S -> {_, _, _, L} = hd(S), {R, lists:keymember(error_info, 1, L)} end.

guard(X) when is_binary(<<X:8>>) -> yes;
guard(_) -> no.

app(Acc, 10) -> Acc;
app(Acc, N) when N > 10 -> app(<<Acc/binary, (N rem 256)>>, N - 1);
app(Acc, N) -> app(<<Acc/binary, N, "x">>, N + 1).

appbits(Acc, 12) -> Acc;
appbits(Acc, N) -> appbits(<<Acc/bits, N:3>>, N + 1).
