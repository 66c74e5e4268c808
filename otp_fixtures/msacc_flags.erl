%% erlang:system_flag(microstate_accounting, true | false | reset) return
%% values, erlang:statistics(microstate_accounting)'s shape for the
%% schedulers, and runtime_tools' msacc over a short window: every
%% scheduler's states add up to the window's length.
-module(msacc_flags).
-export([main/0]).

main() ->
    Scheds = erlang:system_info(schedulers),
    L0 = erlang:statistics(microstate_accounting),
    io:format("list: ~p~n", [is_list(L0)]),
    io:format("schedulers listed: ~p~n", [length(scheds(L0)) =:= Scheds]),
    io:format("counter keys: ~p~n", [lists:sort(maps:keys(maps:get(counters, hd(scheds(L0)))))]),
    io:format("ids: ~p~n", [lists:sort([Id || #{id := Id} <- scheds(L0)]) =:= lists:seq(1, Scheds)]),
    Flags = [erlang:system_flag(microstate_accounting, true),
             erlang:system_flag(microstate_accounting, true),
             erlang:system_flag(microstate_accounting, reset),
             erlang:system_flag(microstate_accounting, false),
             erlang:system_flag(microstate_accounting, false),
             erlang:system_flag(microstate_accounting, reset)],
    io:format("flags: ~p~n", [Flags]),
    Zero = [V || M <- scheds(erlang:statistics(microstate_accounting)),
                 V <- maps:values(maps:get(counters, M)), V =/= 0],
    io:format("zero after reset while off: ~p~n", [Zero =:= []]),
    io:format("bad value: ~p~n", [catch_error(fun() -> erlang:system_flag(microstate_accounting, on) end)]),
    io:format("available: ~p~n", [msacc:available()]),
    spawn(fun() -> fib(24) end),
    io:format("start: ~p~n", [msacc:start(300)]),
    Stats = msacc:stats(),
    Sums = [lists:sum(maps:values(C)) || #{type := scheduler, counters := C} <- Stats],
    io:format("states add up to the window: ~p~n", [Sums =/= [] andalso lists:all(fun(S) -> S >= 290000 andalso S =< 400000 end, Sums)]),
    Busy = lists:sum([maps:get(emulator, C) || #{type := scheduler, counters := C} <- Stats]),
    io:format("emulator time seen: ~p~n", [Busy > 0]),
    io:format("still off: ~p~n", [erlang:system_flag(microstate_accounting, false)]).

scheds(L) -> [M || #{type := scheduler} = M <- L].

catch_error(F) ->
    try F() catch error:R -> {error, R} end.

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).
