%% Loading modules with -on_load through erlang:load_module/2 (which
%% answers {error, on_load} and leaves the module waiting) and finishing
%% the job as OTP's code server does: call_on_load_function/1 in a process
%% of its own, then erts_code_purger:finish_after_on_load/2.
-module(code_on_load).
-export([main/0]).

main() ->
    {ok, [[Dir | _] | _]} = init:get_argument(pa),
    Src = Dir ++ "/code_on_load_src/",
    {ok, Ok} = prim_file:read_file(Src ++ "code_on_load_ok.beam"),
    {ok, Bad} = prim_file:read_file(Src ++ "code_on_load_bad.beam"),
    Prep = erlang:prepare_loading(code_on_load_ok, Ok),
    p(has_on_load, erlang:has_prepared_code_on_load(Prep)),
    p(finish_two, catch_class(fun() -> erlang:finish_loading([Prep, erlang:prepare_loading(code_on_load_bad, Bad)]) end)),
    p(load_ok, erlang:finish_loading([Prep])),
    p(prepared_used, catch_class(fun() -> erlang:has_prepared_code_on_load(Prep) end)),
    p(finish_used, catch_class(fun() -> erlang:finish_loading([Prep]) end)),
    p(run_ok, run_on_load(code_on_load_ok)),
    p(hello, code_on_load_ok:hello()),
    p(loaded, erlang:module_loaded(code_on_load_ok)),
    p(load_bad, erlang:load_module(code_on_load_bad, Bad)),
    p(run_bad, run_on_load(code_on_load_bad)),
    p(bad_loaded, erlang:module_loaded(code_on_load_bad)),
    p(not_prepared, catch_class(fun() -> erlang:has_prepared_code_on_load(make_ref()) end)),
    p(finish_not_list, catch_class(fun() -> erlang:finish_loading(foo) end)),
    ok.

run_on_load(M) ->
    {Pid, Ref} = spawn_monitor(fun() -> exit(erlang:call_on_load_function(M)) end),
    Res = receive {'DOWN', Ref, process, Pid, R} -> R end,
    ok = erts_code_purger:finish_after_on_load(M, Res =:= ok),
    Res.

p(Tag, V) -> io:format("~p: ~p~n", [Tag, V]).

catch_class(F) ->
    try F() of
        V -> {value, V}
    catch
        Class:Reason -> {Class, Reason}
    end.
