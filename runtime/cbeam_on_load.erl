%% The runner of an on_load function. A call that finds a module whose
%% exports wait for its on_load function (emulator/module.c) spawns
%% run(Module), as OTP's code server does: the function runs in a process
%% of its own, and only once that process is gone are the module's exports
%% published (it returned ok) or the module left unloaded (anything else).
-module(cbeam_on_load).
-export([run/1]).

run(Module) ->
    {Pid, Ref} = spawn_monitor(fun() -> exit(erlang:call_on_load_function(Module)) end),
    receive
        {'DOWN', Ref, process, Pid, Result} ->
            true = erlang:finish_after_on_load(Module, Result =:= ok),
            ok
    end.
