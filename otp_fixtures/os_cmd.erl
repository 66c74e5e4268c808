-module(os_cmd).
-export([main/0]).

%% os:cmd/1,2 from OTP's own os.erl: a spawn port to /bin/sh, a port
%% monitor, port_close and the messages in between.

main() ->
    show("simple", os:cmd("echo hello")),
    show("no output", os:cmd("true")),
    show("stderr joins stdout", os:cmd("echo out; echo err 1>&2")),
    show("exit code ignored", os:cmd("echo before; exit 3")),
    show("atom command", os:cmd('echo atom')),
    show("deep list command", os:cmd(["echo", [" deep", " list"]])),
    show("no trailing newline", os:cmd("printf 'a\\nb'")),
    show("shell features", os:cmd("cd / && pwd; X=1; echo $((X + 41))")),
    show("comment in command", os:cmd("echo visible # a comment")),
    show("stdin is closed", os:cmd("cat")),
    show("unicode", os:cmd("printf '\\303\\251t\\303\\251'")),
    show("not utf-8", os:cmd("printf '\\377\\376'")),
    Big = os:cmd("seq 1 20000"),
    show("big output", {length(Big), lists:sublist(Big, 12), lists:last(string:tokens(Big, "\n"))}),
    show("max_size", os:cmd("echo 0123456789", #{max_size => 4})),
    show("env", begin os:putenv("OS_CMD_VAR", "from putenv"), os:cmd("echo $OS_CMD_VAR") end),
    show("not found", lists:suffix("not found\n", os:cmd("no_such_command_xyz"))),
    show("many", [os:cmd("echo " ++ integer_to_list(N)) || N <- lists:seq(1, 20)]),
    Self = self(),
    Pids = [spawn(fun() -> Self ! {self(), os:cmd("echo " ++ integer_to_list(N))} end) || N <- lists:seq(1, 8)],
    show("parallel", [receive {P, R} -> R end || P <- Pids]),
    show("ports left", [P || P <- erlang:ports(), erlang:port_info(P, name) =/= {name, "0/1"},
                             erlang:port_info(P, name) =/= {name, "2/2"}, erlang:port_info(P, name) =/= {name, "forker"}]),
    show("badarg", catch_error(fun() -> os:cmd(123) end)),
    show("badarg list", catch_error(fun() -> os:cmd([$e, foo]) end)),
    show("bad option", catch_error(fun() -> os:cmd("echo", #{max_size => -1}) end)),
    ok.

show(Label, V) -> io:format("~s: ~p~n", [Label, V]).

catch_error(F) ->
    try F() catch error:R:St -> {R, element(1, hd(St)), element(2, hd(St))} end.
