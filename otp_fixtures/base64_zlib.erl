-module(base64_zlib).
-export([main/0]).

main() ->
    Inputs = [<<>>, <<"f">>, <<"fo">>, <<"foo">>, <<"foob">>, <<"fooba">>, <<"foobar">>, <<0, 255, 128, 1>>],
    [io:format("base64 ~p -> ~p~n", [I, base64:encode(I)]) || I <- Inputs],
    io:format("decode ~p~n", [base64:decode(<<"SGVsbG8sIFdvcmxkIQ==">>)]),
    io:format("decode list ~p~n", [base64:decode_to_string("Y2JlYW0=")]),
    io:format("encode_to_string ~p~n", [base64:encode_to_string("cbeam")]),
    io:format("mime decode ~p~n", [base64:mime_decode(<<"Y2Jl\r\nYW0=">>)]),
    Big = binary:copy(<<"The quick brown fox jumps over the lazy dog. ">>, 100),
    io:format("roundtrip ~w~n", [base64:decode(base64:encode(Big)) =:= Big]),
    Z = zlib:compress(Big),
    io:format("zlib compress roundtrip ~w smaller ~w~n", [zlib:uncompress(Z) =:= Big, byte_size(Z) < byte_size(Big)]),
    G = zlib:gzip(Big),
    io:format("gzip header ~w roundtrip ~w~n", [binary:part(G, 0, 2), zlib:gunzip(G) =:= Big]),
    io:format("zip roundtrip ~w~n", [zlib:unzip(zlib:zip(Big)) =:= Big]),
    io:format("crc32 ~w ~w~n", [erlang:crc32(<<"hello">>), erlang:crc32(Big)]),
    io:format("adler32 ~w ~w~n", [erlang:adler32(<<"hello">>), erlang:adler32(Big)]),
    io:format("crc32 combine ~w~n", [erlang:crc32(erlang:crc32(<<"hel">>), <<"lo">>)]),
    Fixed = <<120, 156, 203, 72, 205, 201, 201, 7, 0, 6, 44, 2, 21>>,
    io:format("uncompress known stream ~p~n", [zlib:uncompress(Fixed)]),
    io:format("md5 ~w~n", [erlang:md5(<<"abc">>)]),
    io:format("md5 hex ~s~n", [[io_lib:format("~2.16.0b", [B]) || <<B>> <= erlang:md5(<<"cbeam">>)]]),
    ok.
