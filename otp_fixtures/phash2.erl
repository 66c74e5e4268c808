-module(phash2).
-export([main/0]).
-compile(nowarn_deprecated_function).

%% erlang:phash2/1,2 and erlang:phash/2 values are stable across runs and
%% platforms, so they make a good check of a term hashing implementation.
main() ->
    Terms = [0, 1, -1, 42, 255, 256, 1 bsl 27, 1 bsl 32, 1 bsl 59, 1 bsl 60, 1 bsl 64, -(1 bsl 64),
             123456789012345678901234567890, 0.0, 1.0, -1.5, 3.141592653589793, 1.0e300,
             a, ok, 'hello world', '', [], [a], [1, 2, 3], "hello", [[]], [a | b],
             {}, {a}, {1, 2, 3}, {{nested}, [x]}, <<>>, <<1>>, <<"binary data">>, <<1:1>>, <<1, 2, 3:4>>,
             #{}, #{a => 1}, #{1 => a, b => [2], "c" => {3}},
             maps:from_list([{N, N} || N <- lists:seq(1, 40)]),
             lists:seq(1, 100), list_to_binary(lists:seq(0, 255)),
             {record, "name", 42, [tag1, tag2], #{nested => true}}],
    lists:foreach(
      fun(T) ->
              io:format("~-40s ~10w ~6w ~10w~n",
                        [label(T), erlang:phash2(T), erlang:phash2(T, 65536),
                         erlang:phash(T, 4294967296)])
      end, Terms),
    io:format("range 1: ~w~n", [lists:usort([erlang:phash2(X, 1) || X <- Terms])]),
    io:format("equal terms equal hashes: ~w~n", [erlang:phash2({a, [1, 2]}) =:= erlang:phash2({a, [1, 2]})]),
    io:format("1 vs 1.0: ~w~n", [erlang:phash2(1) =:= erlang:phash2(1.0)]),
    Buckets = lists:foldl(fun(N, Acc) -> B = erlang:phash2(N, 8), setelement(B + 1, Acc, element(B + 1, Acc) + 1) end,
                          erlang:make_tuple(8, 0), lists:seq(1, 10000)),
    io:format("bucket distribution ~w~n", [Buckets]),
    ok.

%% Large maps (> 32 keys) print in internal hash order; label them instead.
label(M) when is_map(M), map_size(M) > 32 -> io_lib:format("<map of ~w keys>", [map_size(M)]);
label(T) -> trunc_str(io_lib:format("~w", [T])).

trunc_str(S) ->
    F = lists:flatten(S),
    case length(F) > 38 of
        true -> lists:sublist(F, 35) ++ "...";
        false -> F
    end.
