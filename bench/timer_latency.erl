%% timer_latency: the worst lateness of 1,000 timer messages while
%% processes spin in tight loops (one per scheduler and one more): how
%% fair reduction-based preemption is. The reported "time" is the largest
%% lateness in microseconds (smaller is better), not the run time.
-module(timer_latency).
-export([main/0]).

-define(PROCS, 1000).

main() ->
    Spinners = [spawn(fun() -> spin(0) end) || _ <- lists:seq(0, erlang:system_info(schedulers))],
    Self = self(),
    Pids = [spawn(fun() -> waiter(Self, I) end) || I <- lists:seq(1, ?PROCS)],
    Lates = [receive {late, P, Us} -> Us end || P <- Pids],
    [exit(S, kill) || S <- Spinners],
    erlang:display({bench, timer_latency, lists:max(Lates), length(Lates)}).

waiter(Parent, I) ->
    Deadline = erlang:monotonic_time(millisecond) + 50 + I rem 10,
    erlang:send_after(Deadline, self(), tick, [{abs, true}]),
    receive tick -> ok end,
    Parent ! {late, self(), erlang:monotonic_time(microsecond) - Deadline * 1000}.

spin(N) -> spin(N + 1).
