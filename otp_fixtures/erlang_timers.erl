-module(erlang_timers).
-export([main/0]).

%% erlang:send_after/start_timer/cancel_timer/read_timer (the BIFs, not
%% the timer module's server): ordering, cancelling, reading, absolute
%% deadlines, timers to names and to dead processes, many timers at once.

main() ->
    Self = self(),
    Refs = [erlang:send_after(T, Self, {t, T}) || T <- [40, 10, 30, 20, 50]],
    io:format("refs ~p~n", [lists:all(fun is_reference/1, Refs)]),
    io:format("order ~p~n", [[receive {t, T} -> T end || _ <- Refs]]),
    Long = erlang:send_after(60000, Self, never),
    Left = erlang:read_timer(Long),
    io:format("read ~p~n", [is_integer(Left) andalso Left > 50000 andalso Left =< 60000]),
    io:format("cancel ~p~n", [is_integer(erlang:cancel_timer(Long))]),
    io:format("again ~p ~p~n", [erlang:cancel_timer(Long), erlang:read_timer(Long)]),
    T1 = erlang:start_timer(5, Self, payload),
    receive {timeout, T1, payload} -> io:format("start_timer ok~n") end,
    %% Cancel half of 2000 timers; exactly the other half fire, in order.
    Many = [{N, erlang:send_after(200 + N rem 20, Self, {many, N})} || N <- lists:seq(1, 2000)],
    [erlang:cancel_timer(R) || {N, R} <- Many, N rem 2 =:= 0],
    Got = collect(1000, []),
    io:format("many: ~p fired, all odd ~p, each once ~p~n",
              [length(Got), lists:all(fun(N) -> N rem 2 =:= 1 end, Got),
               lists:usort(Got) =:= lists:seq(1, 2000, 2)]),
    receive {many, _} -> io:format("extra message~n") after 40 -> ok end,
    register(timer_target, Self),
    erlang:send_after(5, timer_target, by_name),
    receive by_name -> io:format("to a registered name ok~n") end,
    Dead = spawn(fun() -> ok end),
    TD = erlang:send_after(5, Dead, lost),
    receive after 20 -> ok end,
    io:format("to a dead process: read ~p~n", [erlang:read_timer(TD)]),
    Abs = erlang:monotonic_time(millisecond) + 10,
    TA = erlang:send_after(Abs, Self, absolute, [{abs, true}]),
    receive absolute -> io:format("absolute fired, read ~p~n", [erlang:read_timer(TA)]) end,
    TC = erlang:send_after(1000, Self, x),
    io:format("async cancel ~p~n", [erlang:cancel_timer(TC, [{async, true}])]),
    receive {cancel_timer, TC, Ms} -> io:format("async result int ~p~n", [is_integer(Ms)]) end,
    io:format("bad ~p ~p~n", [reason(catch erlang:send_after(-1, Self, x)),
                              reason(catch erlang:start_timer(a, Self, x))]),
    ok.

reason({'EXIT', {R, [{M, F, _Args, _} | _]}}) -> {R, M, F}.

collect(0, Acc) -> lists:reverse(Acc);
collect(K, Acc) -> receive {many, N} -> collect(K - 1, [N | Acc]) after 1000 -> lists:reverse(Acc) end.
