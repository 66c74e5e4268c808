%% spawn_opt options (heap sizes, fullsweep_after, max_heap_size with its
%% kill, message_queue_data, priority, link+monitor set up before the child
%% runs), the matching process_flag/process_info items, badopt errors.
-module(spawn_opts).
-export([main/0]).
main() ->
    P = spawn_opt(fun() -> receive _ -> ok end end, [{min_heap_size, 1000}, {fullsweep_after, 10}, {message_queue_data, off_heap}, {max_heap_size, 100000}]),
    io:format("~p~n~p~n~p~n", [process_info(P, heap_size), process_info(P, garbage_collection), process_info(P, message_queue_data)]),
    io:format("~p~n", [catch spawn_opt(fun() -> ok end, [{min_heap_size, -1}])]),
    io:format("~p~n", [process_flag(min_heap_size, 500)]),
    io:format("~p~n", [process_flag(message_queue_data, off_heap)]),
    io:format("~p~n", [process_flag(message_queue_data, on_heap)]),
    io:format("~p~n", [process_flag(max_heap_size, 1000000)]),
    io:format("~p~n", [process_info(self(), max_heap_size)]),
    io:format("~p~n", [process_flag(max_heap_size, #{size => 0})]),
    io:format("~p~n", [process_flag(fullsweep_after, 3)]),
    {Pid, Ref} = spawn_opt(fun() -> grow([]) end, [monitor, {max_heap_size, #{size => 10000, error_logger => false}}]),
    receive {'DOWN', Ref, process, Pid, Why} -> io:format("over max heap: ~p~n", [Why]) end,
    {P2, R2} = spawn_opt(fun() -> exit(early) end, [monitor, link, {priority, high}]),
    process_flag(trap_exit, true),
    receive {'DOWN', R2, process, P2, W2} -> io:format("early exit seen: ~p~n", [W2]) end,
    receive {'EXIT', P2, W3} -> io:format("early exit linked: ~p~n", [W3]) end,
    ok.
grow(L) -> grow([lists:seq(1, 100) | L]).
