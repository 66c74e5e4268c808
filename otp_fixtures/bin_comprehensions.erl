-module(bin_comprehensions).
-export([main/0]).

main() ->
    io:format("double ~w~n", [<< <<(X * 2)>> || <<X>> <= <<1, 2, 3, 4>> >>]),
    io:format("filter ~w~n", [<< <<X>> || <<X>> <= <<1, 2, 3, 4, 5, 6>>, X rem 2 =:= 0 >>]),
    io:format("from list ~w~n", [<< <<X:16>> || X <- [1, 256, 65535] >>]),
    io:format("to bits ~w~n", [<< <<B:1>> || B <- [1, 0, 1, 1] >>]),
    io:format("bits to bytes ~w~n", [<< <<(B * 255)>> || <<B:1>> <= <<2#1010:4>> >>]),
    io:format("swap pairs ~w~n", [<< <<B, A>> || <<A, B>> <= <<1, 2, 3, 4, 5, 6>> >>]),
    io:format("rgb to gray ~w~n", [[(R + G + B) div 3 || <<R, G, B>> <= <<255, 0, 0, 0, 255, 0, 30, 60, 90>>]]),
    io:format("hex ~s~n", [<< <<(hex(N))>> || <<N:4>> <= <<"cbeam">> >>]),
    io:format("unhex ~p~n", [<< <<(unhex(H)):4>> || <<H>> <= <<"6862656172">> >>]),
    io:format("nested ~w~n", [<< <<X, Y>> || X <- [1, 2], Y <- [10, 20] >>]),
    io:format("bitstring gen ~w~n", [[X || <<X:3>> <= <<2#101110:6, 1:2>>]]),
    io:format("xor cipher ~p~n", [xor_bin(xor_bin(<<"secret message">>, 42), 42)]),
    io:format("size ~w~n", [bit_size(<< <<X:5>> || X <- lists:seq(1, 10) >>)]),
    io:format("caesar ~s~n", [<< <<(rot13(C))>> || <<C>> <= <<"Hello, World">> >>]),
    ok.

hex(N) when N < 10 -> $0 + N;
hex(N) -> $a + N - 10.
unhex(C) when C >= $a -> C - $a + 10;
unhex(C) -> C - $0.
xor_bin(B, K) -> << <<(X bxor K)>> || <<X>> <= B >>.
rot13(C) when C >= $a, C =< $z -> $a + (C - $a + 13) rem 26;
rot13(C) when C >= $A, C =< $Z -> $A + (C - $A + 13) rem 26;
rot13(C) -> C.
