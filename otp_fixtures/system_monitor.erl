%% erlang:system_monitor/0,1,2: the settings as OTP lists them (option
%% order, the 1 ms and 16384-word floors), switching off with undefined or
%% no options, badarg for bad options and dead monitors, and the
%% large_heap and long_gc messages with OTP's info keys.
-module(system_monitor).
-export([main/0]).

main() ->
    Self = self(),
    io:format("initially: ~p~n", [erlang:system_monitor()]),
    undefined = erlang:system_monitor(Self, [{long_schedule, 3}, busy_dist_port, {long_gc, 7}, {large_heap, 9}, busy_port]),
    show(),
    show(erlang:system_monitor(Self, [{long_gc, 0}, {long_schedule, 0}, {large_heap, 20000}])),
    show(),
    show(erlang:system_monitor(undefined)),
    show(),
    show(erlang:system_monitor({Self, [{large_heap, 100000}, {long_gc, 0}]})),
    P = spawn(fun() -> L = lists:seq(1, 300000), receive stop -> length(L) end end),
    receive {monitor, P, large_heap, I} -> io:format("large_heap: ~p~n", [[K || {K, _} <- I]]) end,
    receive {monitor, P, long_gc, I2} -> io:format("long_gc: ~p~n", [[K || {K, _} <- I2]]) end,
    P ! stop,
    show(erlang:system_monitor(Self, [])),
    show(),
    Dead = spawn(fun() -> ok end),
    Ref = monitor(process, Dead),
    receive {'DOWN', Ref, _, _, _} -> ok end,
    [io:format("~p: ~p~n", [N, error_of(catch apply(erlang, system_monitor, Args))]) ||
        {N, Args} <- lists:enumerate([[Self, [{foo, 1}]], [Self, [{long_gc, -1}]], [Self, [long_gc]], [Self, foo],
                                      [Self, [{long_gc, x}]], [foo], [{Self}], [Dead, [{long_gc, 1}]]])],
    ok.

error_of({'EXIT', {Reason, [{M, F, _, Info} | _]}}) -> {Reason, M, F, Info};
error_of(Other) -> Other.

show() -> show(erlang:system_monitor()).
show({Pid, Opts}) when Pid =:= self() -> io:format("self ~p~n", [Opts]);
show(Other) -> io:format("~p~n", [Other]).
