%% 20,000 random terms from a seeded generator (every term kind that has
%% the same bytes on every node: integers of every size, floats, atoms,
%% binaries, bitstrings, lists, improper lists, tuples, flatmaps and hash
%% maps, nested), each encoded with term_to_binary in several ways; the
%% bytes' CRC-32s are summed per block of 1,000 and every term must decode
%% back to itself. The printed sums equal OTP's only if every byte does.
%% The encodings here are `deterministic` (map keys sorted); etf_random_native
%% runs the same terms with the default options, where a hash map's pairs
%% are written in the map's internal order.
-module(etf_random).
-export([main/0, run/1]).

main() -> run(fun encodings/1).

%% Encode: a term -> the binaries to check.
run(Encode) ->
    rand:seed(exsss, {20, 11, 2026}),
    blocks(Encode, 20, 0),
    ok.

blocks(_, 0, Bad) -> io:format("round trips that failed: ~p~n", [Bad]);
blocks(Encode, K, Bad) ->
    {Sum, B} = block(Encode, 1000, 0, 0),
    io:format("block ~2w: ~p~n", [21 - K, Sum]),
    blocks(Encode, K - 1, Bad + B).

block(_, 0, Sum, Bad) -> {Sum, Bad};
block(Encode, N, Sum, Bad) ->
    T = term(1 + rand:uniform(8) div 8),
    Encodings = Encode(T),
    S = lists:foldl(fun(E, A) -> (A * 31 + erlang:crc32(E)) band 16#FFFFFFFFFFFF end, Sum, Encodings),
    Ok = lists:all(fun(E) -> binary_to_term(E) =:= T end, Encodings)
         andalso byte_size(term_to_binary(T)) =:= erlang:external_size(T),
    block(Encode, N - 1, S, Bad + case Ok of true -> 0; false -> 1 end).

encodings(T) ->
    [term_to_binary(T, [deterministic]), term_to_binary(T, [deterministic, {minor_version, 0}]),
     term_to_binary(T, [deterministic, {compressed, 6}])].

term(D) when D =< 0 -> leaf();
term(D) ->
    case rand:uniform(10) of
        1 -> list(D);
        2 -> list_to_tuple(list(D));
        3 -> small_map(D);
        4 -> big_map(D);
        5 -> improper(D);
        _ -> leaf()
    end.

list(D) -> [term(D - 1) || _ <- lists:seq(1, rand:uniform(6) - 1)].

improper(D) -> list(D) ++ leaf().

small_map(D) -> maps:from_list([{term(D - 1), term(D - 1)} || _ <- lists:seq(1, rand:uniform(8))]).

big_map(_) -> maps:from_list([{integer(), leaf()} || _ <- lists:seq(1, 32 + rand:uniform(4))]).

leaf() ->
    case rand:uniform(9) of
        1 -> integer();
        2 -> rand:uniform(256) - 1;
        3 -> float();
        4 -> atom();
        5 -> binary();
        6 -> bitstring();
        7 -> [];
        8 -> string();
        9 -> {}
    end.

integer() ->
    Bits = lists:nth(rand:uniform(8), [4, 8, 27, 28, 31, 32, 60, 64]) + rand:uniform(200) * (rand:uniform(3) div 3),
    V = rand:uniform(1 bsl Bits),
    case rand:uniform(2) of 1 -> V; 2 -> -V end.

float() ->
    case rand:uniform(4) of
        1 -> rand:uniform() * 1.0e10;
        2 -> -rand:normal() * 1.0e-200;
        3 -> float(rand:uniform(1000));
        4 -> math:pow(2.0, rand:uniform(2000) - 1000)
    end.

atom() ->
    Chars = [case rand:uniform(4) of 4 -> 16#3B1 + rand:uniform(20); _ -> $a + rand:uniform(25) end
             || _ <- lists:seq(1, rand:uniform(12))],
    list_to_atom(Chars).

binary() -> << <<(rand:uniform(256) - 1)>> || _ <- lists:seq(1, lists:nth(rand:uniform(4), [0, 5, 40, 70])) >>.

bitstring() -> <<(binary())/binary, (rand:uniform(127)):(rand:uniform(7))>>.

string() -> [rand:uniform(300) || _ <- lists:seq(1, rand:uniform(10))].
