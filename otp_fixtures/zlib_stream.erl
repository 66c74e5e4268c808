-module(zlib_stream).
-compile(nowarn_deprecated_function).
-export([main/0]).

%% zlib's streaming API (OTP's zlib.erl over cbeam's NIFs): chunked
%% deflate/inflate, gzip and raw streams, dictionaries, safeInflate,
%% inflateChunk, resets, and the errors of bad data, closed streams and
%% other processes. Compressed bytes are not printed (they depend on the
%% zlib version); round trips, sizes of plain text and checksums are.

main() ->
    Text = iolist_to_binary([io_lib:format("line ~w: ~s~n", [N, lists:duplicate(N rem 17, $a + N rem 26)]) || N <- lists:seq(1, 400)]),
    io:format("text ~w bytes crc ~w~n", [byte_size(Text), erlang:crc32(Text)]),
    chunked(Text),
    formats(Text),
    dictionary(),
    safe(Text),
    chunk_api(Text),
    resets(Text),
    errors(Text),
    owners(),
    ok.

split(Bin, N) when byte_size(Bin) =< N -> [Bin];
split(Bin, N) -> <<H:N/binary, T/binary>> = Bin, [H | split(T, N)].

chunked(Text) ->
    Z = zlib:open(),
    ok = zlib:deflateInit(Z, best_compression),
    Parts = [zlib:deflate(Z, P) || P <- split(Text, 1000)],
    Sync = zlib:deflate(Z, <<"sync point">>, sync),
    Last = zlib:deflate(Z, [<<"tail">>, "data", [$!]], finish),
    ok = zlib:deflateEnd(Z),
    Compressed = iolist_to_binary([Parts, Sync, Last]),
    io:format("chunked deflate smaller ~w~n", [byte_size(Compressed) < byte_size(Text)]),
    ok = zlib:inflateInit(Z),
    Out = [zlib:inflate(Z, P) || P <- split(Compressed, 7)],
    ok = zlib:inflateEnd(Z),
    Plain = iolist_to_binary(Out),
    io:format("chunked inflate ~w ~w~n", [Plain =:= <<Text/binary, "sync pointtaildata!">>, byte_size(Plain)]),
    ok = zlib:close(Z).

formats(Text) ->
    G = zlib:gzip([Text, "more"]),
    io:format("gzip magic ~w roundtrip ~w~n", [binary:part(G, 0, 3), zlib:gunzip(G) =:= <<Text/binary, "more">>]),
    io:format("zip ~w compress ~w~n", [zlib:unzip(zlib:zip(Text)) =:= Text, zlib:uncompress(zlib:compress(Text)) =:= Text]),
    io:format("empty ~w ~w ~w~n", [zlib:uncompress(zlib:compress(<<>>)), zlib:gunzip(zlib:gzip([])), zlib:unzip(zlib:zip(<<>>))]),
    %% A raw deflate stream keeps the crc of its input for zlib:crc32/1.
    Z = zlib:open(),
    ok = zlib:deflateInit(Z, default, deflated, -15, 8, default),
    _ = zlib:deflate(Z, Text, finish),
    io:format("raw crc ~w ~w~n", [zlib:crc32(Z), zlib:crc32(Z) =:= erlang:crc32(Text)]),
    ok = zlib:deflateEnd(Z),
    %% Two gzip members back to back, inflated with eos_behavior reset.
    ok = zlib:inflateInit(Z, 31, reset),
    Two = zlib:inflate(Z, [zlib:gzip(<<"one ">>), zlib:gzip(<<"two">>)]),
    io:format("concatenated ~p~n", [iolist_to_binary(Two)]),
    ok = zlib:inflateEnd(Z),
    zlib:close(Z).

dictionary() ->
    Dict = <<"common words: hello world cbeam zlib">>,
    Z = zlib:open(),
    ok = zlib:deflateInit(Z),
    Adler = zlib:deflateSetDictionary(Z, Dict),
    io:format("dictionary adler ~w ~w~n", [Adler, Adler =:= erlang:adler32(Dict)]),
    C = iolist_to_binary(zlib:deflate(Z, <<"hello world, hello cbeam">>, finish)),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z),
    R = try zlib:inflate(Z, C) catch error:E -> {error, E} end,
    io:format("inflate without dictionary ~w~n", [R]),
    ok = zlib:inflateSetDictionary(Z, Dict),
    io:format("with dictionary ~p~n", [iolist_to_binary(zlib:inflate(Z, []))]),
    io:format("get dictionary ~w~n", [zlib:inflateGetDictionary(Z) =/= <<>>]),
    ok = zlib:inflateEnd(Z),
    zlib:close(Z).

safe(Text) ->
    Big = binary:copy(Text, 20),
    C = zlib:compress(Big),
    Z = zlib:open(),
    ok = zlib:inflateInit(Z),
    {Rounds, Out} = safe_loop(Z, zlib:safeInflate(Z, C), 1, []),
    ok = zlib:inflateEnd(Z),
    zlib:close(Z),
    io:format("safeInflate ~w rounds>1 ~w~n", [iolist_to_binary(Out) =:= Big, Rounds > 1]).

safe_loop(Z, {continue, Out}, N, Acc) -> safe_loop(Z, zlib:safeInflate(Z, []), N + 1, [Acc, Out]);
safe_loop(_Z, {finished, Out}, N, Acc) -> {N, [Acc, Out]}.

chunk_api(Text) ->
    C = zlib:compress(Text),
    Z = zlib:open(),
    ok = zlib:setBufSize(Z, 1000),
    io:format("bufsize ~w~n", [zlib:getBufSize(Z)]),
    ok = zlib:inflateInit(Z),
    Out = chunk_loop(Z, zlib:inflateChunk(Z, C), []),
    io:format("inflateChunk ~w~n", [Out =:= Text]),
    ok = zlib:inflateEnd(Z),
    zlib:close(Z).

chunk_loop(Z, {more, D}, Acc) -> chunk_loop(Z, zlib:inflateChunk(Z), [Acc, D]);
chunk_loop(_Z, D, Acc) -> iolist_to_binary([Acc, D]).

resets(Text) ->
    Z = zlib:open(),
    ok = zlib:deflateInit(Z, 1),
    _ = zlib:deflate(Z, <<"discarded">>),
    ok = zlib:deflateReset(Z),
    ok = zlib:deflateParams(Z, best_speed, huffman_only),
    C = iolist_to_binary(zlib:deflate(Z, Text, finish)),
    ok = zlib:deflateEnd(Z),
    io:format("reset+params ~w~n", [zlib:uncompress(C) =:= Text]),
    ok = zlib:inflateInit(Z),
    _ = zlib:inflate(Z, binary:part(C, 0, 10)),
    ok = zlib:inflateReset(Z),
    io:format("inflateReset ~w~n", [iolist_to_binary(zlib:inflate(Z, C)) =:= Text]),
    ok = zlib:inflateEnd(Z),
    zlib:close(Z).

err(F) ->
    try F() of V -> {value, V} catch C:R -> {C, R} end.

errors(Text) ->
    C = zlib:compress(Text),
    io:format("uncompress garbage ~w~n", [err(fun() -> zlib:uncompress(<<"this is not zlib data">>) end)]),
    io:format("uncompress short ~w~n", [err(fun() -> zlib:uncompress(<<1, 2>>) end)]),
    io:format("uncompress not iodata ~w~n", [err(fun() -> zlib:uncompress(foo) end)]),
    io:format("gunzip bad ~w~n", [err(fun() -> zlib:gunzip(C) end)]),
    io:format("unzip bad ~w~n", [err(fun() -> zlib:unzip(<<255, 255, 255>>) end)]),
    io:format("truncated ~w~n", [err(fun() -> zlib:uncompress(binary:part(C, 0, byte_size(C) div 2)) end)]),
    Z = zlib:open(),
    io:format("inflate before init ~w~n", [err(fun() -> zlib:inflate(Z, C) end)]),
    io:format("deflateEnd before init ~w~n", [err(fun() -> zlib:deflateEnd(Z) end)]),
    io:format("bad level ~w~n", [err(fun() -> zlib:deflateInit(Z, 10) end)]),
    io:format("bad window ~w~n", [err(fun() -> zlib:inflateInit(Z, 3) end)]),
    io:format("bad flush ~w~n", [err(fun() -> zlib:deflate(Z, <<>>, sometimes) end)]),
    ok = zlib:inflateInit(Z),
    io:format("init twice ~w~n", [err(fun() -> zlib:inflateInit(Z) end)]),
    io:format("deflate on inflate stream ~w~n", [err(fun() -> zlib:deflate(Z, <<"x">>) end)]),
    io:format("not iodata ~w~n", [err(fun() -> zlib:inflate(Z, [foo]) end)]),
    io:format("queued input of the failed deflate ~w~n", [err(fun() -> zlib:inflate(Z, binary:part(C, 0, 5)) end)]),
    ok = zlib:inflateReset(Z),
    _ = zlib:inflate(Z, binary:part(C, 0, 5)),
    io:format("end mid-stream ~w~n", [err(fun() -> zlib:inflateEnd(Z) end)]),
    ok = zlib:close(Z),
    io:format("close twice ~w~n", [err(fun() -> zlib:close(Z) end)]),
    io:format("init closed ~w~n", [err(fun() -> zlib:deflateInit(Z) end)]),
    io:format("inflate closed ~w~n", [err(fun() -> zlib:inflate(Z, C) end)]),
    io:format("not a stream ~w~n", [err(fun() -> zlib:deflateInit(make_ref()) end)]),
    io:format("close not a stream ~w~n", [err(fun() -> zlib:close(self()) end)]),
    io:format("crc32 ~w ~w ~w~n", [erlang:crc32([<<"ab">>, $c | <<"d">>]), erlang:crc32(12345, <<"x">>),
                                   erlang:crc32_combine(erlang:crc32(<<"ab">>), erlang:crc32(<<"cd">>), 2) =:= erlang:crc32(<<"abcd">>)]),
    io:format("adler32 ~w ~w ~w~n", [erlang:adler32("abcd"), erlang:adler32(1, <<"x">>),
                                     erlang:adler32_combine(erlang:adler32(<<"ab">>), erlang:adler32(<<"cd">>), 2) =:= erlang:adler32(<<"abcd">>)]),
    io:format("checksum errors ~w ~w ~w ~w~n", [err(fun() -> erlang:crc32(-1, <<>>) end), err(fun() -> erlang:crc32(<<1:3>>) end),
                                                err(fun() -> erlang:adler32(foo) end), err(fun() -> erlang:crc32_combine(1, 2, 1 bsl 40) end)]),
    Ctx = erlang:md5_update(erlang:md5_update(erlang:md5_init(), <<"ab">>), ["c", <<>>]),
    io:format("md5 ~w ~w ~w~n", [byte_size(erlang:md5_init()), erlang:md5_final(Ctx) =:= erlang:md5(<<"abc">>),
                                 err(fun() -> erlang:md5_update(<<1, 2>>, <<"a">>) end)]),
    io:format("iovec ~w ~w~n", [erlang:iolist_to_iovec([<<"a">>, "bc", <<>>, [<<"d">>]]),
                                [byte_size(B) || B <- erlang:iolist_to_iovec([<<"a">>, binary:copy(<<"x">>, 1000), "bc", binary:copy(<<"y">>, 300)])]]).

owners() ->
    Z = zlib:open(),
    Self = self(),
    Other = spawn(fun() -> receive go -> Self ! {self(), err(fun() -> zlib:deflateInit(Z) end)} end end),
    Other ! go,
    receive {Other, R1} -> io:format("other process ~w~n", [R1]) end,
    Helper = spawn(fun() -> receive go -> ok = zlib:deflateInit(Z), Self ! {self(), zlib:deflate(Z, <<"handed over">>, finish)} end end),
    ok = zlib:set_controlling_process(Z, Helper),
    io:format("old owner ~w~n", [err(fun() -> zlib:deflateInit(Z) end)]),
    Helper ! go,
    receive {Helper, C} -> io:format("new owner ~p~n", [zlib:uncompress(C)]) end,
    io:format("is_reference ~w~n", [is_reference(Z)]).
