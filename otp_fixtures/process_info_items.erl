%% process_info/2 items beyond process_info.erl: sizes and memory as
%% numbers that move the right way, current_function, reductions,
%% registered_name with and without a name, links and monitors lists,
%% group_leader. (process_flag(save_calls, N) is refused by cbeam: README.)
-module(process_info_items).
-export([main/0, idle/0]).

idle() -> receive stop -> ok end.

%% The error and the BIF frame's argument count (the arguments hold a pid).
error_of(F) ->
    try F() catch error:E:St -> [{M, Fn, Args, _} | _] = St, {E, M, Fn, length(Args)} end.

main() ->
    P = spawn(?MODULE, idle, []),
    timer:sleep(10),
    {current_function, CF} = process_info(P, current_function),
    io:format("current_function ~p~n", [CF]),
    {initial_call, IC} = process_info(P, initial_call),
    io:format("initial_call ~p~n", [IC]),
    [{total_heap_size, T}, {heap_size, H}, {stack_size, S}, {memory, M}, {reductions, R}] =
        process_info(P, [total_heap_size, heap_size, stack_size, memory, reductions]),
    io:format("total >= heap ~p, stack > 0 ~p, memory > words ~p, reductions ~p~n",
              [T >= H, S > 0, M > T * 8, is_integer(R) andalso R >= 0]),
    io:format("registered_name unnamed ~p~n", [process_info(P, registered_name)]),
    true = register(pi_named, P),
    io:format("registered_name named ~p~n", [process_info(P, registered_name)]),
    io:format("list with registered_name ~p~n", [process_info(P, [registered_name, status])]),
    link(P),
    Ref = monitor(process, P),
    {links, Links} = process_info(self(), links),
    {monitors, Mons} = process_info(self(), monitors),
    io:format("links ~p monitors ~p~n", [lists:member(P, Links), lists:member({process, P}, Mons)]),
    {group_leader, GL} = process_info(P, group_leader),
    io:format("group_leader same ~p~n", [GL =:= group_leader()]),
    %% a process that grows its heap: total_heap_size and memory grow with it
    Big = spawn(fun() -> L = lists:seq(1, 50000), receive {size, From} -> From ! {sz, length(L)} end end),
    timer:sleep(20),
    {total_heap_size, BT} = process_info(Big, total_heap_size),
    {memory, BM} = process_info(Big, memory),
    io:format("big heap ~p memory ~p~n", [BT > 50000 * 2, BM > BT * 8]),
    Big ! {size, self()},
    receive {sz, N} -> io:format("big list ~p~n", [N]) end,
    io:format("bad item ~p~n", [error_of(fun() -> process_info(P, no_such_item) end)]),
    io:format("bad pid ~p~n", [error_of(fun() -> process_info(not_a_pid, status) end)]),
    unlink(P),
    P ! stop,
    receive {'DOWN', Ref, process, P, Why} -> io:format("down ~p~n", [Why]) end,
    io:format("after death ~p ~p~n", [process_info(P, current_function), process_info(P)]),
    ok.
