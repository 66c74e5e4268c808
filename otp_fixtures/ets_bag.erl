-module(ets_bag).
-export([main/0]).

main() ->
    B = ets:new(b, [bag]),
    ets:insert(B, [{color, red}, {color, blue}, {color, red}, {shape, circle}, {color, green}]),
    io:format("bag lookup ~p~n", [lists:sort(ets:lookup(B, color))]),
    io:format("bag size ~p~n", [ets:info(B, size)]),
    ets:delete_object(B, {color, blue}),
    io:format("after delete_object ~p~n", [lists:sort(ets:lookup(B, color))]),
    D = ets:new(d, [duplicate_bag]),
    ets:insert(D, [{k, 1}, {k, 1}, {k, 2}, {j, 3}]),
    io:format("dup bag lookup ~p~n", [lists:sort(ets:lookup(D, k))]),
    io:format("dup bag size ~p~n", [ets:info(D, size)]),
    ets:delete_object(D, {k, 1}),
    io:format("dup after delete_object ~p~n", [lists:sort(ets:lookup(D, k))]),
    io:format("select over bag ~p~n", [lists:sort(ets:select(B, [{{color, '$1'}, [], ['$1']}]))]),
    io:format("match bag ~p~n", [lists:sort(ets:match(B, {'$1', '$2'}))]),
    io:format("lookup_element bag ~p~n", [lists:sort(ets:lookup_element(B, color, 2))]),
    io:format("select_count dup ~p~n", [ets:select_count(D, [{{k, '_'}, [], [true]}])]),
    io:format("delete key ~p ~p~n", [ets:delete(B, color), ets:lookup(B, color)]),
    %% index: words by first letter
    W = ets:new(words, [bag]),
    [ets:insert(W, {hd(Word), Word}) || Word <- ["apple", "avocado", "banana", "blueberry", "cherry", "apricot"]],
    io:format("index a ~p~n", [lists:sort([Wd || {_, Wd} <- ets:lookup(W, $a)])]),
    io:format("keys ~p~n", [lists:sort(lists:usort([K || {K, _} <- ets:tab2list(W)]))]),
    %% ownership: table dies with its owner
    Self = self(),
    Owner = spawn(fun() -> Tab = ets:new(owned, [public]), Self ! {tab, Tab}, receive stop -> ok end end),
    Tab = receive {tab, Tb} -> Tb end,
    ets:insert(Tab, {x, 1}),
    io:format("shared access ~p~n", [ets:lookup(Tab, x)]),
    Ref = monitor(process, Owner),
    Owner ! stop,
    receive {'DOWN', Ref, _, _, _} -> ok end,
    io:format("after owner death ~p~n", [ets:info(Tab)]),
    %% protected table: others can read but not write
    Prot = ets:new(prot, [protected]),
    ets:insert(Prot, {a, 1}),
    spawn(fun() -> Self ! {reader, ets:lookup(Prot, a), try ets:insert(Prot, {b, 2}) catch error:R -> R end} end),
    receive {reader, Read, Write} -> io:format("protected read ~p write ~p~n", [Read, Write]) end,
    %% heir / give_away
    G = ets:new(given, []),
    ets:insert(G, {gift, 1}),
    Receiver = spawn(fun() -> receive {'ETS-TRANSFER', Tab2, _From, Data} -> Self ! {got, ets:lookup(Tab2, gift), Data} end end),
    ets:give_away(G, Receiver, hello),
    receive {got, L, Data} -> io:format("give_away ~p ~p~n", [L, Data]) end,
    ok.
