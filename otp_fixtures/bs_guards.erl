%% Covers binary BIFs and construction in guards (a failure fails the
%% guard): byte_size, bit_size, binary_part/2,3, is_binary/is_bitstring,
%% bs_create_bin with a fail label.
-module(bs_guards).
-export([main/0, id/1]).
id(X) -> X.
t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).
g1(B) when byte_size(B) > 3 -> big; g1(_) -> small.
g2(B) when bit_size(B) rem 8 =/= 0 -> bits; g2(_) -> other.
g3(B) when binary_part(B, 0, 2) =:= <<"ab">> -> ab; g3(_) -> no.
g4(B) when binary_part(B, {byte_size(B), -1}) =:= <<"z">> -> z; g4(_) -> no.
g5(B) when is_binary(B), byte_size(B) >= 2, binary_part(B, 1, 1) == <<"x">> -> x; g5(_) -> no.
g6(B) when is_bitstring(B) andalso not is_binary(B) -> bitstring; g6(B) when is_binary(B) -> binary; g6(_) -> neither.
g7(X) when <<X:8>> =:= <<1>> -> one; g7(_) -> other.
g8(X) when byte_size(<<X/binary, X/binary>>) > 2 -> doubled; g8(_) -> nope.
main() ->
    Vs = [<<>>, <<"a">>, <<"ab">>, <<"abcz">>, <<"axz">>, <<1:3>>, <<"abcdef", 1:1>>, foo, 1, [1], 1.0, {<<"ab">>}],
    [t(io_lib:format("guards ~w", [V]), fun() -> [g1(V), g2(V), g3(V), g4(V), g5(V), g6(V), g7(V), g8(V)] end) || V <- Vs],
    t("orelse", fun() -> [if byte_size(V) > 1 orelse V =:= foo -> y; true -> n end || V <- Vs] end),
    t("guard bif in body", fun() -> [catch byte_size(V) || V <- Vs] =/= [] end),
    ok.
