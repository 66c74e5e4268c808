%% Fairness: processes spinning in tight loops (one per scheduler and one
%% more) must not stop 1,000 other processes from each receiving a timer
%% message soon after it is due. Reduction-based preemption guarantees it;
%% the bound is generous (timing is not what this fixture measures:
%% bench/timer_latency.erl reports the numbers).
-module(fairness).
-export([main/0]).

-define(PROCS, 1000).
-define(DELAY_MS, 50).
-define(BOUND_MS, 2000).

main() ->
    Spinners = [spawn(fun() -> spin(0) end) || _ <- lists:seq(0, erlang:system_info(schedulers))],
    Self = self(),
    Pids = [spawn(fun() -> waiter(Self, I) end) || I <- lists:seq(1, ?PROCS)],
    Lates = [receive {late, P, Ms} -> Ms end || P <- Pids],
    [exit(S, kill) || S <- Spinners],
    io:format("~p processes received their timer message~n", [length(Lates)]),
    io:format("all within ~p ms of the deadline: ~p~n", [?BOUND_MS, lists:max(Lates) =< ?BOUND_MS]),
    io:format("none early: ~p~n", [lists:min(Lates) >= 0]).

waiter(Parent, I) ->
    Deadline = erlang:monotonic_time(millisecond) + ?DELAY_MS + I rem 10,
    erlang:send_after(Deadline, self(), tick, [{abs, true}]),
    receive tick -> ok end,
    Parent ! {late, self(), erlang:monotonic_time(millisecond) - Deadline}.

spin(N) -> spin(N + 1).
