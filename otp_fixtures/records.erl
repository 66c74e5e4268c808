-module(records).
-export([main/0, id/1]).

-record(point, {x = 0, y = 0}).
-record(person, {name, age = 0 :: integer(), email = undefined, tags = []}).
-record(line, {from = #point{}, to = #point{x = 1, y = 1}}).

id(X) -> X.
err(F) -> try F() of V -> {ok, V} catch C:R -> {C, R} end.

older(#person{age = A} = P) -> P#person{age = A + 1}.

is_adult(P) when P#person.age >= 18 -> true;
is_adult(_) -> false.

main() ->
    P = #point{x = 3},
    io:format("~p ~w~n", [P, P]),
    io:format("fields ~w ~w~n", [P#point.x, P#point.y]),
    P2 = P#point{y = 7},
    io:format("updated ~p~n", [P2]),
    Bob = #person{name = "Bob", age = 41},
    io:format("~p~n", [Bob]),
    io:format("older ~p~n", [older(Bob)]),
    io:format("adult ~w ~w~n", [is_adult(Bob), is_adult(#person{name = "Kid", age = 9})]),
    io:format("record_info ~w ~w~n", [record_info(fields, person), record_info(size, person)]),
    io:format("index ~w ~w~n", [#person.name, #person.tags]),
    io:format("is_record ~w ~w ~w~n", [is_record(P, point), is_record(P, person), is_record(P, point, 3)]),
    L = #line{},
    io:format("nested ~p~n", [L]),
    io:format("nested access ~w~n", [(L#line.to)#point.x]),
    L2 = L#line{from = (L#line.from)#point{y = -5}},
    io:format("nested update ~p~n", [L2]),
    #person{name = Name, tags = Tags} = Bob#person{tags = [a, b]},
    io:format("match ~s ~w~n", [Name, Tags]),
    People = [#person{name = N, age = A} || {N, A} <- [{"Al", 30}, {"Cy", 12}, {"Bo", 55}]],
    Sorted = lists:keysort(#person.age, People),
    io:format("sorted ~p~n", [[X#person.name || X <- Sorted]]),
    io:format("as tuple ~w~n", [element(1, P) =:= point andalso tuple_size(P) =:= 3]),
    io:format("badrecord ~p~n", [err(fun() -> (id({other, 1, 2}))#point.x end)]),
    io:format("badrecord update ~p~n", [err(fun() -> (id(#person{}))#point{x = 1} end)]),
    io:format("default ~p~n", [#person{}]),
    ok.
