%% Covers the construction instructions erlc 25 no longer emits, through
%% the hand-written assembly bs_legacy_asm.S (assembled by
%% tools/regen-fixtures with erlc): bs_init2, bs_init_bits, bs_add,
%% bs_put_integer/float/binary/string, bs_put_utf8/16/32, bs_utf8_size,
%% bs_utf16_size, bs_append, bs_private_append (with bs_init_writable),
%% and their errors with and without fail labels.
-module(bs_legacy).
-export([main/0]).

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).

main() ->
    A = bs_legacy_asm,
    [t(io_lib:format("ints ~w", [V]), fun() -> A:ints(V) end)
     || V <- [0, 1, -1, 255, 65535, -8388608, 1 bsl 70, -(1 bsl 70) - 1, a, 1.5]],
    [t(io_lib:format("floats ~w", [V]), fun() -> A:floats(V) end)
     || V <- [0.0, 1.5, -2.75, 100000.0, 7, 1 bsl 80, 1 bsl 1100, a]],
    [t(io_lib:format("bin ~w", [V]), fun() -> A:bin(V) end)
     || V <- [<<>>, <<"ab">>, binary:copy(<<"x">>, 70), <<1:4>>, foo]],
    [t(io_lib:format("utf ~w", [V]), fun() -> A:utf(V) end)
     || V <- [0, $a, 16#7f, 16#80, 16#7ff, 16#800, 16#ffff, 16#10000, 16#10ffff, 16#d800, 16#110000, -1, a]],
    [t(io_lib:format("init_bits ~w ~w", [V, N]), fun() -> A:init_bits(V, N) end)
     || {V, N} <- [{5, 3}, {1, 0}, {-1, 12}, {1 bsl 65, 70}, {1, -1}, {1, a}, {1, 1 bsl 64}, {a, 8}]],
    [t(io_lib:format("init_size ~w", [N]), fun() -> byte_size(A:init_size(N)) end)
     || N <- [0, 3, 64, 65, 1000, -1, a, 1 bsl 61, 1 bsl 64]],
    [t(io_lib:format("add ~w ~w", [X, Y]), fun() -> A:add(X, Y) end)
     || {X, Y} <- [{1, 2}, {0, 0}, {1 bsl 58, 1 bsl 55}, {-1, 1}, {1, -1}]],
    %% (OTP 25's bs_add misbehaves on non-small operands: not tested)
    [t(io_lib:format("add_checked ~w ~w", [X, Y]), fun() -> A:add_checked(X, Y) end)
     || {X, Y} <- [{1, 2}, {-1, 1}, {1 bsl 58, 1 bsl 58}]],
    t("append", fun() -> lists:foldl(fun(X, Acc) -> A:append(Acc, X) end, <<>>, lists:seq(1, 20)) end),
    t("append long", fun() -> erlang:md5(lists:foldl(fun(X, Acc) -> A:append(Acc, X band 255) end, <<"start">>, lists:seq(1, 5000))) end),
    Base = A:append(<<"base">>, $!),
    t("append shared", fun() -> {A:append(Base, $1), A:append(Base, $2), Base} end),
    t("append bits", fun() -> lists:foldl(fun(X, Acc) -> A:append_bits(Acc, X) end, <<>>, lists:seq(0, 7)) end),
    t("append unit", fun() -> A:append(<<1:3>>, 1) end),
    t("append badarg", fun() -> A:append(foo, 1) end),
    t("append bad value", fun() -> A:append(<<"x">>, foo) end),
    t("priv", fun() -> A:priv(lists:seq(1, 10)) end),
    t("priv long", fun() -> erlang:md5(A:priv(lists:seq(1, 3000))) end),
    t("priv empty", fun() -> A:priv([]) end),
    t("priv bad", fun() -> A:priv([1, foo]) end),
    ok.
