-module(hello).
-export([main/0]).

%% The bundled example: `tools/bootstrap` runs it as
%% `build/cbeam -noshell -pa examples -s hello main -s erlang halt`,
%% which prints what erl prints for the same command.
main() ->
    io:format("Hello from ~s!~n", [name()]).

name() -> "cbeam".
