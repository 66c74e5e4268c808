-module(registry).
-export([main/0]).

main() ->
    Self = self(),
    P = spawn(fun() -> loop() end),
    io:format("register ~p~n", [register(my_server, P)]),
    io:format("whereis same ~p~n", [whereis(my_server) =:= P]),
    io:format("whereis unknown ~p~n", [whereis(nobody_here)]),
    io:format("registered contains ~p~n", [lists:member(my_server, registered())]),
    my_server ! {Self, ping},
    receive {pong, From} -> io:format("pong from registered ~p~n", [From =:= P]) end,
    io:format("send to name tuple ~p~n", [begin {my_server, node()} ! {Self, ping}, receive {pong, _} -> ok end end]),
    io:format("double register ~p~n", [try register(my_server, self()) catch error:R -> R end]),
    io:format("register self under other name ~p~n", [register(main_proc, self())]),
    io:format("two names for one pid ~p~n", [try register(main_proc2, self()) catch error:R2 -> R2 end]),
    io:format("process_info registered_name ~p~n", [process_info(self(), registered_name)]),
    io:format("unregister ~p ~p~n", [unregister(main_proc), whereis(main_proc)]),
    io:format("unregister unknown ~p~n", [try unregister(main_proc) catch error:R3 -> R3 end]),
    io:format("send to unregistered ~p~n", [try nosuch_name ! hi catch error:R4 -> R4 end]),
    io:format("register bad name ~p~n", [try register(undefined, self()) catch error:R5 -> R5 end]),
    Ref = monitor(process, P),
    my_server ! stop,
    receive {'DOWN', Ref, _, _, _} -> ok end,
    io:format("name gone after exit ~p~n", [whereis(my_server)]),
    io:format("kernel processes present ~p~n", [[N || N <- [init, code_server, user, kernel_sup, application_controller],
                                                  is_pid(whereis(N))]]),
    ok.

loop() ->
    receive
        {From, ping} -> From ! {pong, self()}, loop();
        stop -> ok
    end.
