%% Covers the append optimisation: binaries appended to after being shared
%% (branching appends, matching, sending, ETS, term_to_binary, parts,
%% literals), long append loops across GCs, bitstring appends and
%% binary comprehensions (private_append).
-module(bs_append).
-export([main/0, id/1]).
id(X) -> X.
t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).
grow(B, 0) -> B;
grow(B, N) -> grow(<<B/binary, N>>, N - 1).
main() ->
    t("branch", fun() -> B = grow(id(<<>>), 300), C = <<B/binary, 1>>, D = <<B/binary, 2>>, E = <<C/binary, 3>>, {byte_size(B), binary:last(C), binary:last(D), binary:last(E), binary:part(E, 299, 3)} end),
    t("branch bits", fun() -> B = grow(id(<<>>), 300), C = <<B/bits, 1:1>>, D = <<B/bits, 0:1>>, E = <<C/bits, 1:7>>, {bit_size(C), D =:= C, E} =/= x end),
    t("match then append", fun() -> B = grow(id(<<>>), 300), <<_:10/binary, T/binary>> = B, C = <<B/binary, "x">>, D = <<T/binary, "y">>, {byte_size(C), byte_size(D), binary:last(C), binary:last(D), binary:at(D, 0)} end),
    t("send then append", fun() -> B = grow(id(<<>>), 300), Self = self(), P = spawn(fun() -> receive X -> Self ! {back, byte_size(X), binary:last(X)} end end), P ! B, C = <<B/binary, "z">>, receive {back, S, L} -> {S, L, byte_size(C), binary:last(C)} end end),
    t("ets then append", fun() -> T = ets:new(x, []), B = grow(id(<<>>), 300), ets:insert(T, {k, B}), C = <<B/binary, "z">>, [{k, B2}] = ets:lookup(T, k), {byte_size(B2), binary:last(B2), byte_size(C)} end),
    t("t2b then append", fun() -> B = grow(id(<<>>), 100), X = term_to_binary(B), C = <<B/binary, "z">>, {binary_to_term(X) =:= B, byte_size(C)} end),
    t("part then append", fun() -> B = grow(id(<<>>), 300), P = binary:part(B, 0, 10), C = <<B/binary, "q">>, D = <<P/binary, "r">>, {P, binary:last(C), D} end),
    t("comprehension append", fun() -> B = << <<X>> || X <- lists:seq(1, 100) >>, C = <<B/binary, 0>>, D = <<B/binary, 1>>, {binary:last(C), binary:last(D), byte_size(B)} end),
    t("append to literal", fun() -> L = <<"literal">>, C = <<L/binary, "1">>, D = <<L/binary, "2">>, {C, D, L} end),
    t("append empty", fun() -> {<<(id(<<>>))/binary>>, <<(id(<<>>))/binary, (id(<<>>))/binary>>} end),
    t("append to big", fun() -> B = binary:copy(<<"abc">>, 1000), C = <<B/binary, 1>>, D = <<C/binary, 2>>, E = <<C/binary, 3>>, {byte_size(D), binary:last(D), binary:last(E)} end),
    t("append in loop gc", fun() -> L = lists:foldl(fun(I, Acc) -> <<Acc/binary, I:32>> end, <<>>, lists:seq(1, 20000)), {byte_size(L), erlang:md5(L)} end),
    t("append bits loop", fun() -> L = lists:foldl(fun(I, Acc) -> <<Acc/bits, I:3>> end, <<>>, lists:seq(1, 3000)), {bit_size(L), erlang:md5(<<L/bits, 0:(8 - bit_size(L) rem 8)>>)} end),
    t("private append", fun() -> << <<X:24>> || X <- lists:seq(1, 5000) >> =:= list_to_binary([<<X:24>> || X <- lists:seq(1, 5000)]) end),
    t("nested comprehension", fun() -> << << <<Y>> || Y <- lists:seq(1, X) >> || X <- lists:seq(1, 20) >> end),
    t("match all + append", fun() -> B = grow(id(<<>>), 100), case B of <<H, R/binary>> -> {H, byte_size(<<R/binary, "x">>), byte_size(<<B/binary, "y">>)} end end),
    ok.
