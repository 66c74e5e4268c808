-module(ports_spawn).
-export([main/0]).

%% Ports to spawned programs: messages, options, links, monitors and
%% errors, as OTP 25 gives them. Port numbers and OS pids vary between
%% runs, so only their shape is printed.

main() ->
    process_flag(trap_exit, true),
    echo(),
    cat_roundtrip(),
    exit_status(),
    lines(),
    packets(),
    executable(),
    stderr(),
    close_connect(),
    owner_exit(),
    info(),
    signals(),
    busy(),
    registered_ports(),
    errors(),
    ok.

show(Label, Msgs) -> io:format("~s: ~p~n", [Label, Msgs]).

%% Everything the port sends, with the port replaced by 'P', until it closes.
drain(P) -> drain(P, []).
drain(P, Acc) ->
    receive
        {P, closed} -> lists:reverse([closed | Acc]);
        {P, eof} -> drain(P, [eof | Acc]);
        {P, M} -> drain(P, [M | Acc]);
        {'EXIT', P, R} -> lists:reverse([{'EXIT', R} | Acc])
    after 5000 -> lists:reverse([timeout | Acc])
    end.

%% Stream data arrives in as many pieces as the OS reads give: join them.
joined([{data, A}, {data, B} | T]) when is_list(A), is_list(B) -> joined([{data, A ++ B} | T]);
joined([H | T]) -> [H | joined(T)];
joined([]) -> [].

echo() ->
    P = open_port({spawn, "echo hello world"}, []),
    show("echo", [is_port(P) | drain(P)]),
    P2 = open_port({spawn, "echo hello"}, [binary]),
    show("echo binary", drain(P2)).

cat_roundtrip() ->
    P = open_port({spawn, "cat"}, [binary]),
    true = port_command(P, ["abc", $d, <<"ef">>, [[]], <<>>]),
    R1 = receive {P, {data, D}} -> D after 5000 -> timeout end,
    P ! {self(), {command, "xyz"}},
    R2 = receive {P, {data, D2}} -> D2 after 5000 -> timeout end,
    true = port_close(P),
    show("cat", [R1, R2 | drain(P)]),
    P3 = open_port({spawn, "cat"}, [eof]),
    port_command(P3, "last line\n"),
    R3 = receive {P3, {data, D3}} -> D3 after 5000 -> timeout end,
    show("cat list", [R3, erlang:port_info(P3, output), erlang:port_info(P3, input)]),
    port_close(P3),
    show("after close", drain(P3)).

exit_status() ->
    P = open_port({spawn, "sh -c 'echo out; exit 3'"}, [exit_status]),
    show("exit_status", drain(P)),
    P2 = open_port({spawn, "sh -c 'exit 7'"}, [exit_status, eof]),
    M = drain_n(P2, 2),
    show("exit_status eof", [M, erlang:port_info(P2) =/= undefined]),
    port_close(P2),
    show("closed", drain(P2)),
    P3 = open_port({spawn, "sh -c 'kill -9 $$'"}, [exit_status]),
    show("killed", drain(P3)),
    P4 = open_port({spawn, "nonexistent_command_xyz"}, [exit_status, stderr_to_stdout]),
    show("not found", [X || X <- drain(P4), not is_data(X)]).

is_data({data, _}) -> true;
is_data(_) -> false.

drain_n(_, 0) -> [];
drain_n(P, N) ->
    receive {P, M} -> [M | drain_n(P, N - 1)] after 5000 -> [timeout] end.

lines() ->
    P = open_port({spawn, "printf 'ab\\ncdefgh\\n\\nij'"}, [{line, 3}]),
    show("line", drain(P)),
    P2 = open_port({spawn, "printf 'one\\ntwo\\n'"}, [{line, 100}, binary]),
    show("line binary", drain(P2)),
    P3 = open_port({spawn, "printf 'ab\\r\\nx\\ry\\nabc\\r\\n\\r\\n\\r'"}, [{line, 2}]),
    show("line crlf", drain(P3)),
    %% pieces split across reads exactly at the line length
    P4 = open_port({spawn, "sh -c 'printf ab; sleep 0.1; printf \"\\n\"; printf cd; sleep 0.1; printf \"\\r\";"
                    " sleep 0.1; printf \"\\nef\"; sleep 0.1; printf \"\\r\"; sleep 0.1; printf x'"}, [{line, 2}]),
    show("line split reads", drain(P4)).

packets() ->
    P = open_port({spawn, "cat"}, [{packet, 2}]),
    port_command(P, "hello"),
    port_command(P, []),
    port_command(P, lists:duplicate(300, $x)),
    R = drain_n(P, 3),
    show("packet 2", [hd(R), lists:nth(2, R), length(element(2, lists:nth(3, R)))]),
    show("packet output", erlang:port_info(P, output)),
    port_close(P),
    drain(P),
    P4 = open_port({spawn, "cat"}, [{packet, 4}, binary]),
    port_command(P4, <<1, 2, 3>>),
    show("packet 4", drain_n(P4, 1)),
    port_close(P4),
    drain(P4),
    P1 = open_port({spawn, "printf '\\003abc\\001z'"}, [{packet, 1}]),
    show("packet 1 in", drain(P1)).

executable() ->
    P = open_port({spawn_executable, "/bin/sh"},
                  [{args, ["-c", "echo $0 $1 $CBEAM_X; pwd", "arg one"]}, {arg0, "zero"},
                   {env, [{"CBEAM_X", "xval"}]}, {cd, "/"}, exit_status]),
    show("spawn_executable", joined(drain(P))),
    os:putenv("CBEAM_Y", "yes"),
    P2 = open_port({spawn_executable, "/bin/sh"}, [{args, ["-c", "echo ${CBEAM_Y:-unset}"]}]),
    show("inherited env", drain(P2)),
    P3 = open_port({spawn_executable, "/bin/sh"}, [{args, ["-c", "echo ${CBEAM_Y:-unset}"]}, {env, [{"CBEAM_Y", false}]}]),
    show("unset env", drain(P3)),
    P4 = open_port({spawn, "echo via4 >&4"}, [nouse_stdio]),
    show("nouse_stdio", drain(P4)),
    P5 = open_port({spawn_executable, "/bin/echo"}, [{cd, "/nonexistent_dir"}, exit_status, {args, ["hi"]}]),
    show("missing cd", drain(P5)),
    P6 = open_port({spawn, "pwd"}, [{cd, "/etc/passwd"}, exit_status]),
    show("cd to a file", drain(P6)),
    P7 = open_port({spawn, "pwd"}, [{cd, <<"/">>}]),
    show("cd binary", drain(P7)),
    P8 = open_port({spawn_executable, '/bin/echo'}, [{args, [a, [$b, "c"], <<"d">>, "\x{439}"]}, {cd, '/'}]),
    show("name forms", joined(drain(P8))),
    show("env forms", [case t(fun() -> open_port({spawn_executable, "/bin/true"}, [{env, E}]) end) of
                           {ok, Port} when is_port(Port) -> ok;
                           Error -> Error
                       end || E <- [[{a, "b"}], [{"a", b}], [{"a", ["b"]}], [{"", "x"}], [{"a=b", "x"}], [bad], x,
                                    [{<<"K">>, <<"v">>}], [{"K", false}], [{"K", []}]]]),
    P9 = open_port({spawn, <<"echo binary command">>}, []),
    show("binary command", drain(P9)).

stderr() ->
    P = open_port({spawn, "sh -c 'echo to-stderr >&2'"}, [stderr_to_stdout]),
    show("stderr_to_stdout", drain(P)),
    P2 = open_port({spawn, "sh -c 'echo x; echo y'"}, [in]),
    show("in only", joined(drain(P2))),
    P3 = open_port({spawn, "cat > /dev/null"}, [out, exit_status]),
    port_command(P3, "ignored"),
    show("out only", [erlang:port_info(P3, output)]),
    port_close(P3),
    show("out only closed", drain(P3)).

close_connect() ->
    P = open_port({spawn, "cat"}, []),
    P ! {self(), close},
    show("close message", drain(P)),
    Other = spawn(fun() -> receive stop -> ok end end),
    P2 = open_port({spawn, "cat"}, []),
    P2 ! {self(), {connect, Other}},
    C = receive {P2, connected} -> connected after 5000 -> timeout end,
    {connected, Now} = erlang:port_info(P2, connected),
    {links, L} = erlang:port_info(P2, links),
    show("connect message", [C, Now =:= Other, L =:= [self()]]),
    port_close(P2),
    drain(P2),
    P3 = open_port({spawn, "cat"}, []),
    true = port_connect(P3, Other),
    {connected, Now3} = erlang:port_info(P3, connected),
    {links, L3} = erlang:port_info(P3, links),
    show("port_connect", [Now3 =:= Other, lists:sort(L3) =:= lists:sort([self(), Other])]),
    unlink(P3),
    port_close(P3),
    show("unlinked close", [receive {'EXIT', P3, R3} -> R3 after 300 -> no_exit_signal end]),
    P4 = open_port({spawn, "cat"}, []),
    P4 ! {self(), bogus},
    show("bad message", drain(P4)),
    P5 = open_port({spawn, "cat"}, []),
    Other ! {go, P5},
    P5 ! {Other, {command, "x"}},
    show("command from non-owner", drain(P5)),
    P6 = open_port({spawn, "cat"}, []),
    Self = self(),
    spawn(fun() -> Self ! {closer, catch port_close(P6)} end),
    R = receive {closer, X} -> X after 5000 -> timeout end,
    show("closed by another process", [R | drain(P6)]),
    Other ! stop.

owner_exit() ->
    Self = self(),
    Owner = spawn(fun() ->
                          P = open_port({spawn, "cat"}, []),
                          Self ! {port, P},
                          receive stop -> exit(shutdown) end
                  end),
    P = receive {port, Port} -> Port after 5000 -> timeout end,
    Ref = erlang:monitor(port, P),
    link(P),
    Owner ! stop,
    Down = receive {'DOWN', Ref, port, P, Why} -> {'DOWN', Why} after 5000 -> timeout end,
    Exit = receive {'EXIT', P, Why2} -> {'EXIT', Why2} after 5000 -> timeout end,
    show("owner exit", [Exit, Down, erlang:port_info(P)]),
    Owner2 = spawn(fun() ->
                           P2 = open_port({spawn, "cat"}, []),
                           Self ! {port, P2},
                           receive stop -> ok end
                   end),
    P2 = receive {port, Port2} -> Port2 after 5000 -> timeout end,
    Ref2 = erlang:monitor(port, P2),
    Owner2 ! stop,
    show("owner normal exit", [receive {'DOWN', Ref2, port, P2, W} -> W after 5000 -> timeout end]),
    P3 = open_port({spawn, "cat"}, []),
    Ref3 = erlang:monitor(port, P3),
    true = erlang:demonitor(Ref3, [flush]),
    port_close(P3),
    drain(P3),
    show("demonitor", [receive {'DOWN', Ref3, _, _, _} -> down after 100 -> none end]),
    Ref4 = erlang:monitor(port, P3),
    show("monitor closed", [receive {'DOWN', Ref4, port, P3, W4} -> W4 after 5000 -> timeout end]).

info() ->
    P = open_port({spawn, "cat"}, []),
    Info = erlang:port_info(P),
    show("info keys", [K || {K, _} <- Info]),
    {os_pid, OsPid} = erlang:port_info(P, os_pid),
    show("info", [erlang:port_info(P, name), erlang:port_info(P, connected) =:= {connected, self()},
                  erlang:port_info(P, links) =:= {links, [self()]}, is_integer(OsPid),
                  erlang:port_info(P, input), erlang:port_info(P, output),
                  erlang:port_info(P, registered_name)]),
    show("in ports", [lists:member(P, erlang:ports())]),
    S = erlang:port_to_list(P),
    show("port_to_list", [list_to_port(S) =:= P, lists:prefix("#Port<0.", S), io_lib:format("~w", [P]) == S]),
    port_close(P),
    drain(P),
    show("closed info", [erlang:port_info(P), erlang:port_info(P, name), lists:member(P, erlang:ports())]).

signals() ->
    P = open_port({spawn, "cat"}, []),
    exit(P, kill),
    show("exit kill", drain(P)),
    P2 = open_port({spawn, "cat"}, []),
    Self = self(),
    spawn(fun() -> exit(P2, normal), Self ! done end),
    receive done -> ok end,
    show("normal from another", [erlang:port_info(P2, name)]),
    exit(P2, normal),
    show("normal from owner", [drain(P2), erlang:port_info(P2)]),
    P3 = open_port({spawn, "cat"}, []),
    spawn(fun() -> exit(P3, because), Self ! done end),
    receive done -> ok end,
    show("reason from another", drain(P3)),
    P4 = open_port({spawn, "cat"}, [{packet, 1}]),
    show("packet 1 too long", [port_command(P4, lists:duplicate(256, $a)) | drain(P4)]),
    P5 = open_port({spawn, "cat"}, []),
    Ref = erlang:monitor(port, P5),
    {monitors, Ms} = process_info(self(), monitors),
    show("monitors", [Ms =:= [{port, P5}], erlang:port_info(P5, monitored_by) =:= {monitored_by, [self()]},
                      erlang:port_info(P5, monitors)]),
    erlang:demonitor(Ref),
    show("demonitored", [process_info(self(), monitors), erlang:port_info(P5, monitored_by)]),
    port_close(P5),
    drain(P5).

%% A port whose program does not read: above OTP's busy limit a writer is
%% suspended (nosuspend: refused), until the port closes (badarg) or the
%% program reads.
busy() ->
    P = open_port({spawn, "sleep 2"}, []),
    Big = binary:copy(<<"x">>, 100000),
    show("nosuspend", [port_command(P, Big, [nosuspend]) || _ <- lists:seq(1, 3)]),
    show("force", [t(fun() -> port_command(P, "x", [force]) end)]),
    Self = self(),
    spawn(fun() -> Self ! {writer, t(fun() -> port_command(P, "y") end)} end),
    show("writer", [receive {writer, W} -> W after 500 -> suspended end]),
    port_close(P),
    show("closed while suspended", drain_n2(2)),
    P2 = open_port({spawn, "sh -c 'sleep 0.3; cat > /dev/null'"}, [out]),
    spawn(fun() -> [port_command(P2, binary:copy(<<"z">>, 10000)) || _ <- lists:seq(1, 50)], Self ! written end),
    show("slow reader", [receive written -> written after 5000 -> timeout end]),
    port_close(P2),
    show("all out", drain(P2)),
    P3 = open_port({spawn, "cat > /dev/null"}, [out, {busy_limits_port, disabled}]),
    show("not busy", [lists:usort([port_command(P3, Big, [nosuspend]) || _ <- lists:seq(1, 3)])]),
    port_close(P3),
    drain(P3).

%% A port registered under a name: the name works wherever a port does.
registered_ports() ->
    P = open_port({spawn, "cat"}, []),
    show("register", [t(fun() -> register(my_port, P) end), whereis(my_port) =:= P,
                      lists:member(my_port, registered()), erlang:port_info(P, registered_name),
                      hd(erlang:port_info(my_port))]),
    my_port ! {self(), {command, "via name\n"}},
    show("send by name", [receive {P, D} -> D after 2000 -> timeout end]),
    true = port_command(my_port, "command by name\n"),
    show("command by name", [receive {P, D2} -> D2 after 2000 -> timeout end]),
    show("taken", [t(fun() -> register(other, P) end), t(fun() -> register(my_port, self()) end),
                   t(fun() -> register(undefined, P) end)]),
    R = erlang:monitor(port, my_port),
    show("by name", [t(fun() -> port_connect(my_port, self()) end), erlang:port_info(my_port, name)]),
    true = port_close(my_port),
    show("closed", [receive {'DOWN', R, port, Who, Why} -> {Who, Why} after 1000 -> none end,
                    whereis(my_port), t(fun() -> port_close(my_port) end), erlang:port_info(my_port),
                    t(fun() -> my_port ! x end)]),
    drain(P),
    P2 = open_port({spawn, "cat"}, []),
    register(p2, P2),
    unregister(p2),
    show("unregistered", [whereis(p2), erlang:port_info(P2, registered_name), t(fun() -> unregister(p2) end)]),
    register(p2, P2),
    exit(P2, kill),
    drain(P2),
    show("killed", [whereis(p2), lists:member(p2, registered())]).

drain_n2(0) -> [];
drain_n2(N) ->
    receive
        {'EXIT', _, R} -> [{'EXIT', R} | drain_n2(N - 1)];
        {writer, {C, R}} -> [{writer, C, R} | drain_n2(N - 1)]
    after 5000 -> [timeout]
    end.

t(F) -> try F() of V -> {ok, V} catch C:R -> {C, R} end.

errors() ->
    show("bad executable", [t(fun() -> open_port({spawn_executable, "/nonexistent/prog"}, []) end),
                            t(fun() -> open_port({spawn_executable, "/etc/passwd"}, []) end)]),
    Bad = [{{spawn, "cat"}, [{packet, 3}]}, {{spawn, "cat"}, [bogus]}, {{spawn, "cat"}, [{line, 0}]},
           {{spawn, "cat"}, [{line, 2}, {packet, 2}]}, {{spawn, "cat"}, [{args, ["a"]}]},
           {{spawn, ""}, []}, {{spawn, "cat"}, not_a_list}, {{spawn, "cat"}, [nouse_stdio, stderr_to_stdout]},
           {{fd, 0, 1}, [exit_status]}, {{fd, a, 1}, []}, {{spawn_driver, "nope"}, []}, {{}, []},
           {{spawn, "cat"}, [{env, [bad]}]}, {{spawn, "cat"}, [{cd, 42}]}],
    show("bad open_port", [t(fun() -> open_port(N, O) end) || {N, O} <- Bad]),
    P = open_port({spawn, "cat"}, []),
    show("bad command", [t(fun() -> port_command(P, [1, 2, foo]) end), t(fun() -> port_command(P, 300) end),
                         t(fun() -> port_command(P, "x", [bogus]) end)]),
    port_close(P),
    drain(P),
    show("closed port", [t(fun() -> port_command(P, "x") end), t(fun() -> port_close(P) end),
                         t(fun() -> port_connect(P, self()) end), t(fun() -> P ! {self(), {command, "x"}}, sent end)]),
    show("not a port", [t(fun() -> port_command(self(), "x") end), t(fun() -> erlang:port_info(self()) end),
                        t(fun() -> erlang:port_info(nonexistent_name) end), t(fun() -> port_close(foo) end),
                        t(fun() -> erlang:port_to_list(self()) end), t(fun() -> list_to_port("#Port<0.x>") end),
                        t(fun() -> list_to_port("<0.1.0>") end)]),
    show("link closed port", [t(fun() -> link(P) end), receive {'EXIT', P, R} -> R after 1000 -> none end]),
    P2 = open_port({spawn, "cat"}, []),
    show("bad info item", [t(fun() -> erlang:port_info(P2, bogus) end)]),
    show("no control", [t(fun() -> erlang:port_control(P2, 0, []) end), t(fun() -> erlang:port_control(P2, -1, []) end),
                        t(fun() -> erlang:port_call(P2, 0, x) end), t(fun() -> erlang:port_call(P2, x) end)]),
    show("port data", [erlang:port_get_data(P2), erlang:port_set_data(P2, {a, <<"bin">>, "str", 1.5}),
                       erlang:port_get_data(P2), erlang:port_set_data(P2, 42), erlang:port_get_data(P2),
                       t(fun() -> erlang:port_get_data(P) end), t(fun() -> erlang:port_set_data(P, 1) end),
                       t(fun() -> erlang:port_get_data(self()) end)]),
    port_close(P2),
    drain(P2).
