-module(crash_uncaught).
-export([main/0, id/1]).

id(X) -> X.

%% main/0 crashes with an uncaught badmatch after printing some output:
%% erl reports "init terminating in do_boot" and exits with status 1.
main() ->
    io:format("about to crash~n"),
    Total = lists:sum([1, 2, 3]),
    io:format("total ~w~n", [Total]),
    timer:sleep(100), % let stdout drain before init halts (see crash_exit)
    {ok, Value} = id({error, Total}),
    io:format("never printed ~w~n", [Value]).
