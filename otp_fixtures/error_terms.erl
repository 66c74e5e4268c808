-module(error_terms).
-export([main/0, id/1, one/1]).

-record(r, {a}).

id(X) -> X.
one(1) -> one.

reason(F) ->
    try F() of
        V -> {no_error, V}
    catch
        C:R -> {C, R}
    end.

main() ->
    Cases =
        [{badmatch, fun() -> {a, _} = id({b, c}) end},
         {badmatch_int, fun() -> 1 = id(2) end},
         {case_clause, fun() -> case id(x) of y -> ok end end},
         {function_clause, fun() -> one(id(2)) end},
         {fun_clause, fun() -> (fun(a) -> ok end)(id(b)) end},
         {if_clause, fun() -> X = id(1), if X > 2 -> ok end end},
         {badarith_add, fun() -> id(1) + id(a) end},
         {badarith_div0, fun() -> id(1) div id(0) end},
         {badarith_rem0, fun() -> id(1) rem id(0) end},
         {badarith_band, fun() -> id(1.0) band 1 end},
         {badarith_neg, fun() -> -id(x) end},
         {badarg_atom, fun() -> atom_to_list(id("str")) end},
         {badarg_list_to_integer, fun() -> list_to_integer(id("12x")) end},
         {badarg_element, fun() -> element(id(9), {a}) end},
         {badarg_hd, fun() -> hd(id([])) end},
         {badarg_send, fun() -> id(not_registered_name_zz) ! msg end},
         {undef_mod, fun() -> (id(nonexistent_module_q)):foo(1) end},
         {undef_fun, fun() -> (id(lists)):no_such_function(1, 2, 3) end},
         {badfun, fun() -> (id({not_a, fun_value}))() end},
         {badarity, fun() -> (id(fun(X) -> X end))() end},
         {badkey, fun() -> (id(#{a => 1}))#{b := 2} end},
         {badkey_get, fun() -> maps:get(missing, id(#{})) end},
         {badmap, fun() -> (id([1, 2]))#{a := 1} end},
         {badrecord, fun() -> (id({s, 1}))#r.a end},
         {try_clause, fun() -> try id(5) of 6 -> six catch _:_ -> caught end end},
         {throw, fun() -> throw({custom, 1}) end},
         {exit, fun() -> exit({shutdown, why}) end},
         {error_tuple, fun() -> error({my_error, "text"}) end},
         {system_limit, fun() -> list_to_atom(lists:duplicate(300, $a)) end},
         {noproc, fun() -> gen_server:call(id(no_such_server_x), hi) end},
         {tuple_size, fun() -> tuple_size(id([])) end},
         {float_conv, fun() -> list_to_float(id("1")) end},
         {binary_to_atom, fun() -> binary_to_existing_atom(id(<<"zz_not_existing_atom_zz">>), utf8) end},
         {integer_overflow_float, fun() -> float(id(1 bsl 2000)) end},
         {badarg_length, fun() -> length(id([a | b])) end},
         {badarg_bsl, fun() -> id(a) bsl 1 end},
         {badarg_abs, fun() -> abs(id(a)) end},
         {apply_nonlist, fun() -> apply(id(lists), reverse, id(notalist)) end}],
    lists:foreach(
      fun({Name, F}) ->
              R = case reason(F) of
                      {error, {badarity, {Fun, Args}}} when is_function(Fun) -> {error, {badarity, {a_fun, Args}}};
                      {error, {badfun, Fun}} when is_function(Fun) -> {error, {badfun, a_fun}};
                      Other -> Other
                  end,
              io:format("~-24s ~p~n", [atom_to_list(Name), R])
      end, Cases),
    ok.
