-module(process_info).
-export([main/0]).

main() ->
    Self = self(),
    P = spawn(fun() -> put(key, value), Self ! ready, receive stop -> ok end end),
    receive ready -> ok end,
    P ! m1, P ! m2,
    timer:sleep(10),
    io:format("message_queue_len ~p~n", [process_info(P, message_queue_len)]),
    io:format("messages ~p~n", [process_info(P, messages)]),
    io:format("dictionary ~p~n", [lists:keyfind(key, 1, element(2, process_info(P, dictionary)))]),
    io:format("status ~p~n", [process_info(P, status)]),
    io:format("trap_exit ~p~n", [process_info(P, trap_exit)]),
    io:format("priority ~p~n", [process_info(P, priority)]),
    {links, Ls} = process_info(self(), links),
    io:format("links empty ~p~n", [[L || L <- Ls, L =:= P]]),
    io:format("initial_call ~p~n", [element(1, element(2, process_info(P, initial_call)))]),
    io:format("multiple ~p~n", [process_info(P, [message_queue_len, trap_exit])]),
    io:format("heap_size int ~p~n", [is_integer(element(2, process_info(P, heap_size)))]),
    Ref = monitor(process, P),
    {monitored_by, MB} = process_info(P, monitored_by),
    io:format("monitored_by self ~p~n", [lists:member(self(), MB)]),
    P ! stop,
    receive {'DOWN', Ref, _, _, _} -> ok end,
    io:format("dead process_info ~p~n", [process_info(P, status)]),
    io:format("self status ~p~n", [process_info(self(), status)]),
    io:format("process_flag priority ~p ~p~n", [process_flag(priority, high), process_flag(priority, normal)]),
    io:format("is_process_alive self ~p~n", [is_process_alive(self())]),
    io:format("processes is list ~p~n", [is_list(erlang:processes()) andalso length(erlang:processes()) > 5]),
    io:format("group_leader is pid ~p~n", [is_pid(group_leader())]),
    io:format("spawn_opt ~p~n", [begin
                                     {P2, R2} = spawn_opt(fun() -> exit(opt) end, [monitor, {priority, low}]),
                                     receive {'DOWN', R2, process, P2, X} -> X end
                                 end]),
    io:format("erlang:yield ~p~n", [erlang:yield()]),
    io:format("self() node ~p~n", [node(self())]),
    ok.
