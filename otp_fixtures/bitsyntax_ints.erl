-module(bitsyntax_ints).
-export([main/0, id/1]).

id(X) -> X.

main() ->
    io:format("~w~n", [<<1:8, 2:16, 3:32>>]),
    io:format("little ~w~n", [<<258:16/little, 258:16/big, 258:16/little-signed>>]),
    io:format("signed ~w ~w~n", [<<-1:8/signed>>, <<-2:16/signed-little>>]),
    io:format("truncate ~w ~w~n", [<<256:8>>, <<-1:4, 0:4>>]),
    io:format("unaligned ~w ~w ~w~n", [<<1:1, 0:1, 1:1>>, <<5:3, 1:5>>, <<1:4>>]),
    io:format("bit_size ~w byte_size ~w~n", [bit_size(<<1:13>>), byte_size(<<1:13>>)]),
    io:format("var sizes ~w~n", [<<(id(7)):(id(5)), (id(1)):(id(3))>>]),
    io:format("units ~w ~w~n", [<<1:2/unit:8>>, <<3:1/unit:16-little>>]),
    io:format("big int ~w~n", [<<(1 bsl 70):72>>]),
    io:format("big negative ~w~n", [<<(-(1 bsl 65)):80/signed>>]),
    <<A:8, B:16/little, C:4, D:4, E/binary>> = <<1, 2, 3, 16#AB, "rest">>,
    io:format("match ~w ~w ~w ~w ~p~n", [A, B, C, D, E]),
    <<S1:8/signed, S2:16/signed-big, U:16/unsigned-little>> = <<255, 255, 254, 1, 128>>,
    io:format("signed match ~w ~w ~w~n", [S1, S2, U]),
    <<Sz:4, Payload:Sz/binary, Tail/bits>> = <<3:4, "abc", 5:3>>,
    io:format("size from var ~w ~p ~w~n", [Sz, Payload, Tail]),
    <<X1:3, X2:7, X3:6>> = <<16#ABCD:16>>,
    io:format("odd widths ~w ~w ~w~n", [X1, X2, X3]),
    <<Big:100>> = <<(1 bsl 99 + 12345):100>>,
    io:format("100-bit ~w~n", [Big]),
    <<Neg:70/signed>> = <<(-12345678901234567890):70/signed>>,
    io:format("70-bit signed ~w~n", [Neg]),
    io:format("bitstring concat ~w~n", [<<(<<1:3>>)/bitstring, (<<2:5>>)/bitstring, (<<3:2>>)/bits>>]),
    io:format("bitstring_to_list ~w~n", [bitstring_to_list(<<1, 2, 3:3>>)]),
    io:format("list_to_bitstring ~w~n", [list_to_bitstring([1, <<2:4>>, [<<3:4>>]])]),
    io:format("is_binary ~w ~w is_bitstring ~w~n", [is_binary(<<1:7>>), is_binary(<<1:8>>), is_bitstring(<<1:7>>)]),
    io:format("bits per value ~w~n", [[N || <<N:1>> <= <<2#10110011>>]]),
    io:format("nibbles ~w~n", [[N || <<N:4>> <= <<16#1234:16, 16#5:4>>]]),
    io:format("reverse bits ~w~n", [rev_bits(<<2#11010000, 2#1:1>>)]),
    io:format("popcount ~w~n", [popcount(<<16#FFFF0F01:32>>, 0)]),
    io:format("binary:encode_unsigned ~w~n", [binary:encode_unsigned(1 bsl 64)]),
    io:format("match failure ~p~n", [try <<_:16>> = id(<<1>>) catch error:{badmatch, V} -> {badmatch, V} end]),
    io:format("construct badarg ~p~n", [try <<(id(a)):8>> catch error:R -> R end]),
    ok.

rev_bits(<<>>) -> <<>>;
rev_bits(<<B:1, Rest/bits>>) -> <<(rev_bits(Rest))/bits, B:1>>.

popcount(<<>>, N) -> N;
popcount(<<1:1, R/bits>>, N) -> popcount(R, N + 1);
popcount(<<0:1, R/bits>>, N) -> popcount(R, N).
