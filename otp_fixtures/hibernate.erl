%% erlang:hibernate/3: the stack is dropped, the heap shrinks, and the process
%% continues in the given function when a message arrives.
-module(hibernate).
-export([main/0, wake/1]).
main() ->
    Self = self(),
    P = spawn(fun() -> Big = lists:seq(1, 10000), Self ! {len, length(Big)}, erlang:hibernate(?MODULE, wake, [Self]) end),
    receive {len, L} -> io:format("before ~p~n", [L]) end,
    timer:sleep(50),
    {heap_size, H} = process_info(P, heap_size),
    io:format("small heap after hibernate: ~p~n", [H < 1000]),
    io:format("status ~p~n", [process_info(P, status)]),
    P ! hello,
    receive {woke, M, St} -> io:format("woke with ~p, stack depth ~p~n", [M, St]) end,
    io:format("~p~n", [catch erlang:hibernate(1, 2, 3)]),
    ok.
wake(Parent) ->
    {stack_size, S} = process_info(self(), stack_size),
    receive M -> Parent ! {woke, M, S} end.
