%% Integer fields of a literal size up to 56 bits (cbeam reads them in place,
%% bs_get_small_int): every size class, bit offsets, signed and unsigned.
-module(bs_small_ints).
-export([main/0]).
main() ->
    B = << <<(I * 7919 rem 256)>> || I <- lists:seq(1, 64) >>,
    R = [{N, O, f(N, O, B)} || N <- [1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 55, 56], O <- [0, 1, 5, 8, 13]],
    io:format("~w~n", [erlang:phash2(R)]),
    io:format("~w~n", [lists:sublist(R, 20)]).
f(N, O, B) ->
    <<_:O, U:N, _/bitstring>> = B,
    <<_:O, S:N/signed, _/bitstring>> = B,
    <<_:O, U2:N/unit:1, S2:N/signed-integer, _/bitstring>> = B,
    {U, S, U2, S2}.
