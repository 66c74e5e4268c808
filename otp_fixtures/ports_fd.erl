-module(ports_fd).
-export([main/0]).

%% {fd, In, Out} ports: the console's descriptors, in OTP's order with
%% io:format's output. Standard input is /dev/null here.

main() ->
    process_flag(trap_exit, true),
    io:format("before~n"),
    Out = open_port({fd, 0, 1}, [out]),
    true = port_command(Out, "written by an fd port\n"),
    port_command(Out, [<<"iolist ">>, "to fd 1", $\n]),
    io:format("window size of a pipe ~p~n", [reason(fun() -> erlang:port_control(Out, 16#018b0900 + 100, []) end)]),
    io:format("other control ~p~n", [reason(fun() -> erlang:port_control(Out, 0, []) end)]),
    io:format("info ~p~n", [[erlang:port_info(Out, name), erlang:port_info(Out, os_pid),
                            erlang:port_info(Out, output), erlang:port_info(Out, input)]]),
    Err = open_port({fd, 2, 2}, [out, binary]),
    port_command(Err, <<"to fd 2\n">>),
    timer:sleep(100),
    io:format("after~n"),
    port_close(Out),
    port_close(Err),
    io:format("closed ~p~n", [[{Tag, P =:= Out orelse P =:= Err, R} || {Tag, P, R} <- flush()]]),
    In = open_port({fd, 0, 1}, [in, eof]),
    io:format("stdin eof ~p~n", [receive {In, M} -> M after 5000 -> timeout end]),
    io:format("still open ~p~n", [erlang:port_info(In, name)]),
    port_close(In),
    In2 = open_port({fd, 0, 1}, [in]),
    io:format("stdin closes ~p~n", [receive {'EXIT', In2, R} -> R after 5000 -> timeout end]),
    In3 = open_port({fd, 0, 1}, [in, binary, {line, 10}]),
    io:format("line mode at eof ~p~n", [receive {'EXIT', In3, R3} -> R3 after 5000 -> timeout end]),
    Bad = open_port({fd, 1000, 1001}, [out]),
    io:format("bad fd ~p~n", [[is_port(Bad), erlang:port_info(Bad, name), port_command(Bad, "x"),
                               receive {'EXIT', Bad, Why} -> Why after 5000 -> timeout end]]),
    io:format("bad options ~p~n", [[catch open_port({fd, 0, 1}, [exit_status]),
                                    catch open_port({fd, 0, 1}, [{args, []}]),
                                    catch open_port({fd, -1, 1}, []),
                                    catch open_port({fd, 0}, [])]]),
    ok.

reason(F) -> try F() catch error:R -> R end.

flush() -> receive M -> [M | flush()] after 100 -> [] end.
