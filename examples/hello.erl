-module(hello).
-export([main/0]).

%% The bundled example. `tools/bootstrap` disassembles it; once the
%% emulator runs code, `build/cbeam -noshell -pa examples -s hello main -s erlang halt`
%% prints what erl prints.
main() ->
    io:format("Hello from ~s!~n", [name()]).

name() -> "cbeam".
