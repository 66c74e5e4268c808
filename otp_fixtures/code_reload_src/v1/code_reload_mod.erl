%% Version 1 of the module otp_fixtures/code_reload.erl loads and replaces.
-module(code_reload_mod).
-export([version/0, only_v1/0, start/0, loop/0, a_fun/0]).

version() -> 1.

only_v1() -> v1.

a_fun() -> fun() -> {fun_of_version, version()} end.

%% A server: 'version' answers with a local call (stays in this version's
%% code), 'upgrade' continues with a fully qualified call (the current
%% version's code).
start() -> spawn(fun() -> loop() end).

loop() ->
    receive
        {From, version} -> From ! {self(), version()}, loop();
        {From, upgrade} -> From ! {self(), upgraded}, ?MODULE:loop();
        stop -> ok
    end.
