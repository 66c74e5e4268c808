%% The runner of an on_load function. A call that finds a module whose
%% exports wait for its on_load function (emulator/module.c) spawns
%% run(Module), as OTP's code server spawns a process for it: the
%% function runs here, then the module's exports are published (it
%% returned ok) or the module is left unloaded (anything else).
-module(cbeam_on_load).
-export([run/1]).

run(Module) ->
    Result = try erlang:call_on_load_function(Module)
             catch Class:Reason -> {Class, Reason}
             end,
    true = erlang:finish_after_on_load(Module, Result =:= ok),
    ok.
