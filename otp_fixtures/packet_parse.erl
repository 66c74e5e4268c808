-module(packet_parse).
-export([main/0]).

%% Parse binary protocol headers with the bit syntax (IPv4 + UDP, TLV).
ipv4(<<4:4, IHL:4, DSCP:6, ECN:2, TotLen:16, Id:16, Flags:3, FragOff:13, TTL:8, Proto:8,
       Csum:16, Src:4/binary, Dst:4/binary, Rest/binary>>) when IHL >= 5 ->
    OptLen = (IHL - 5) * 4,
    <<_Opts:OptLen/binary, Payload/binary>> = Rest,
    #{ihl => IHL, dscp => DSCP, ecn => ECN, len => TotLen, id => Id, flags => Flags, frag => FragOff,
      ttl => TTL, proto => Proto, csum => Csum, src => ip(Src), dst => ip(Dst), payload => Payload}.

ip(<<A, B, C, D>>) -> lists:flatten(io_lib:format("~w.~w.~w.~w", [A, B, C, D])).

udp(<<SrcPort:16, DstPort:16, Len:16, Csum:16, Data/binary>>) ->
    {SrcPort, DstPort, Len, Csum, Data}.

checksum(Bin) -> checksum(Bin, 0).
checksum(<<W:16, R/binary>>, Acc) -> checksum(R, Acc + W);
checksum(<<B:8>>, Acc) -> checksum(<<>>, Acc + (B bsl 8));
checksum(<<>>, Acc) when Acc > 16#FFFF -> checksum(<<>>, (Acc band 16#FFFF) + (Acc bsr 16));
checksum(<<>>, Acc) -> bnot Acc band 16#FFFF.

tlv(<<>>) -> [];
tlv(<<Type:8, Len:8, Value:Len/binary, Rest/binary>>) -> [{Type, Value} | tlv(Rest)].

varint(N) when N < 128 -> <<N>>;
varint(N) -> <<1:1, (N band 127):7, (varint(N bsr 7))/binary>>.
unvarint(<<0:1, N:7, Rest/binary>>) -> {N, Rest};
unvarint(<<1:1, N:7, Rest/binary>>) -> {M, R2} = unvarint(Rest), {N + (M bsl 7), R2}.

main() ->
    Data = <<"hello udp">>,
    Udp = <<1234:16, 53:16, (8 + byte_size(Data)):16, 0:16, Data/binary>>,
    Hdr0 = <<4:4, 5:4, 0:6, 0:2, (20 + byte_size(Udp)):16, 16#1c46:16, 2:3, 0:13, 64, 17, 0:16,
             192, 168, 0, 1, 10, 0, 0, 99>>,
    Csum = checksum(Hdr0),
    <<Pre:10/binary, 0:16, Post/binary>> = Hdr0,
    Packet = <<Pre/binary, Csum:16, Post/binary, Udp/binary>>,
    io:format("packet ~w~n", [Packet]),
    P = ipv4(Packet),
    io:format("ipv4 ~p~n", [maps:without([payload], P)]),
    io:format("header checksum verifies ~p~n", [checksum(binary:part(Packet, 0, 20)) =:= 0]),
    io:format("udp ~p~n", [udp(maps:get(payload, P))]),
    io:format("tlv ~p~n", [tlv(<<1, 3, "abc", 2, 0, 3, 2, 255, 254>>)]),
    Ns = [0, 1, 127, 128, 300, 16384, 1 bsl 35],
    Enc = [varint(N) || N <- Ns],
    io:format("varints ~w~n", [Enc]),
    io:format("decoded ~w~n", [[element(1, unvarint(E)) || E <- Enc]]),
    io:format("bad version ~p~n", [try ipv4(<<6:4, 0:4, 0:152>>) catch error:function_clause -> function_clause end]),
    ok.
