-module(binary_basic).
-export([main/0, id/1]).

id(X) -> X.

err(F) -> try F() of V -> {ok, V} catch C:R -> {C, R} end.

%% Byte-aligned binaries and the binary module.
main() ->
    B = <<"Hello, binary world">>,
    io:format("~p ~w size ~w~n", [B, B, byte_size(B)]),
    io:format("bin/list ~w ~p~n", [binary_to_list(<<1, 2, 3>>), list_to_binary([104, "ey", <<"!">>])]),
    io:format("iolist_to_binary ~p size ~w~n", [iolist_to_binary(["a", [$b, <<"c">>], [[[<<"d">>]]]]),
                                                iolist_size([<<1, 2>>, [3, [4]]])]),
    io:format("concat ~p~n", [<<B/binary, " and more">>]),
    io:format("split_binary ~p~n", [split_binary(B, 5)]),
    io:format("binary_part ~p ~p~n", [binary_part(B, 7, 6), binary_part(B, {byte_size(B), -5})]),
    io:format("binary_to_list/3 ~p~n", [binary_to_list(B, 1, 5)]),
    io:format("binary:part ~p~n", [binary:part(B, 0, 5)]),
    io:format("binary:match ~p ~p~n", [binary:match(B, <<"binary">>), binary:match(B, <<"zzz">>)]),
    io:format("binary:matches ~p~n", [binary:matches(<<"abcabcab">>, <<"ab">>)]),
    io:format("binary:split ~p~n", [binary:split(<<"a,b,,c">>, <<",">>, [global])]),
    io:format("binary:split trim ~p~n", [binary:split(<<"a,b,,c,,">>, <<",">>, [global, trim_all])]),
    io:format("binary:replace ~p~n", [binary:replace(<<"a-b-c">>, <<"-">>, <<"+">>, [global])]),
    io:format("binary:copy ~p~n", [binary:copy(<<"ab">>, 3)]),
    io:format("binary:first/last ~p ~p ~p~n", [binary:first(B), binary:last(B), binary:at(B, 4)]),
    io:format("encode_unsigned ~p ~p~n", [binary:encode_unsigned(16#010203), binary:encode_unsigned(258, little)]),
    io:format("decode_unsigned ~p ~p~n", [binary:decode_unsigned(<<1, 0, 0>>), binary:decode_unsigned(<<1, 0, 0>>, little)]),
    io:format("longest_common_prefix ~p~n", [binary:longest_common_prefix([<<"prefix_a">>, <<"prefix_b">>, <<"pre">>])]),
    io:format("bin_to_list ~p~n", [binary:bin_to_list(<<"xyz">>)]),
    io:format("list_to_bin ~p~n", [binary:list_to_bin([$a, [<<"b">>]])]),
    io:format("compare ~w ~w ~w~n", [<<1, 2>> < <<1, 3>>, <<1>> < <<1, 0>>, <<"abc">> == <<"abc">>]),
    io:format("match bytes ~p~n", [begin <<A, Bb, Rest/binary>> = B, {A, Bb, Rest} end]),
    io:format("binary comprehension ~p~n", [<< <<(C - 32)>> || <<C>> <= <<"upper">> >>]),
    io:format("list from bin ~w~n", [[X * 2 || <<X>> <= <<1, 2, 3>>]]),
    io:format("big binary ~w~n", [byte_size(binary:copy(<<"0123456789">>, 10000))]),
    io:format("sub binary of big ~p~n", [binary:part(binary:copy(<<"0123456789">>, 10000), 99995, 5)]),
    io:format("empty ~p ~w~n", [<<>>, byte_size(<<>>)]),
    io:format("list_to_binary badarg ~p~n", [err(fun() -> list_to_binary(id([256])) end)]),
    io:format("printable ~p ~p~n", [<<"tab\t">>, <<"nul", 0>>]),
    io:format("~~s of binary: ~s~n", [<<"as string">>]),
    ok.
