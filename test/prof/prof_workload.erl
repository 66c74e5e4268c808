%% The workload test/prof/run traces with +S 2 +sched_trace +sched_report:
%% uneven tasks spawned from one process (so the other scheduler steals),
%% a process that yields, one that hibernates, one that collects garbage,
%% receives with and without timeouts. It ends by printing
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
