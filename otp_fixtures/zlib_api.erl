%% Covers the zlib module beyond compress/gzip/zip round trips: errors
%% (data_error, not_initialized, closed streams), levels, strategies, raw
%% deflate, flush modes, dictionaries, deflateParams, resets, safeInflate,
%% buffer sizes, and erlang:crc32/adler32 and their combine functions.
-module(zlib_api).
-export([main/0]).
-compile(nowarn_deprecated_function).  % zlib:crc32/2 and friends are tested too
t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, element(1, hd(S)), element(2, hd(S))} end,
    io:format("~s: ~w~n", [Name, R]).
main() ->
    Data = binary:copy(<<"zlib data ">>, 500),
    t("uncompress garbage", fun() -> zlib:uncompress(<<"garbage!">>) end),
    t("uncompress truncated", fun() -> Z = zlib:compress(Data), zlib:uncompress(binary:part(Z, 0, 20)) end),
    t("gunzip bad", fun() -> zlib:gunzip(<<31, 139, 8, 0, 1, 2>>) end),
    t("unzip bad", fun() -> zlib:unzip(<<1, 2, 3>>) end),
    t("compress list", fun() -> byte_size(zlib:compress(["abc", [<<"def">>]])) end),
    t("compress bad", fun() -> zlib:compress(foo) end),
    t("deflate levels", fun() -> [begin Z = zlib:open(), ok = zlib:deflateInit(Z, L), B = iolist_to_binary(zlib:deflate(Z, Data, finish)), zlib:close(Z), {L, byte_size(B)} end || L <- [none, best_speed, best_compression, default, 0, 5, 9]] end),
    t("deflate raw", fun() -> Z = zlib:open(), ok = zlib:deflateInit(Z, default, deflated, -15, 8, default), B = iolist_to_binary(zlib:deflate(Z, Data, finish)), zlib:close(Z),
                              Z2 = zlib:open(), ok = zlib:inflateInit(Z2, -15), Out = iolist_to_binary(zlib:inflate(Z2, B)), zlib:close(Z2), {byte_size(B), Out =:= Data} end),
    t("deflate strategies", fun() -> [begin Z = zlib:open(), ok = zlib:deflateInit(Z, default, deflated, 15, 8, S), B = iolist_to_binary(zlib:deflate(Z, Data, finish)), zlib:close(Z), {S, byte_size(B)} end || S <- [default, filtered, huffman_only, rle]] end),
    t("deflate sync", fun() -> Z = zlib:open(), ok = zlib:deflateInit(Z), A = iolist_to_binary(zlib:deflate(Z, <<"part1">>, sync)), B = iolist_to_binary(zlib:deflate(Z, <<"part2">>, full)), C = iolist_to_binary(zlib:deflate(Z, <<>>, finish)), zlib:close(Z), {A, B, C} end),
    t("dictionary", fun() -> Dict = <<"zlib data">>, Z = zlib:open(), ok = zlib:deflateInit(Z), Adler = zlib:deflateSetDictionary(Z, Dict), B = iolist_to_binary(zlib:deflate(Z, Data, finish)), zlib:close(Z),
                             Z2 = zlib:open(), ok = zlib:inflateInit(Z2), R1 = (catch zlib:inflate(Z2, B)), ok = zlib:inflateSetDictionary(Z2, Dict), R2 = iolist_to_binary(zlib:inflate(Z2, [])), zlib:close(Z2), {Adler, R1, R2 =:= Data} end),
    t("inflate chunk", fun() -> Z = zlib:open(), zlib:inflateInit(Z), C = zlib:compress(Data), R = zlib:safeInflate(Z, C), zlib:close(Z), element(1, R) end),
    t("inflate data error", fun() -> Z = zlib:open(), zlib:inflateInit(Z), R = (try zlib:inflate(Z, <<1,2,3,4,5>>) catch C:E -> {C, E} end), zlib:close(Z), R end),
    t("not initialized", fun() -> Z = zlib:open(), R = (try zlib:deflate(Z, <<"x">>) catch C:E -> {C, E} end), zlib:close(Z), R end),
    t("closed", fun() -> Z = zlib:open(), zlib:close(Z), zlib:deflateInit(Z) end),
    t("deflateParams", fun() -> Z = zlib:open(), ok = zlib:deflateInit(Z), A = zlib:deflate(Z, <<"abc">>), ok = zlib:deflateParams(Z, best_compression, filtered), B = zlib:deflate(Z, <<"def">>, finish), zlib:close(Z), zlib:uncompress(iolist_to_binary([A, B])) end),
    t("deflateReset", fun() -> Z = zlib:open(), ok = zlib:deflateInit(Z), _ = zlib:deflate(Z, <<"abc">>), ok = zlib:deflateReset(Z), B = iolist_to_binary(zlib:deflate(Z, <<"x">>, finish)), zlib:close(Z), zlib:uncompress(B) end),
    t("inflateReset", fun() -> Z = zlib:open(), ok = zlib:inflateInit(Z), _ = zlib:inflate(Z, zlib:compress(<<"one">>)), ok = zlib:inflateReset(Z), B = iolist_to_binary(zlib:inflate(Z, zlib:compress(<<"two">>))), zlib:close(Z), B end),
    t("crc32 adler", fun() -> Z = zlib:open(), R = {zlib:crc32(Z, <<"abc">>), zlib:adler32(Z, <<"abc">>), zlib:crc32(Z, 5, <<"abc">>), zlib:adler32(Z, 5, <<"abc">>), zlib:crc32_combine(Z, 1, 2, 3), zlib:adler32_combine(Z, 1, 2, 3)}, zlib:close(Z), R end),
    t("erlang crc", fun() -> {erlang:crc32([<<"a">>, "bc"]), erlang:crc32(1, <<"x">>), erlang:adler32_combine(1, 2, 3), erlang:crc32_combine(1, 2, 3), catch erlang:crc32(foo)} end),
    t("gzip long", fun() -> G = zlib:gzip(Data), {byte_size(G), zlib:gunzip(G) =:= Data, binary:part(G, 0, 4)} end),
    t("zip long", fun() -> Z = zlib:zip(Data), {byte_size(Z), zlib:unzip(Z) =:= Data} end),
    t("getBufSize", fun() -> Z = zlib:open(), R = zlib:getBufSize(Z), ok = zlib:setBufSize(Z, 1024), R2 = zlib:getBufSize(Z), zlib:close(Z), {R, R2} end),
    ok.
