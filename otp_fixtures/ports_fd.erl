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
    vanilla(),
    Bad = open_port({fd, 1000, 1001}, [out]),
    io:format("bad fd ~p~n", [[is_port(Bad), erlang:port_info(Bad, name), port_command(Bad, "x"),
                               receive {'EXIT', Bad, Why} -> Why after 5000 -> timeout end]]),
    io:format("bad options ~p~n", [[catch open_port({fd, 0, 1}, [exit_status]),
                                    catch open_port({fd, 0, 1}, [{args, []}]),
                                    catch open_port({fd, -1, 1}, []),
                                    catch open_port({fd, 0}, [])]]),
    ok.

reason(F) -> try F() catch error:R -> R end.

%% OTP 25's vanilla driver: open_port(Name, _) with a bare string or atom
%% opens the file Name as an fd port (created for writing).
vanilla() ->
    File = "/tmp/cbeam_vanilla_" ++ os:getpid(),
    W = open_port(File, [out]),
    port_command(W, ["first line\n", <<"second">>, " line\n"]),
    io:format("vanilla write ~p~n", [[erlang:port_info(W, name) =:= {name, File}, erlang:port_info(W, output),
                                      erlang:port_info(W, os_pid)]]),
    port_close(W),
    R = open_port(File, [in, {line, 8}, eof]),
    io:format("vanilla read ~p~n", [read_all(R)]),
    port_close(R),
    R2 = open_port(list_to_atom(File), [in, binary]),
    io:format("vanilla atom ~p~n", [[receive {R2, D} -> D after 2000 -> timeout end,
                                     receive {'EXIT', R2, Why} -> Why after 2000 -> timeout end]]),
    io:format("vanilla errors ~p~n", [[reason(fun() -> open_port("/nonexistent_dir/f", [in]) end),
                                      reason(fun() -> open_port(File, [exit_status]) end),
                                      reason(fun() -> open_port("", [in]) end),
                                      reason(fun() -> open_port([$a, 300], [in]) end)]]),
    os:cmd("rm -f " ++ File).

read_all(P) ->
    receive
        {P, eof} -> [eof];
        {P, {data, D}} -> [D | read_all(P)]
    after 2000 -> [timeout]
    end.

flush() -> receive M -> [M | flush()] after 100 -> [] end.
