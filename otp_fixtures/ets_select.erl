-module(ets_select).
-export([main/0]).

%% Match specifications, select with continuations, select_delete,
%% select_replace, update_counter/update_element variants, info items,
%% iteration, errors. Hash-table results are sorted (their order is not
%% specified); ordered_set results are printed as they come.

err(F) ->
    try F() catch C:R -> {C, R} end.

%% The error_info cause OTP attaches to an ets badarg, or none.
cause(F) ->
    try F(), no_error
    catch error:R:St ->
            {_, _, _, Info} = hd(St),
            {R, maps:get(cause, proplists:get_value(error_info, Info, #{}), none)}
    end.

drain('$end_of_table', Acc) -> lists:reverse(Acc);
drain({Items, Cont}, Acc) -> drain(ets:select(Cont), [Items | Acc]).

drain_match('$end_of_table', Acc) -> lists:reverse(Acc);
drain_match({Items, Cont}, Acc) -> drain_match(ets:match(Cont), [Items | Acc]).

main() ->
    O = ets:new(o, [ordered_set]),
    ets:insert(O, [{I, I * I, if I rem 2 =:= 0 -> even; true -> odd end} || I <- lists:seq(1, 25)]),
    %% chunks of an ordered_set, forward and reverse
    Chunks = drain(ets:select(O, [{{'$1', '_', even}, [], ['$1']}], 4), []),
    io:format("chunks ~w~n", [Chunks]),
    RChunks = drain(ets:select_reverse(O, [{{'$1', '_', odd}, [{'>', '$1', 10}], ['$1']}], 3), []),
    io:format("reverse chunks ~w~n", [RChunks]),
    io:format("select_reverse/2 ~w~n", [ets:select_reverse(O, [{{'$1', '_', '_'}, [{'<', '$1', 5}], ['$1']}])]),
    io:format("limit larger than table ~w~n", [element(1, ets:select(O, [{'_', [], [true]}], 100))]),
    io:format("no match chunk ~w~n", [ets:select(O, [{{nope, '_', '_'}, [], [true]}], 5)]),
    io:format("select end ~w~n", [ets:select('$end_of_table')]),
    %% match with limit
    io:format("match chunks ~w~n", [drain_match(ets:match(O, {'$1', '$2', odd}, 5), [])]),
    {MO, _} = ets:match_object(O, {'_', '_', even}, 2),
    io:format("match_object limit ~w~n", [MO]),
    %% hash table chunks: all results come back exactly once
    S = ets:new(s, [set]),
    ets:insert(S, [{I, I rem 3} || I <- lists:seq(1, 200)]),
    HChunks = drain(ets:select(S, [{{'$1', 0}, [], ['$1']}], 7), []),
    io:format("hash chunks ~w sizes ok ~w~n", [lists:sort(lists:append(HChunks)),
                                             lists:all(fun(C) -> length(C) =< 7 end, HChunks)]),
    %% guards and bodies
    MS1 = [{{'$1', '$2'}, [{'andalso', {'>', '$1', 190}, {'orelse', {'==', '$2', 1}, {'==', '$2', 2}}}],
            [{{'$1', {'*', '$2', 10}, {'-', '$1'}, [x, '$2'], {const, '$1'}}}]}],
    io:format("guards ~w~n", [lists:sort(ets:select(S, MS1))]),
    MS2 = [{{'$1', '$2'}, [{'=:=', {'rem', '$1', 50}, 0}], ['$$']},
           {{'$1', '$2'}, [{'==', '$1', 7}], ['$_']}],
    io:format("two clauses ~w~n", [lists:sort(ets:select(S, MS2))]),
    MS3 = [{{'$1', '_'}, [{is_integer, '$1'}, {'<', '$1', 4}],
            [{{{abs, {'-', 0, '$1'}}, {float, '$1'}, {'band', '$1', 1}, {'bsl', '$1', 2},
               {'div', 7, '$1'}, {trunc, {'/', 7, '$1'}}, {round, 2.5}, {'not', {'<', '$1', 2}},
               {'xor', true, {'>', '$1', 1}}, {'and', true, true}, {'or', false, false}}}]}],
    io:format("arith ~w~n", [lists:sort(ets:select(S, MS3))]),
    io:format("body error ~w~n", [ets:select(S, [{{1, '_'}, [], [{'div', '$_', 0}]}])]),
    io:format("guard error is false ~w~n", [ets:select(S, [{{'$1', '_'}, [{'>', {hd, '$1'}, 0}], ['$1']}])]),
    T = ets:new(t, [bag]),
    ets:insert(T, [{k, [1, 2, 3], #{a => 1}, <<"bin">>}, {k, [], #{}, <<>>}, {j, "abc", #{b => 2}, <<1:4>>}]),
    MS4 = [{{'$1', '$2', '$3', '$4'}, [],
            [{{'$1', {length, '$2'}, {map_size, '$3'}, {is_map_key, a, '$3'}, {byte_size, '$4'},
               {bit_size, '$4'}, {is_list, '$2'}, {is_binary, '$4'}, {size, {{'$1', '$1'}}},
               {element, 1, {{'$1'}}}, {node}, {is_record, {{'$1', x}}, '$1', 2}}}]}],
    io:format("type functions ~p~n", [lists:sort(ets:select(T, MS4))]),
    io:format("map pattern ~w~n", [lists:sort(ets:select(T, [{{'_', '_', #{a => '$1'}, '_'}, [], ['$1']}]))]),
    io:format("map_get ~w~n", [ets:select(T, [{{'_', '_', '$1', '_'}, [{is_map_key, b, '$1'}], [{map_get, b, '$1'}]}])]),
    io:format("list pattern ~w~n", [lists:sort(ets:select(T, [{{'_', ['$1' | '$2'], '_', '_'}, [], [{{'$1', '$2'}}]}]))]),
    io:format("repeated var ~w~n", [lists:sort(ets:select(ets_set_pairs(), [{{'$1', '$1'}, [], ['$1']}]))]),
    BP = ets:new(bp, []),
    ets:insert(BP, [{1, <<"hello world">>}, {2, <<"hi">>}, {3, list_to_binary(lists:duplicate(100, $x))}]),
    io:format("binary_part ~w ~w ~w~n",
              [lists:sort(ets:select(BP, [{{'$1', '$2'}, [{'>', {byte_size, '$2'}, 3}], [{binary_part, '$2', 1, 3}]}])),
               lists:sort(ets:select(BP, [{{'$1', '$2'}, [], [{binary_part, '$2', {{0, 4}}}]}])),
               ets:select(BP, [{{'$1', '$2'}, [{'==', {binary_part, '$2', 0, 2}, <<"hi">>}], ['$1']}])]),
    %% select_count, select_delete, select_replace
    io:format("select_count ~w~n", [ets:select_count(S, [{{'_', 1}, [], [true]}, {{'_', 2}, [], [false]}])]),
    io:format("select_delete ~w size ~w~n", [ets:select_delete(S, [{{'$1', 2}, [{'>', '$1', 100}], [true]}]),
                                            ets:info(S, size)]),
    io:format("select_replace ~w~n", [ets:select_replace(S, [{{'$1', 1}, [{'<', '$1', 20}], [{{'$1', one}}]}])]),
    io:format("replaced ~w~n", [lists:sort(ets:match(S, {'$1', one}))]),
    io:format("select_replace keeps key ~w~n", [err(fun() -> ets:select_replace(S, [{{'$1', '$2'}, [], [{{'$2', '$1'}}]}]) end)]),
    io:format("match_delete ~w ~w~n", [ets:match_delete(S, {'_', one}), ets:select_count(S, [{{'_', one}, [], [true]}])]),
    %% compiled match specs
    CMS = ets:match_spec_compile([{{'$1', '$2'}, [{is_atom, '$2'}], [{{'$2', '$1'}}]}]),
    io:format("is_compiled_ms ~w ~w~n", [ets:is_compiled_ms(CMS), ets:is_compiled_ms([])]),
    io:format("match_spec_run ~w~n", [ets:match_spec_run([{1, a}, {2, 3}, {3, c}, x], CMS)]),
    io:format("bad match specs ~w~n", [[err(fun() -> ets:match_spec_compile(M) end)
                                        || M <- [x, [x], [{'_', [], []}], [{'_', [], [{foo, 1}]}],
                                                 [{'_', [], ['$1']}], [{'_', x, [true]}]]]]),
    io:format("bad select ~w~n", [err(fun() -> ets:select(O, [{'_', [], [{ceil, 1}]}]) end)]),
    %% update_counter variants
    C = ets:new(c, [set, public]),
    ets:insert(C, {k, 0, 10, 100}),
    io:format("incr ~w~n", [ets:update_counter(C, k, 5)]),
    io:format("pos ~w~n", [ets:update_counter(C, k, {3, -20})]),
    io:format("threshold ~w~n", [ets:update_counter(C, k, {4, 50, 120, 0})]),
    io:format("threshold neg ~w~n", [ets:update_counter(C, k, {3, -5, -12, -100})]),
    io:format("list ~w~n", [ets:update_counter(C, k, [{2, 1}, {2, 1}, {4, 7}])]),
    io:format("bignum ~w~n", [ets:update_counter(C, k, {2, 1 bsl 70})]),
    io:format("object ~w~n", [ets:lookup(C, k)]),
    io:format("default ~w ~w~n", [ets:update_counter(C, new, {2, 3}, {whatever, 10}), ets:lookup(C, new)]),
    io:format("counter errors ~w~n", [[err(F) || F <- [fun() -> ets:update_counter(C, missing, 1) end,
                                                       fun() -> ets:update_counter(C, k, {1, 1}) end,
                                                       fun() -> ets:update_counter(C, k, {9, 1}) end,
                                                       fun() -> ets:update_counter(C, k, a) end,
                                                       fun() -> ets:update_counter(T, k, 1) end]]]),
    io:format("update_element ~w ~w ~w~n", [ets:update_element(C, k, [{2, a}, {3, b}]),
                                           ets:update_element(C, nokey, {2, x}),
                                           ets:lookup(C, k)]),
    io:format("update_element errors ~w~n", [[err(F) || F <- [fun() -> ets:update_element(C, k, {1, x}) end,
                                                              fun() -> ets:update_element(C, k, {5, x}) end]]]),
    %% concurrency options as info reports them
    io:format("concurrency ~w~n", [[{ets:info(Tc, write_concurrency), ets:info(Tc, decentralized_counters),
                                     ets:info(Tc, read_concurrency)}
                                    || Opts <- [[private, {write_concurrency, true}, {read_concurrency, true}],
                                                [ordered_set, {write_concurrency, true}],
                                                [{write_concurrency, auto}],
                                                [{write_concurrency, true}],
                                                [{write_concurrency, true}, {decentralized_counters, true}],
                                                [{decentralized_counters, true}, {read_concurrency, true}]],
                                       Tc <- [ets:new(conc, Opts)]]]),
    %% info items
    I = ets:new(info_tab, [ordered_set, private, {keypos, 2}, {read_concurrency, true},
                           {heir, self(), data}, compressed]),
    Items = [name, type, size, protection, named_table, keypos, compressed, read_concurrency,
             write_concurrency, decentralized_counters, node, fixed, safe_fixed],
    io:format("info ~w~n", [[{It, ets:info(I, It)} || It <- Items]]),
    io:format("info owner self ~w heir self ~w id ~w~n",
              [ets:info(I, owner) =:= self(), ets:info(I, heir) =:= self(), ets:info(I, id) =:= I]),
    io:format("info keys ~w~n", [[K || {K, _} <- ets:info(I)]]),
    io:format("info missing ~w ~w~n", [ets:info(no_such_table), ets:info(no_such_table, size)]),
    io:format("info bad item ~w~n", [err(fun() -> ets:info(I, nonsense) end)]),
    ets:safe_fixtable(C, true),
    {_, Fixers} = ets:info(C, safe_fixed),
    io:format("fixed ~w fixers ~w~n", [ets:info(C, fixed), Fixers =:= [{self(), 1}]]),
    ets:safe_fixtable(C, false),
    io:format("unfixed ~w~n", [ets:info(C, safe_fixed)]),
    io:format("setopts ~w ~w~n", [ets:setopts(C, [{heir, none}, {protection, protected}]),
                                 {ets:info(C, heir), ets:info(C, protection)}]),
    %% iteration with deletion in a fixed hash table
    D = ets:new(d, [set]),
    ets:insert(D, [{N} || N <- lists:seq(1, 300)]),
    ets:safe_fixtable(D, true),
    Walk = fun W('$end_of_table', Acc) -> Acc;
               W(K, Acc) -> ets:delete(D, K), W(ets:next(D, K), Acc + 1) end,
    io:format("walk deleting ~w~n", [Walk(ets:first(D), 0)]),
    ets:safe_fixtable(D, false),
    io:format("after walk ~w~n", [ets:info(D, size)]),
    %% slot traversal of an ordered_set
    io:format("slots ~w~n", [[ets:slot(O, N) || N <- [0, 1, 24, 25]]]),
    io:format("slot beyond ~w~n", [err(fun() -> ets:slot(O, 26) end)]),
    %% first/next/prev/last on ordered_set with non-member keys
    io:format("neighbours ~w~n", [[ets:next(O, 2.5), ets:prev(O, 2.5), ets:next(O, 25), ets:prev(O, 1),
                                   ets:next(O, a), ets:prev(O, a)]]),
    io:format("next missing key in set ~w~n", [err(fun() -> ets:next(C, nokey) end)]),
    %% lookup_element, take, member, delete_object, insert_new with lists
    io:format("lookup_element errors ~w~n", [[err(F) || F <- [fun() -> ets:lookup_element(C, nokey, 2) end,
                                                              fun() -> ets:lookup_element(C, k, 9) end]]]),
    io:format("insert_new list ~w ~w~n", [ets:insert_new(C, [{x1, 1}, {k, 0}]), ets:member(C, x1)]),
    io:format("insert_new list ok ~w ~w~n", [ets:insert_new(C, [{x1, 1}, {x2, 2}]), ets:lookup(C, x2)]),
    io:format("delete_object set ~w ~w~n", [ets:delete_object(C, {x1, 2}), ets:delete_object(C, {x2, 2})]),
    io:format("after ~w~n", [lists:sort(ets:tab2list(C))]),
    %% errors on wrong arguments
    io:format("new errors ~w~n", [[err(F) || F <- [fun() -> ets:new("x", []) end,
                                                   fun() -> ets:new(x, [bogus]) end,
                                                   fun() -> ets:new(x, [{keypos, 0}]) end,
                                                   fun() -> ets:new(x, foo) end]]]),
    ets:new(dup_name, [named_table]),
    io:format("duplicate name ~w~n", [err(fun() -> ets:new(dup_name, [named_table]) end)]),
    io:format("rename taken ~w~n", [err(fun() -> ets:rename(dup_name, dup_name2), ets:new(dup_name3, [named_table]), ets:rename(dup_name2, dup_name3) end)]),
    io:format("insert keypos too big ~w~n", [err(fun() -> ets:insert(I, {only_one}) end)]),
    Self = self(),
    spawn(fun() -> Self ! {private, err(fun() -> ets:lookup(I, x) end), ets:info(I, size)} end),
    receive {private, R1, R2} -> io:format("private from other ~w ~w~n", [R1, R2]) end,
    %% heir gets the table when the owner dies
    Heir = self(),
    Owner = spawn(fun() -> Tb = ets:new(inherit, [{heir, Heir, gift}]), ets:insert(Tb, {a, 1}), Heir ! {made, Tb} end),
    Tab = receive {made, Tb0} -> Tb0 end,
    receive {'ETS-TRANSFER', Tab, Owner, Gift} -> io:format("inherited ~w ~w ~w~n", [Gift, ets:lookup(Tab, a), ets:info(Tab, owner) =:= self()]) end,
    io:format("give_away to self ~w~n", [err(fun() -> ets:give_away(Tab, self(), x) end)]),
    io:format("delete ~w ~w~n", [ets:delete(Tab), ets:info(Tab)]),
    %% error_info causes
    E = ets:new(e, []), ets:insert(E, {a, 1, x}), EB = ets:new(eb, [bag]),
    io:format("causes ~w~n", [[cause(F) || F <- [fun() -> ets:lookup(Tab, a) end,
                                                 fun() -> ets:lookup_element(E, b, 2) end,
                                                 fun() -> ets:lookup_element(E, a, 5) end,
                                                 fun() -> ets:update_counter(E, b, 1) end,
                                                 fun() -> ets:update_counter(E, a, {5, 1}) end,
                                                 fun() -> ets:update_counter(E, a, {3, 1}) end,
                                                 fun() -> ets:update_counter(EB, a, 1) end,
                                                 fun() -> ets:update_element(E, a, {1, 1}) end,
                                                 fun() -> ets:update_element(E, a, {5, 1}) end,
                                                 fun() -> ets:new(dup_name, [named_table]) end,
                                                 fun() -> ets:give_away(E, self(), x) end,
                                                 fun() -> ets:select_replace(EB, [{'_', [], ['$_']}]) end,
                                                 fun() -> ets:insert(E, {}) end]]]),
    spawn(fun() -> Self ! {access, [cause(F) || F <- [fun() -> ets:insert(E, {b, 2}) end,
                                                      fun() -> ets:lookup(I, x) end,
                                                      fun() -> ets:give_away(E, self(), x) end,
                                                      fun() -> ets:delete(E) end]]} end),
    receive {access, Acc} -> io:format("access causes ~w~n", [Acc]) end,
    ok.

ets_set_pairs() ->
    P = ets:new(pairs, [set]),
    ets:insert(P, [{1, 1}, {2, 3}, {4, 4}]),
    P.
