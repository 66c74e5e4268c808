-module(on_load).
-export([main/0]).
-on_load(init/0).

%% A module's -on_load function runs before anything can call it, in a
%% process of its own; the loading BIFs refuse a module that is not
%% waiting for one; load_nif finds no library it does not have.

init() ->
    persistent_term:put({?MODULE, runner}, self()),
    persistent_term:put({?MODULE, exported_before}, erlang:function_exported(?MODULE, main, 0)),
    ok.

err(F) -> try F() of V -> {value, V} catch C:R -> {C, R} end.

main() ->
    Runner = persistent_term:get({?MODULE, runner}),
    io:format("ran in another process ~w~n", [is_pid(Runner) andalso Runner =/= self()]),
    io:format("runner gone ~w~n", [is_process_alive(Runner)]),
    io:format("main exported during on_load ~w~n", [persistent_term:get({?MODULE, exported_before})]),
    io:format("exported now ~w~n", [erlang:function_exported(?MODULE, main, 0)]),
    io:format("call_on_load_function ~w~n", [err(fun() -> erlang:call_on_load_function(?MODULE) end)]),
    io:format("finish_after_on_load ~w~n", [err(fun() -> erlang:finish_after_on_load(?MODULE, true) end)]),
    io:format("finish not boolean ~w~n", [err(fun() -> erlang:finish_after_on_load(?MODULE, maybe) end)]),
    io:format("load_nif ~p~n", [erlang:load_nif("no_such_nif_lib", 0)]),
    io:format("load_nif other module's ~p~n", [erlang:load_nif("zlib", 0)]),
    io:format("load_nif not a string ~w~n", [err(fun() -> erlang:load_nif(no_such_nif_lib, 0) end)]),
    io:format("nif_error ~w~n", [err(fun() -> erlang:nif_error(undef) end)]),
    ok.
