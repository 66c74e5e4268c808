%% Covers base64 (every function, lists and binaries, errors), binaries
%% across garbage collections and processes (refc binaries, sub binaries
%% of them, writable appends kept alive through GCs, messages), string
%% functions on binaries and io_lib's ~ts/~s on binaries, and matching
%% in binary comprehensions and generators.
-module(bin_runtime).
-export([main/0]).

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).

main() ->
    %% base64
    Ins = [<<>>, <<0>>, <<0, 0>>, <<255, 254, 253>>, list_to_binary(lists:seq(0, 255)), "list input", [<<"io">>, "list"]],
    [t(io_lib:format("b64 ~w", [I]), fun() ->
        E = base64:encode(I), {E, base64:encode_to_string(I), base64:decode(E), base64:decode_to_string(E),
                               base64:mime_decode(E), base64:mime_decode_to_string(binary_to_list(E))} end) || I <- Ins],
    [t(io_lib:format("b64 decode ~w", [I]), fun() -> base64:decode(I) end)
     || I <- [<<"YQ==">>, <<"YQ">>, <<"YQ=">>, <<"Y">>, <<"Y===">>, <<"YW Jj">>, <<"YW\r\nJj">>, <<"!!!!">>, <<"YQ==YQ==">>,
              "YWJj", <<"YWJ=">>, <<"YR==">>]],
    [t(io_lib:format("b64 mime ~w", [I]), fun() -> base64:mime_decode(I) end)
     || I <- [<<"YW Jj">>, <<"YW\r\nJj">>, <<"!Y!Q!=!=">>, <<"YQ==YQ==">>, <<"YQ">>, <<"Y">>]],
    t("b64 bad input", fun() -> base64:encode(foo) end),
    t("b64 long", fun() -> B = binary:copy(<<1, 2, 3, 4, 5, 6, 7>>, 3000), E = base64:encode(B),
                           {byte_size(E), erlang:md5(E), base64:decode(E) =:= B} end),
    %% binaries and the GC
    t("gc refc", fun() -> gc_refc() end),
    t("gc sub", fun() -> gc_sub() end),
    t("gc append", fun() -> gc_append(<<>>, 0) end),
    t("gc append two", fun() -> gc_two(<<"a">>, <<"b">>, 0) end),
    t("message refc", fun() -> message_bins() end),
    t("message sub", fun() -> message_sub() end),
    t("ets bins", fun() -> ets_bins() end),
    %% strings on binaries
    S = <<"  Hello, Wörld! ünïcödé  "/utf8>>,
    t("string", fun() -> {string:trim(S), string:uppercase(S), string:lowercase(S), string:length(S),
                          string:slice(S, 2, 5), string:split(S, ","), string:lexemes(S, " ,!"),
                          string:find(S, "W"), string:replace(S, "l", "L", all), string:reverse(S),
                          string:pad(<<"x">>, 3, both), string:casefold(<<"ÄB"/utf8>>), string:to_graphemes(<<"e\x{301}a"/utf8>>),
                          string:equal(<<"a">>, "a"), string:prefix(S, "  He"), string:is_empty(<<>>)} end),
    t("io_lib ts", fun() -> iolist_to_binary(io_lib:format("~ts|~s|~p|~tp|~w", [S, <<"abc">>, S, S, <<"é"/utf8>>])) end),
    t("io_lib ts list", fun() -> iolist_to_binary(io_lib:format("~ts ~10.3ts|", [[16#4e2d, 16#6587], <<"abcdef">>])) end),
    t("bin generators", fun() -> [{X, Y} || <<X:4, Y:4>> <= <<16#12, 16#34, 5:4>>] end),
    t("bin gen filter", fun() -> << <<B>> || <<B>> <= <<"a1b2c3">>, B >= $a >> end),
    t("bin gen utf8", fun() -> [C || <<C/utf8>> <= <<"añ€"/utf8>>] end),
    t("bin gen skip bad", fun() -> [X || <<X:8, 0:8>> <= <<1, 0, 2, 1, 3, 0>>] end),
    ok.

gc_refc() ->
    B = binary:copy(<<"x">>, 1000),
    L = [binary:copy(<<N>>, 200) || N <- lists:seq(1, 50)],
    erlang:garbage_collect(),
    _ = [lists:seq(1, 100) || _ <- lists:seq(1, 50)],
    erlang:garbage_collect(),
    {byte_size(B), lists:sum([binary:first(X) + byte_size(X) || X <- L])}.

gc_sub() ->
    Big = binary:copy(<<"0123456789">>, 1000),
    Subs = [binary:part(Big, N * 10, 10) || N <- lists:seq(0, 999, 37)],
    <<_:3, Odd:77/bits, _/bits>> = Big,
    erlang:garbage_collect(),
    _ = lists:seq(1, 10000),
    erlang:garbage_collect(),
    {length(Subs), hd(Subs), lists:last(Subs), Odd, binary:referenced_byte_size(hd(Subs))}.

gc_append(Acc, 3000) -> {byte_size(Acc), erlang:md5(Acc)};
gc_append(Acc, N) ->
    _ = case N rem 500 of 0 -> erlang:garbage_collect(); _ -> ok end,
    gc_append(<<Acc/binary, N:16, (list_to_binary(integer_to_list(N)))/binary>>, N + 1).

gc_two(A, B, 200) -> {A, byte_size(B)};
gc_two(A, B, N) ->
    A1 = <<A/binary, "x">>,
    _ = <<A/binary, "y">>,              % the old one appended to again: a copy
    _ = case N rem 50 of 0 -> erlang:garbage_collect(); _ -> ok end,
    gc_two(binary:part(A1, 0, 1), <<B/binary, N>>, N + 1).

message_bins() ->
    Self = self(),
    Big = binary:copy(<<"payload">>, 500),
    Pids = [spawn(fun() -> receive {B, From} -> From ! {self(), byte_size(B), binary:part(B, 7 * I, 7)} end end)
            || I <- lists:seq(1, 5)],
    [P ! {Big, Self} || P <- Pids],
    [receive {P, S, Part} -> {S, Part} end || P <- Pids].

message_sub() ->
    Big = binary:copy(<<"abcdefghij">>, 300),
    <<_:13, Sub:100/bits, _/bits>> = Big,
    Self = self(),
    P = spawn(fun() -> receive X -> Self ! {echo, X, bit_size(X)} end end),
    P ! Sub,
    receive {echo, Y, N} -> {Y =:= Sub, N, Y} end.

ets_bins() ->
    T = ets:new(t, []),
    Big = binary:copy(<<"E">>, 300),
    ets:insert(T, [{1, Big}, {2, binary:part(Big, 1, 5)}, {3, <<1:3>>}]),
    erlang:garbage_collect(),
    R = [ets:lookup_element(T, K, 2) || K <- [2, 3]],
    {byte_size(ets:lookup_element(T, 1, 2)), R}.
