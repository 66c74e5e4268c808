%% string_build: strings as lists of characters: ++, lists:reverse/1,
%% integer_to_list/1, atom_to_list/1, list_to_integer/1, lists:flatten/1
%% of deep lists, string comparison, and character-by-character scanning.
%% Measures list allocation, BIF calls on lists, and GC.
-module(string_build).
-export([main/0]).

-define(WARMUP, 100).
-define(REPS, 36000).

main() ->
    _ = run(?WARMUP),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?REPS),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, string_build, T1 - T0, R}).

run(N) -> run(N, 0).

run(0, Acc) -> Acc;
run(N, Acc) ->
    S = line(N),
    run(N - 1, (Acc + scan(S, 0) + length(S)) rem 1000000007).

-define(NAMES, [alpha, beta, gamma, delta, epsilon, zeta, eta, theta]).

%% One "record line": name=value pairs joined by commas, built three ways.
line(N) ->
    Names = ?NAMES,
    Pairs = [atom_to_list(A) ++ "=" ++ integer_to_list(N * I)
             || {A, I} <- lists:zip(Names, lists:seq(1, length(Names)))],
    Joined = join(Pairs, ","),
    Rev = lists:reverse(Joined),
    Deep = lists:flatten([["<", integer_to_list(N), ">"], Rev, [$!]]),
    Num = list_to_integer(lists:reverse(integer_to_list(N))),
    Tail = case Joined < Deep of true -> "lt"; false -> "ge" end,
    Joined ++ "|" ++ Deep ++ "|" ++ integer_to_list(Num) ++ Tail.

join([], _) -> [];
join([S], _) -> S;
join([S | T], Sep) -> S ++ Sep ++ join(T, Sep).

%% Digit sum plus count of letters.
scan([], Acc) -> Acc;
scan([C | T], Acc) when C >= $0, C =< $9 -> scan(T, Acc + (C - $0));
scan([C | T], Acc) when C >= $a, C =< $z -> scan(T, Acc + 1);
scan([_ | T], Acc) -> scan(T, Acc).
