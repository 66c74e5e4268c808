-module(crash_exit).
-export([main/0]).

%% main/0 calls exit/1 with a non-normal reason.
%% Output written just before init halts can be lost or reordered with the
%% crash report under real erl, so give the io server time to drain first.
flush_output() -> timer:sleep(100).

main() ->
    io:format("exiting~n"),
    flush_output(),
    exit({shutdown, {custom_reason, 42}}).
