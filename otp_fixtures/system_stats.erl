%% system_info and statistics items a user reads, printed as facts that do
%% not depend on the machine: OTP's values where they are fixed (limits,
%% release, word size), else their shape (the run-queue lists hold the
%% normal queues, then the dirty CPU queue, and with _all the dirty IO
%% queue), scheduler_wall_time switched on and off, system_time in every
%% unit, and process_flag(error_handler) and an unknown flag's error.
-module(system_stats).
-export([main/0]).
main() ->
    S = erlang:system_info(schedulers),
    io:format("schedulers = online: ~p~n", [S =:= erlang:system_info(schedulers_online)]),
    io:format("logical_processors: ~p~n", [is_integer(erlang:system_info(logical_processors))]),
    io:format("process_count: ~p~n", [is_integer(erlang:system_info(process_count))]),
    io:format("process_limit: ~p~n", [erlang:system_info(process_limit)]),
    io:format("atom_count: ~p~n", [erlang:system_info(atom_count) > 1000]),
    io:format("atom_limit: ~p~n", [erlang:system_info(atom_limit)]),
    io:format("otp_release: ~p~n", [erlang:system_info(otp_release)]),
    io:format("wordsize: ~p~n", [[erlang:system_info(W) || W <- [wordsize, {wordsize, internal}, {wordsize, external}]]]),
    io:format("version: ~p~n", [is_list(erlang:system_info(version))]),
    io:format("system_version: ~p~n", [lists:prefix("Erlang/OTP 25", erlang:system_info(system_version))]),
    io:format("run_queue_lengths_all: ~p~n", [length(statistics(run_queue_lengths_all)) - S]),
    io:format("run_queue_lengths: ~p~n", [length(statistics(run_queue_lengths)) - S]),
    io:format("total_run_queue_lengths: ~p~n", [is_integer(statistics(total_run_queue_lengths))]),
    io:format("total_run_queue_lengths_all: ~p~n", [is_integer(statistics(total_run_queue_lengths_all))]),
    io:format("active_tasks: ~p~n", [length(statistics(active_tasks)) - S]),
    io:format("active_tasks_all: ~p~n", [length(statistics(active_tasks_all)) - S]),
    io:format("total_active_tasks: ~p~n", [statistics(total_active_tasks) >= 1]),
    io:format("total_active_tasks_all: ~p~n", [statistics(total_active_tasks_all) >= 1]),
    io:format("exact_reductions: ~p~n", [case statistics(exact_reductions) of {A, B} -> is_integer(A) andalso is_integer(B) end]),
    io:format("scheduler_wall_time off: ~p~n", [statistics(scheduler_wall_time)]),
    false = erlang:system_flag(scheduler_wall_time, true),
    SWT = statistics(scheduler_wall_time_all),
    io:format("scheduler_wall_time_all: ~p~n", [lists:sort([I || {I, _, _} <- SWT]) =:= lists:seq(1, length(SWT))]),
    io:format("scheduler_wall_time: ~p~n", [lists:all(fun({_, Act, Tot}) -> is_integer(Act) andalso is_integer(Tot) end, statistics(scheduler_wall_time))]),
    true = erlang:system_flag(scheduler_wall_time, false),
    io:format("system_time: ~p~n", [[is_integer(erlang:system_time(U)) || U <- [second, millisecond, microsecond, nanosecond, native, 1000]]]),
    io:format("system_time order: ~p~n", [erlang:system_time(second) =< erlang:system_time(millisecond) div 1000 + 1]),
    io:format("error_handler: ~p~n", [process_flag(error_handler, my_handler)]),
    io:format("error_handler back: ~p~n", [process_flag(error_handler, error_handler)]),
    io:format("badarg flag: ~p~n", [catch process_flag(no_such_flag, 1)]),
    ok.
