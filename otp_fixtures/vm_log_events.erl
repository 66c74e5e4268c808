%% The emulator's own log events: a process that dies of an error or an
%% uncaught throw, and a process past its max_heap_size, reported to the
%% system logger (erlang:system_flag(system_logger, Pid)) as
%% {log, error, Format, Args, Meta}; exits and silenced reports send none.
-module(vm_log_events).
-export([main/0]).

main() ->
    Self = self(),
    Collector = spawn(fun() -> collect(Self) end),
    Old = erlang:system_flag(system_logger, Collector),
    io:format("old system_logger: ~p~n", [Old =/= undefined]),
    io:format("now: ~p~n", [erlang:system_info(system_logger) =:= Collector]),

    crash(fun() -> list_to_integer("2") + list_to_atom("a") end),
    crash(fun() -> throw(ball) end),
    crash(fun() -> erlang:error({custom, [1, 2]}) end),
    crash(fun() -> exit(plain_exit) end),
    crash(fun() -> exit(self(), kill) end),

    heap(#{size => 1000, kill => true, error_logger => true}),
    heap(#{size => 1000, kill => false, error_logger => true}),
    heap(#{size => 1000, kill => true, error_logger => false}),

    undefined = erlang:system_flag(system_logger, undefined) =/= Collector orelse undefined,
    crash(fun() -> 1 = length(atom_to_list(x)) + 1 end),
    Collector = erlang:system_flag(system_logger, Old) =:= undefined andalso Collector,
    io:format("restored: ~p~n", [erlang:system_info(system_logger) =:= Old]),
    ok.

crash(F) ->
    {Pid, Ref} = spawn_monitor(F),
    receive {'DOWN', Ref, process, Pid, Why} -> io:format("down: ~p~n", [strip(Why)]) end,
    report(Pid).

heap(Opts) ->
    {Pid, Ref} = spawn_opt(fun() -> grow(lists:seq(1, 20000)), done end,
                           [monitor, {max_heap_size, Opts}]),
    receive {'DOWN', Ref, process, Pid, Why} -> io:format("heap ~p: ~p~n", [Opts, Why]) end,
    report(Pid).

grow(L) -> length(lists:reverse(L)) + length(lists:reverse(L)).

%% The first event about Pid (and how many more came), or none.
report(Pid) ->
    receive
        {event, {log, Level, Format, [Pid | Args], Meta}} ->
            #{error_logger := EL, gl := GL, pid := Pid, time := T} = Meta,
            io:format("~p ~p~n  args: ~p~n  meta: ~p gl ~p time ~p~n",
                      [Level, Format, shape(Args), EL, is_pid(GL), is_integer(T)]),
            %% kill => false: one report per collection past the limit
            io:format("  more: ~p~n", [flush(Pid, 0) > 0])
    after 300 ->
        io:format("no event~n")
    end.

flush(Pid, N) ->
    receive {event, {log, _, _, [Pid | _], _}} -> flush(Pid, N + 1)
    after 100 -> N
    end.

%% The exit value without the stack trace's lines; heap numbers as types.
shape([{Reason, Stack}]) when is_list(Stack) -> [{Reason, length(Stack) > 0}];
shape([Max, Total, Kill, Log, QLen, Info]) ->
    [Max, is_integer(Total) andalso Total > Max, Kill, Log, QLen,
     [K || {K, V} <- Info, is_integer(V), V >= 0]];
shape(Args) -> Args.

strip({Reason, Stack}) when is_list(Stack) -> Reason;
strip(Reason) -> Reason.

collect(Main) ->
    receive M -> Main ! {event, M} end,
    collect(Main).
