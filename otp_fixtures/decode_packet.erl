%% Covers erlang:decode_packet/3 for every packet type OTP 25 takes:
%% raw, 0, 1, 2, 4, asn1, cdr, sunrm, fcgi, tpkt, line (line_length,
%% line_delimiter), http, httph, http_bin, httph_bin (request and status
%% lines, every URI form, known and unknown headers, continuation lines,
%% errors), with packet_size, {more, Len} and {error, invalid}, and badarg.
-module(decode_packet).
-export([main/0]).

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).

main() ->
    Cases =
        [{raw, <<>>, []}, {raw, <<"abc">>, []}, {0, <<"abc">>, []}, {raw, <<"abc">>, [{packet_size, 2}]},
         {1, <<>>, []}, {1, <<3, "abcde">>, []}, {1, <<3, "ab">>, []}, {1, <<0, "x">>, []}, {1, <<5, "abcdef">>, [{packet_size, 4}]},
         {2, <<0>>, []}, {2, <<0, 2, "hi!">>, []}, {2, <<1, 0, "x">>, []}, {4, <<0, 0, 0, 1, "xy">>, []}, {4, <<0, 0>>, []},
         {4, <<255, 255, 255, 255>>, []}, {4, <<0, 0, 1, 0, 1>>, [{packet_size, 255}]}, {4, <<0, 0, 1, 0, 1>>, [{packet_size, 256}]},
         {asn1, <<16#30, 3, 1, 2, 3, 4>>, []}, {asn1, <<16#30>>, []}, {asn1, <<16#30, 16#81, 2, 1, 2>>, []},
         {asn1, <<16#30, 16#82, 0, 1, 9>>, []}, {asn1, <<16#1f, 16#81, 16#01, 1, 7, 8>>, []}, {asn1, <<16#30, 16#85, 0>>, []},
         {asn1, <<16#30, 16#80, 1>>, []}, {asn1, <<16#30, 5, 1>>, []},
         {cdr, <<"GIOP", 1, 0, 0, 0, 0, 0, 0, 2, "ab", "c">>, []}, {cdr, <<"GIOP", 1, 0, 1, 0, 2, 0, 0, 0, "ab">>, []},
         {cdr, <<"GIOX", 1, 0, 0, 0, 0, 0, 0, 0>>, []}, {cdr, <<"GIOP">>, []},
         {sunrm, <<128, 0, 0, 2, "ab", "c">>, []}, {sunrm, <<0, 0, 0, 3, "ab">>, []},
         {fcgi, <<1, 1, 0, 1, 0, 3, 2, 0, "abc", 0, 0, "x">>, []}, {fcgi, <<2, 1, 0, 1, 0, 0, 0, 0>>, []}, {fcgi, <<1, 1>>, []},
         {tpkt, <<3, 0, 0, 6, "ab", "c">>, []}, {tpkt, <<3, 0, 0, 2>>, []}, {tpkt, <<4, 0, 0, 6, "ab">>, []}, {tpkt, <<3, 0, 0, 9>>, []},
         {line, <<"abc\ndef">>, []}, {line, <<"abc">>, []}, {line, <<"\n">>, []}, {line, <<"abcdef\n">>, [{line_length, 3}]},
         {line, <<"abcdef">>, [{line_length, 3}]}, {line, <<"ab">>, [{line_length, 3}]}, {line, <<"abcdef\n">>, [{packet_size, 3}]},
         {line, <<"abcdef">>, [{packet_size, 3}]}, {line, <<"a;b;c">>, [{line_delimiter, $;}]}, {line, <<"a\r\nb">>, []},
         {line, <<"ab">>, [{line_delimiter, 256}]}, {1, <<"ab">>, [{line_delimiter, $;}]},
         {raw, <<"x">>, [{bad, 1}]}, {raw, <<"x">>, [{packet_size, -1}]}, {raw, <<"x">>, [foo]}, {raw, <<"x">>, foo},
         {raw, foo, []}, {raw, <<1:3>>, []}, {bad, <<"x">>, []}, {3, <<"x">>, []}, {ssl_tls, <<22, 3, 1, 0, 1, 0>>, []}],
    [t(io_lib:format("~w ~w ~w", [Ty, B, O]), fun() -> erlang:decode_packet(Ty, B, O) end) || {Ty, B, O} <- Cases],
    Http = [<<"GET / HTTP/1.1\r\n">>, <<"GET /index.html?q=1 HTTP/1.0\r\nHost: x\r\n">>, <<"POST * HTTP/1.1\r\n">>,
            <<"OPTIONS * HTTP/1.1\r\n">>, <<"HEAD http://example.com:8080/a/b HTTP/1.1\r\n">>,
            <<"PUT https://example.com/x HTTP/1.1\r\n">>, <<"DELETE http://h HTTP/1.1\r\n">>, <<"TRACE ftp://h/x HTTP/1.1\r\n">>,
            <<"CONNECT example.com:443 HTTP/1.1\r\n">>, <<"PATCH /p HTTP/2.0\r\n">>, <<"BREW /pot HTTP/1.1\r\n">>,
            <<"get / HTTP/1.1\r\n">>, <<"GET / HTTP/1.1\n">>, <<"GET /\r\n">>, <<"GET / HTTP/x.y\r\n">>, <<"GET / FOO/1.1\r\n">>,
            <<"GET  /  HTTP/1.1\r\n">>, <<"GET / HTTP/1.1">>, <<"GET / HTTP/12.34\r\n">>,
            <<"HTTP/1.1 200 OK\r\n">>, <<"HTTP/1.0 404 Not Found\r\nX">>, <<"HTTP/1.1 500\r\n">>, <<"HTTP/1.1 99999 Big\r\n">>,
            <<"HTTP/1.1 abc OK\r\n">>, <<"\r\n">>, <<"\n">>, <<"garbage\r\n">>, <<"GET http://[::1]:80/ HTTP/1.1\r\n">>,
            <<"GET http://h:99999999999/ HTTP/1.1\r\n">>, <<"GET http://h:/x HTTP/1.1\r\n">>, <<"GET HTTP://H/ HTTP/1.1\r\n">>],
    [t(io_lib:format("~w ~w", [Ty, B]), fun() -> erlang:decode_packet(Ty, B, []) end) || Ty <- [http, http_bin], B <- Http],
    Hdrs = [<<"Host: example.com\r\n">>, <<"Content-Length: 42\r\nrest">>, <<"content-type: text/html\r\n">>,
            <<"X-Custom-Header: v\r\n">>, <<"x-custom-header: v\r\n">>, <<"ACCEPT: */*\r\n">>, <<"Connection:close\r\n">>,
            <<"Set-Cookie: a=b\r\n  c=d\r\nNext: 1\r\n">>, <<"Set-Cookie: a=b\r\n\tc=d\r\n">>, <<"Set-Cookie: a=b\r\n">>,
            <<"Key:   spaced value  \r\n">>, <<"NoColon\r\n">>, <<": empty name\r\n">>, <<"Bad Name: x\r\n">>,
            <<"\r\n">>, <<"\n">>, <<"Host: x\n">>, <<"Host: x">>, <<"Empty:\r\n">>, <<"a-b-c: x\r\n">>,
            <<"WWW-Authenticate: Basic\r\n">>, <<"Www-Authenticate: Basic\r\n">>, <<"Content-MD5: x\r\n">>,
            <<"Keep-Alive: 300\r\n">>, <<"Proxy-Connection: x\r\n">>, <<"Sec-Websocket-Key: k\r\n">>,
            <<"If-Modified-Since: d\r\n">>, <<"X-Forwarded-For: 1.2.3.4\r\n">>, <<"Cache-Control: no-cache\r\n">>,
            <<"Upgrade: websocket\r\n">>, <<"Accept-Encoding: gzip\r\n">>, <<"Transfer-Encoding: chunked\r\n">>,
            <<"Authorization: x\r\n">>, <<"User-Agent: ua\r\n">>, <<"Referer: r\r\n">>, <<"Cookie: c\r\n">>,
            <<"Last-Modified: l\r\n">>, <<"Location: l\r\n">>, <<"Date: d\r\n">>, <<"Server: s\r\n">>, <<"Expires: e\r\n">>,
            <<"ETag: e\r\n">>, <<"Vary: v\r\n">>, <<"Pragma: p\r\n">>, <<"Range: r\r\n">>, <<"Via: v\r\n">>, <<"Warning: w\r\n">>,
            <<"Allow: a\r\n">>, <<"Age: 1\r\n">>, <<"From: f\r\n">>, <<"If-Match: m\r\n">>, <<"Max-Forwards: 1\r\n">>,
            <<"Accept-Charset: c\r\n">>, <<"Accept-Language: l\r\n">>, <<"Accept-Ranges: r\r\n">>, <<"Content-Base: b\r\n">>,
            <<"Content-Encoding: e\r\n">>, <<"Content-Language: l\r\n">>, <<"Content-Location: l\r\n">>,
            <<"Content-Range: r\r\n">>, <<"If-None-Match: m\r\n">>, <<"If-Range: r\r\n">>, <<"If-Unmodified-Since: s\r\n">>,
            <<"Proxy-Authenticate: a\r\n">>, <<"Proxy-Authorization: a\r\n">>, <<"Public: p\r\n">>, <<"Retry-After: 1\r\n">>,
            <<"Set-Cookie2: c\r\n">>, <<"Unless: u\r\n">>, <<"X-Forwarded-Host: h\r\n">>, <<"Content-Disposition: d\r\n">>],
    %% a header is decided by the line after it (a continuation or not): "Z" follows
    [t(io_lib:format("~w ~w", [Ty, B]), fun() -> erlang:decode_packet(Ty, <<B/binary, "Z">>, []) end) || Ty <- [httph, httph_bin], B <- Hdrs],
    t("httph alone", fun() -> erlang:decode_packet(httph, <<"Host: x\r\n">>, []) end),
    [t(io_lib:format("http opts ~w ~w", [Ty, O]), fun() -> erlang:decode_packet(Ty, <<"GET /abcdefgh HTTP/1.1\r\n">>, O) end)
     || Ty <- [http, httph_bin], O <- [[{packet_size, 10}], [{line_length, 10}], [{packet_size, 100}], [{packet_size, 10}, {line_length, 100}]]],
    t("http no eol limit", fun() -> erlang:decode_packet(http, <<"GET /abcdefgh">>, [{packet_size, 5}]) end),
    t("http sub binary", fun() -> <<_:3/binary, B/binary>> = <<"xxxGET /s HTTP/1.1\r\n">>, erlang:decode_packet(http_bin, B, []) end),
    t("http unaligned", fun() -> <<_:3, B/bits>> = <<0:3, "GET /u HTTP/1.1\r\n", 0:5>>, erlang:decode_packet(http_bin, B, []) end),
    more_cases(),
    t("request loop", fun() -> loop(<<"POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nX-A: 1\r\n\r\nabc">>, http_bin, []) end),
    ok.

loop(B, Ty, Acc) ->
    case erlang:decode_packet(Ty, B, []) of
        {ok, http_eoh, Rest} -> lists:reverse([{body, Rest}, http_eoh | Acc]);
        {ok, P, Rest} -> loop(Rest, httph_bin, [P | Acc]);
        Other -> lists:reverse([Other | Acc])
    end.

%% Edge cases: SSLv2 hellos, long ASN.1 tags and lengths, size limits of
%% every type, line_length 0, long or odd header names, malformed
%% request and status lines.
more_cases() ->
    Cases2 = [{ssl_tls, <<128, 10, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 9>>, []}, {ssl_tls, <<128, 2, 1, 3, 1>>, []}, {ssl_tls, <<22, 3, 3, 0, 2, 1>>, []},
             {ssl_tls, <<22, 3, 3, 0, 2, 1, 2, 3>>, []}, {ssl_tls, <<22, 3>>, []}, {ssl_tls, <<23, 3, 3, 1, 0>>, [{packet_size, 100}]},
             {asn1, <<16#1f, 16#81>>, []}, {asn1, <<16#1f, 16#81, 16#81>>, []}, {asn1, <<16#1f, 16#81, 16#01>>, []}, {asn1, <<16#30, 16#84, 0, 0, 0, 1, 7>>, []},
             {asn1, <<16#30, 16#83, 0, 0, 2, 7>>, []}, {asn1, <<16#30, 16#84, 255, 255, 255, 255>>, []}, {asn1, <<16#30, 3, 1, 2, 3>>, [{packet_size, 2}]},
             {sunrm, <<0, 0, 0, 5, 1>>, [{packet_size, 4}]}, {cdr, <<"GIOP", 1, 0, 1, 0, 255, 255, 255, 255>>, []}, {fcgi, <<1, 1, 0, 1, 255, 255, 255, 0>>, []},
             {fcgi, <<1, 1, 0, 1, 0, 1, 3, 0, "a", 0, 0>>, []}, {fcgi, <<1, 1, 0, 1, 0, 1, 3, 0, "a", 0, 0, 0>>, []}, {tpkt, <<3, 0, 0, 4>>, []},
             {tpkt, <<3, 0, 0, 3>>, []}, {tpkt, <<3, 0, 255, 255>>, [{packet_size, 10}]}, {2, <<0, 5, 1>>, [{packet_size, 5}]},
             {line, <<"ab\ncd\n">>, [{line_length, 0}]}, {line, <<"abc\n">>, [{line_length, 4}]}, {line, <<"abc\n">>, [{line_length, 3}, {packet_size, 10}]},
             {line, <<"abcd">>, [{line_length, 4}]}, {line, <<0, 0, 10>>, [{line_delimiter, 0}]}, {raw, <<1, 2>>, [{packet_size, 1}, {line_length, 1}]},
             {http, <<"GET / HTTP/1.1\r\n">>, [{packet_size, 16}]}, {http, <<"GET / HTTP/1.1\r\n">>, [{packet_size, 15}]},
             {httph, <<"A: b\r\n c\r\n">>, []}, {httph, <<"A: b\r\n c\r\nD">>, []}, {httph, <<"A: b\r\n\r\n">>, []},
             {httph_bin, <<"X-Very-Long-Header-Name-That-Exceeds-Fifty-Characters-Easily: v\r\nZ">>, []},
             {httph, <<"x-very-long-header-name-that-exceeds-fifty-characters-easily: v\r\nZ">>, []},
             {httph, <<"a\tb: v\r\nZ">>, []}, {httph, <<"A b: v\r\nZ">>, []}, {httph, <<"Ab", 200, ": v\r\nZ">>, []}, {httph, <<"Ab", 127, ": v\r\nZ">>, []},
             {http, <<"GET\t/\tHTTP/1.1\r\n">>, []}, {http, <<"G(T / HTTP/1.1\r\n">>, []}, {http, <<"GET / HTTP/1.1 extra\r\n">>, []},
             {http, <<"GET / HTTP/1.\r\n">>, []}, {http, <<"GET / HTTP/.1\r\n">>, []}, {http, <<"HTTP/1.1 200OK\r\n">>, []}, {http, <<"HTTP/1.1  200  OK  \r\n">>, []},
             {http, <<"HTTP/1.1\r\n">>, []}, {http, <<"HTTP/1.1 \r\n">>, []}, {http, <<"HTTP/11 200 OK\r\n">>, []}, {http, <<"GET x HTTP/1.1\r\n">>, []},
             {http, <<"GET http: HTTP/1.1\r\n">>, []}, {http, <<"GET http://a:12x/ HTTP/1.1\r\n">>, []}, {http, <<"GET http://a:0/ HTTP/1.1\r\n">>, []},
             {http, <<"GET https://a:443 HTTP/1.1\r\n">>, []}, {http, <<"GET / HTTP/1.1\r">>, []}, {http, <<"GET / HTTP/1.1\rX\n">>, []},
             {http_bin, <<"GET /ä HTTP/1.1\r\n"/utf8>>, []}, {http, <<"\r\nGET">>, []}],
    [t(io_lib:format("~w ~w ~w", [Ty, B, O]), fun() -> erlang:decode_packet(Ty, B, O) end) || {Ty, B, O} <- Cases2],
    ok.
