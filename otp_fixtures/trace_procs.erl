%% erlang:trace/3 with the procs and running flags: a process traces
%% itself (so that the events depend only on what it does): yields give
%% out/in pairs with the function it was in, then register, unregister,
%% spawn (and, with set_on_first_spawn, the child's spawned), link,
%% unlink, getting_linked on a traced partner, and its exit; trace_info,
%% switching flags off, and the badarg cases.
-module(trace_procs).
-export([main/0, child/1, partner/0]).

main() ->
    Parent = self(),
    Partner = spawn(?MODULE, partner, []),
    1 = erlang:trace(Partner, true, [procs]),
    P = spawn(fun() -> traced(Parent, Partner) end),
    events(P),
    receive {child, C} -> events(C) end,
    Partner ! stop,
    events(Partner),
    io:format("after exit: ~p~n", [erlang:trace_info(P, flags)]),
    Q = spawn(fun() -> receive stop -> ok end end),
    1 = erlang:trace(Q, true, [procs, running]),
    io:format("info: ~p ~p~n", [erlang:trace_info(Q, flags), erlang:trace_info(Q, tracer) =:= {tracer, self()}]),
    1 = erlang:trace(Q, false, [running]),
    io:format("running off: ~p~n", [erlang:trace_info(Q, flags)]),
    1 = erlang:trace(Q, false, [procs]),
    io:format("all off: ~p~n", [[erlang:trace_info(Q, I) || I <- [flags, tracer]]]),
    io:format("new: ~p~n", [erlang:trace_info(new, flags)]),
    Dead = spawn(fun() -> ok end),
    R = monitor(process, Dead),
    receive {'DOWN', R, _, _, _} -> ok end,
    [io:format("~p: ~p~n", [N, error_of(catch erlang:trace(Who, How, Flags))]) ||
        {N, {Who, How, Flags}} <- lists:enumerate([{Dead, true, [procs]}, {Q, maybe, [procs]},
                                                   {Q, true, [{tracer, Dead}]}, {Q, true, [bogus]},
                                                   {Q, true, procs}, {nobody, true, [procs]}])],
    Q ! stop,
    ok.

traced(Parent, Partner) ->
    erlang:trace(self(), true, [procs, running, set_on_first_spawn, {tracer, Parent}]),
    erlang:yield(),
    erlang:yield(),
    register(trace_procs_p, self()),
    unregister(trace_procs_p),
    C = spawn(?MODULE, child, [Parent]),
    spawn(fun() -> ok end),   % the second child is not traced
    link(Partner),
    unlink(Partner),
    Parent ! {child, C},
    exit(done).

child(Parent) -> Parent ! hello.

partner() -> receive stop -> ok end.

%% Trace messages about P until its exit, pids as names.
events(P) ->
    receive
        {trace, P, exit, _} = M -> show(M, P);
        {trace, P, _, _} = M -> show(M, P), events(P);
        {trace, P, _, _, _} = M -> show(M, P), events(P)
    after 2000 -> io:format("timeout~n")
    end.

show(M, P) -> io:format("~p~n", [list_to_tuple([name(E, P) || E <- tuple_to_list(M)])]).

name(P, P) -> p;
name(E, _) when is_pid(E) -> other;
name({M, F, Args}, _) when is_list(Args) -> {M, F, length(Args)};
name(E, _) -> E.

error_of({'EXIT', {Reason, [{M, F, _, _} | _]}}) -> {Reason, M, F};
error_of(Other) -> Other.
