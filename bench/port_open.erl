%% port_open: 300 programs started with open_port({spawn, "true"}) one
%% after the other, each waited for with exit_status; then 300 os:cmd
%% calls. Measures the cost of starting an OS process from a port (fork
%% and exec on the IO thread, or OTP's forker) and of os:cmd's protocol.
-module(port_open).
-export([main/0]).

main() ->
    _ = run(10),
    T0 = erlang:monotonic_time(microsecond),
    R = run(300),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, port_open, T1 - T0, R}).

run(N) ->
    Statuses = [begin
                    P = open_port({spawn, "true"}, [exit_status]),
                    receive {P, {exit_status, S}} -> S end
                end || _ <- lists:seq(1, N)],
    Outputs = [os:cmd("echo x") || _ <- lists:seq(1, N)],
    lists:sum(Statuses) + length(lists:append(Outputs)).
