-module(crash_throw).
-export([main/0]).

%% An uncaught throw in main/0 (becomes {nocatch, ...}) after nested output.
%% The sleep lets stdout drain before init halts (see crash_exit).
main() ->
    io:format("line one~n"),
    io:format("~p~n", [[{K, V} || {K, V} <- [{a, 1}, {b, 2}]]]),
    helper(3).

helper(0) -> timer:sleep(100), throw({giving_up, "reason", [1, 2, 3]});
helper(N) -> io:format("countdown ~w~n", [N]), helper(N - 1).
