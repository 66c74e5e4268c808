%% The workload test/prof/run traces with +S 2 +sched_trace +sched_report:
%% uneven tasks spawned from one process (so the other scheduler steals),
%% a process that yields, one that hibernates, one that collects garbage,
%% one whose slice is worth more reductions than 2^14 (term_to_binary/1),
%% receives with and without timeouts, enough ping-pong to fill the
%% trace rings several times, and busy processes moved off a scheduler
%% taken offline (migrations). It ends by printing
%% erlang:statistics/1's counters and halting in the same slice, so the
%% test knows exactly what ran after they were read.
-module(prof_workload).
-export([main/0, woken/1]).

main() ->
    Self = self(),
    Pids = [spawn(fun() -> Self ! {self(), fib(task_size(I))} end) || I <- lists:seq(1, 600)],
    Sum = lists:sum([receive {P, V} -> V end || P <- Pids]),
    Y = spawn(fun() -> yielder(200), Self ! {yielded, self()} end),
    receive {yielded, Y} -> ok end,
    H = spawn(fun() -> receive go -> ok end, erlang:hibernate(?MODULE, woken, [Self]) end),
    H ! go,
    timer_wait(),
    H ! wake,
    receive woken -> ok end,
    G = spawn(fun() -> garbage(2000, []), Self ! {garbage, self()} end),
    receive {garbage, G} -> ok end,
    %% One BIF call worth far more reductions than a slice has: a slice
    %% too big for the trace's one-record form.
    B = spawn(fun() -> Self ! {big, self(), byte_size(term_to_binary(lists:seq(1, 300000)))} end),
    receive {big, B, _} -> ok end,
    pingpong(15000),
    offline(),
    receive after 20 -> ok end,
    {CS, 0} = erlang:statistics(context_switches),
    {Reds, _} = erlang:statistics(exact_reductions),
    erlang:display({workload, Sum, CS, Reds}),
    erlang:halt().

woken(Parent) -> receive wake -> Parent ! woken end.

timer_wait() -> receive never -> ok after 5 -> ok end.

task_size(I) when I rem 40 =:= 0 -> 21;
task_size(I) -> 6 + I rem 5.

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

yielder(0) -> ok;
yielder(N) -> erlang:yield(), yielder(N - 1).

garbage(0, Acc) -> length(Acc);
garbage(N, Acc) -> garbage(N - 1, [lists:seq(1, 50) | lists:sublist(Acc, 20)]).

%% 2 * N slices: the rings fill and are written out several times.
pingpong(N) ->
    Self = self(),
    P = spawn(fun() -> pong(Self) end),
    ping(P, N).

ping(P, 0) -> P ! stop, ok;
ping(P, N) -> P ! {ping, N}, receive {pong, N} -> ping(P, N - 1) end.

pong(Parent) ->
    receive
        {ping, N} -> Parent ! {pong, N}, pong(Parent);
        stop -> ok
    end.

%% Busy workers spread over both schedulers; once one reports running on
%% scheduler 2, scheduler 2 goes offline: the worker running there is
%% moved to scheduler 1 at the end of its slice (a migration). Then
%% scheduler 2 comes back.
offline() ->
    Self = self(),
    Ps = [spawn(fun() -> busy(Self) end) || _ <- lists:seq(1, 8)],
    receive {on, 2} -> ok end,
    2 = erlang:system_flag(schedulers_online, 1),
    receive after 10 -> ok end,
    [begin P ! stop, receive {stopped, P} -> ok end end || P <- Ps],
    1 = erlang:system_flag(schedulers_online, 2),
    flush_on().

busy(Parent) ->
    _ = fib(15),
    Parent ! {on, erlang:system_info(scheduler_id)},
    receive stop -> Parent ! {stopped, self()} after 0 -> busy(Parent) end.

flush_on() -> receive {on, _} -> flush_on() after 0 -> ok end.
