-module(term_order).
-export([main/0]).

main() ->
    Fun = fun erlang:abs/1,
    Mixed = [{a, b}, [1, 2], "abc", 42, 3.5, atom, <<"bin">>, #{k => v}, [], {}, -7, 1.0e10,
             {1}, [a | b], <<>>, 'Zed', #{}, 100000000000000000000, 1, 1.0, Fun, <<1:3>>],
    Sorted = lists:sort(Mixed),
    io:format("sorted:~n"),
    lists:foreach(fun(T) when is_function(T) -> io:format("  <fun>~n");
                     (T) -> io:format("  ~w~n", [T]) end, Sorted),
    io:format("number < atom < fun < tuple < map < nil < list < bitstring:~n  ~w~n",
              [[1 < a, a < Fun, Fun < {}, {} < #{}, #{} < [], [] < [a], [a] < <<>>]]),
    io:format("ref/port/pid order: ~w~n", [[a < make_ref(), make_ref() < Fun, Fun < hd(erlang:ports()), hd(erlang:ports()) < self(), self() < {}]]),
    io:format("int vs float ~w ~w ~w ~w~n", [1 == 1.0, 1 =:= 1.0, 1 < 1.0, 1.0 < 1]),
    io:format("sort ints/floats ~w~n", [lists:sort([2, 1.0, 1, 0.5, 2.0, -1])]),
    io:format("usort 1 and 1.0 ~w~n", [lists:usort([1, 1.0, 1])]),
    io:format("tuples by size first ~w~n", [lists:sort([{b}, {a, a}, {c}, {a, b, c}, {}])]),
    io:format("lists elementwise ~w~n", [lists:sort([[2], [1, 2], [1], [1, 1, 1], []])]),
    io:format("maps by size then keys ~w~n", [lists:sort([#{b => 1}, #{a => 2}, #{a => 1}, #{a => 1, b => 1}, #{c => 0}])]),
    io:format("map int/float keys ~w~n", [lists:sort([#{1.0 => a}, #{1 => a}])]),
    io:format("binaries ~w~n", [lists:sort([<<2>>, <<1, 2>>, <<1>>, <<>>, <<1, 2:4>>, <<1:1>>])]),
    io:format("atoms ~w~n", [lists:sort([b, 'B', aa, a, '', 'a b'])]),
    io:format("strings ~p~n", [lists:sort(["banana", "apple", "Cherry", "app", ""])]),
    io:format("bignums ~w~n", [lists:sort([1 bsl 70, -(1 bsl 70), 0, 1.0e30, -1.0e30, 1 bsl 64])]),
    io:format("compare ops ~w~n", [[a == a, a /= b, 1 /= 1.0, 1 =/= 1.0, {1, a} < {1, b}, [1 | 2] < [1 | 3]]]),
    io:format("min/max mixed ~w ~w~n", [min(a, 1), max("a", {a})]),
    io:format("keysort mixed keys ~w~n", [lists:keysort(1, [{b, 1}, {1, 2}, {"s", 3}, {{}, 4}, {1.5, 5}])]),
    io:format("equal deep ~w ~w~n", [[{1, [2.0]}] == [{1, [2]}], [{1, [2.0]}] =:= [{1, [2]}]]),
    ok.
