%% Covers bignums through the bit syntax: construction and matching of
%% integer fields of 1 to 1000 bits, signed/unsigned, big/little, aligned
%% and not, and bignums as 16/32/64-bit floats (overflow errors).
-module(bs_bignum).
-export([main/0, id/1]).
id(X) -> X.
t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, element(1, hd(S))} end,
    io:format("~s: ~w~n", [Name, R]).
rt(V, N) ->
    B1 = <<V:N/signed>>, B2 = <<V:N/little-signed>>, B3 = <<V:N>>, B4 = <<V:N/little>>,
    <<X1:N/signed>> = B1, <<X2:N/little-signed>> = B2, <<X3:N>> = B3, <<X4:N/little>> = B4,
    <<_:3, U:N/little-signed, _:5>> = <<0:3, B2/bits, 0:5>>,
    {erlang:phash2([B1, B2, B3, B4]), X1, X2, X3, X4, U}.
main() ->
    Vs = [0, -1, 1 bsl 64, -(1 bsl 64), (1 bsl 200) - 1, -(1 bsl 200), 12345678901234567890123456789, -98765432109876543210987654321],
    [t(io_lib:format("rt ~w ~w", [V, N]), fun() -> rt(id(V), id(N)) end) || V <- Vs, N <- [1, 7, 63, 64, 65, 127, 128, 129, 200, 201, 333, 1000]],
    t("float from big", fun() -> [<<(id(X)):64/float>> || X <- [1 bsl 1023, (1 bsl 1024) - (1 bsl 970), -(1 bsl 1023)]] end),
    t("float from big overflow", fun() -> <<(id(1 bsl 1024)):64/float>> end),
    t("float32 from big", fun() -> [<<(id(X)):32/float>> || X <- [1 bsl 127, 1 bsl 100]] end),
    t("float32 overflow", fun() -> <<(id(1 bsl 128)):32/float>> end),
    t("float32 overflow f", fun() -> <<(id(3.5e38)):32/float>> end),
    t("float16 overflow", fun() -> <<(id(70000)):16/float>> end),
    ok.
