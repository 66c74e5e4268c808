%% Covers the erlang module's binary BIFs with their errors (error_info):
%% byte_size, bit_size, binary_part/2,3, split_binary, list_to_binary,
%% iolist_to_binary, iolist_size, binary_to_list/1,3, bitstring_to_list,
%% list_to_bitstring, binary_to_atom/1,2, binary_to_existing_atom,
%% atom_to_binary/1,2 (latin1, unicode, utf8), binary_to_integer/1,2 and
%% integer_to_binary/1,2 (bases 2..36), binary_to_float, float_to_binary/1,2.
-module(binary_bifs).
-export([main/0, id/1]).

id(X) -> X.

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).

main() ->
    Big = binary:copy(<<"0123456789">>, 10),
    Sub = binary_part(Big, 3, 70),
    Bits = <<1, 2, 3:5>>,
    [t(io_lib:format("sizes ~w", [X]), fun() -> {byte_size(X), bit_size(X)} end)
     || X <- [<<>>, <<1>>, Bits, <<1:1>>, Big, Sub, foo, [1], 1]],
    [t(io_lib:format("binary_part ~w ~w", [S, L]), fun() -> binary_part(id(<<"abcdef">>), S, L) end)
     || {S, L} <- [{0, 0}, {0, 6}, {2, 3}, {6, 0}, {6, -2}, {3, -3}, {3, -4}, {0, 7}, {-1, 1}, {7, 0},
                   {a, 1}, {1, 1 bsl 70}, {1.0, 1}]],
    t("binary_part/2", fun() -> binary_part(id(Big), {95, 5}) end),
    t("binary_part/2 bad", fun() -> binary_part(id(Big), {95, 6}) end),
    t("binary_part/2 tuple", fun() -> binary_part(id(Big), {1, 2, 3}) end),
    t("binary_part sub", fun() -> binary_part(id(Sub), 60, 10) end),
    t("binary_part bits", fun() -> binary_part(id(Bits), 1, 2) end),
    t("binary_part not bin", fun() -> binary_part(id(foo), 0, 0) end),
    [t(io_lib:format("split_binary ~w ~w", [B, N]), fun() -> split_binary(B, N) end)
     || {B, N} <- [{<<"abc">>, 0}, {<<"abc">>, 3}, {<<"abc">>, 1}, {<<"abc">>, 4}, {<<"abc">>, -1},
                   {Bits, 2}, {Bits, 3}, {foo, 0}, {<<"abc">>, a}]],
    Lists = [[], [1, 2], [1, <<2>>, [3, [4]], <<>>], [<<"a">> | <<"b">>], "abc", [256], [-1], [a],
             [1 | 2], foo, <<"bin">>, [Bits], [<<1:1>>, <<1:7>>], [[[[[[[<<"deep">>]]]]]]], [1, [2 | <<3>>]]],
    [t(io_lib:format("list_to_binary ~w", [L]), fun() -> list_to_binary(L) end) || L <- Lists],
    [t(io_lib:format("iolist_to_binary ~w", [L]), fun() -> iolist_to_binary(L) end) || L <- Lists],
    [t(io_lib:format("iolist_size ~w", [L]), fun() -> iolist_size(L) end) || L <- Lists],
    [t(io_lib:format("list_to_bitstring ~w", [L]), fun() -> list_to_bitstring(L) end) || L <- Lists],
    t("list_to_binary big", fun() -> erlang:md5(list_to_binary(lists:duplicate(1000, [<<"xy">>, $z]))) end),
    t("iolist_size big", fun() -> iolist_size(lists:duplicate(1000, [Big, $z])) end),
    [t(io_lib:format("binary_to_list ~w", [B]), fun() -> binary_to_list(B) end)
     || B <- [<<>>, <<"abc">>, Bits, foo, Sub]],
    [t(io_lib:format("bitstring_to_list ~w", [B]), fun() -> bitstring_to_list(B) end)
     || B <- [<<>>, <<"abc">>, Bits, <<1:1>>, foo]],
    [t(io_lib:format("binary_to_list/3 ~w ~w", [S, E]), fun() -> binary_to_list(<<"abcdef">>, S, E) end)
     || {S, E} <- [{1, 6}, {2, 2}, {3, 2}, {0, 1}, {1, 7}, {a, 1}, {6, 6}]],
    t("binary_to_list/3 bits", fun() -> binary_to_list(Bits, 1, 2) end),
    %% atoms
    [t(io_lib:format("binary_to_atom ~w ~w", [B, E]), fun() -> binary_to_atom(B, E) end)
     || B <- [<<"abc">>, <<"é"/utf8>>, <<"é">>, <<255>>, <<"😀"/utf8>>, <<>>, binary:copy(<<"a">>, 255),
              binary:copy(<<"a">>, 256), binary:copy(<<"é"/utf8>>, 255), binary:copy(<<"é"/utf8>>, 256),
              <<1:1>>, foo],
        E <- [latin1, utf8, unicode, bad]],
    t("binary_to_atom/1", fun() -> binary_to_atom(<<"x€"/utf8>>) end),
    t("binary_to_existing_atom", fun() -> binary_to_existing_atom(<<"ok">>, utf8) end),
    t("binary_to_existing_atom/1", fun() -> binary_to_existing_atom(<<"true">>) end),
    t("binary_to_existing_atom new", fun() -> binary_to_existing_atom(<<"no such atom in binary_bifs">>, latin1) end),
    [t(io_lib:format("atom_to_binary ~w ~w", [A, E]), fun() -> atom_to_binary(A, E) end)
     || A <- ['abc', 'é', '€', '😀', '', "abc", 1], E <- [latin1, utf8, unicode, bad]],
    t("atom_to_binary/1", fun() -> atom_to_binary('ü€') end),
    %% integers
    [t(io_lib:format("integer_to_binary ~w ~w", [I, B]), fun() -> integer_to_binary(I, B) end)
     || I <- [0, 1, -1, 255, -255, 1 bsl 64, -(1 bsl 100) + 7, 123456789012345678901234567890],
        B <- [2, 8, 10, 16, 36]],
    [t(io_lib:format("integer_to_binary bad ~w ~w", [I, B]), fun() -> integer_to_binary(I, B) end)
     || {I, B} <- [{1, 1}, {1, 37}, {1, a}, {a, 10}, {1.0, 10}]],
    t("integer_to_binary/1", fun() -> [integer_to_binary(I) || I <- [0, -5, 1 bsl 70]] end),
    t("integer_to_binary/1 bad", fun() -> integer_to_binary(id(1.5)) end),
    [t(io_lib:format("binary_to_integer ~w ~w", [S, B]), fun() -> binary_to_integer(S, B) end)
     || {S, B} <- [{<<"ff">>, 16}, {<<"FF">>, 16}, {<<"-ff">>, 16}, {<<"+7">>, 8}, {<<"z">>, 36}, {<<"Z">>, 36},
                   {<<"101">>, 2}, {<<"2">>, 2}, {<<"">>, 10}, {<<"-">>, 10}, {<<" 1">>, 10}, {<<"1 ">>, 10},
                   {<<"12345678901234567890123456789012345678901234567890">>, 10}, {<<"1">>, 37}, {<<"1">>, 1},
                   {<<"1_000">>, 10}, {<<"0x10">>, 16}, {"12", 10}, {<<"12">>, a}, {<<"1.5">>, 10}]],
    [t(io_lib:format("binary_to_integer/1 ~w", [S]), fun() -> binary_to_integer(S) end)
     || S <- [<<"0">>, <<"-0">>, <<"00012">>, <<"-123">>, <<"99999999999999999999999">>, <<"a">>, <<>>, foo, <<1:1>>]],
    %% floats
    [t(io_lib:format("binary_to_float ~w", [S]), fun() -> binary_to_float(S) end)
     || S <- [<<"1.5">>, <<"-0.0">>, <<"1.0e10">>, <<"1.0E-3">>, <<"2.5e+2">>, <<"1e10">>, <<"1">>, <<"1.">>,
              <<".5">>, <<"1.5x">>, <<"1.0e400">>, <<"0.1e-400">>, <<"+1.5">>, <<" 1.5">>, <<>>, foo, "1.5"]],
    [t(io_lib:format("float_to_binary ~w ~w", [F, O]), fun() -> float_to_binary(F, O) end)
     || F <- [0.0, -0.0, 1.5, -2.25, 0.1, 1.0e20, 1.0e-20, 123456.789, 5.0e-324],
        O <- [[], [short], [{decimals, 0}], [{decimals, 3}], [{decimals, 3}, compact], [{scientific, 2}],
              [{scientific, 0}]]],
    [t(io_lib:format("float_to_binary bad ~w ~w", [F, O]), fun() -> float_to_binary(F, O) end)
     || {F, O} <- [{1, []}, {1.0, [bad]}, {1.0, [{decimals, 254}]}, {1.0, [{decimals, 253}]},
                   {1.0, [{scientific, 250}]}, {1.0, foo}, {1.0e300, [{decimals, 2}]}]],
    t("float_to_binary/1", fun() -> [float_to_binary(F) || F <- [0.0, 1.5, -1.0e-300]] end),
    ok.
