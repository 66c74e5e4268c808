%% Hot code loading: two versions of code_reload_mod (compiled .beam files
%% under otp_fixtures/code_reload_src/, read with prim_file; nothing is
%% compiled at run time) loaded with
%% erlang:load_module/2; old and current code, processes that keep running
%% old code, check_old_code/check_process_code, purging (which kills the
%% processes still in old code), soft purging, delete_module, errors.
-module(code_reload).
-export([main/0]).

-define(M, code_reload_mod).

main() ->
    %% The fixtures directory is the -pa directory (relative under erl,
    %% absolute under the conformance runner).
    {ok, [[Dir | _] | _]} = init:get_argument(pa),
    {ok, V1} = prim_file:read_file(Dir ++ "/code_reload_src/v1/code_reload_mod.beam"),
    {ok, V2} = prim_file:read_file(Dir ++ "/code_reload_src/v2/code_reload_mod.beam"),
    p(loaded_before, erlang:module_loaded(?M)),
    p(check_old_before, erlang:check_old_code(?M)),
    p(load_v1, erlang:load_module(?M, V1)),
    p(loaded, erlang:module_loaded(?M)),
    p(in_loaded, lists:member(?M, erlang:loaded())),
    p(version, ?M:version()),
    p(check_old, erlang:check_old_code(?M)),
    P1 = ?M:start(),
    p(server_version, ask(P1, version)),
    F1 = ?M:a_fun(),
    p(fun_v1, F1()),

    p(load_v2, erlang:load_module(?M, V2)),
    p(version_after_reload, ?M:version()),
    p(only_v2, ?M:only_v2()),
    p(only_v1_gone, catch_class(fun() -> ?M:only_v1() end)),
    p(check_old_after_reload, erlang:check_old_code(?M)),
    p(server_still_old, ask(P1, version)),
    p(old_fun, F1()),
    p(cpc_server, erlang:check_process_code(P1, ?M)),
    p(cpc_self, erlang:check_process_code(self(), ?M)),
    p(cpc_other_module, erlang:check_process_code(P1, lists)),
    p(cpc_options, erlang:check_process_code(P1, ?M, [{allow_gc, false}])),
    p(load_while_old, erlang:load_module(?M, V1)),
    p(version_unchanged, ?M:version()),

    p(upgrade, ask(P1, upgrade)),
    p(server_upgraded, ask(P1, version)),
    p(cpc_server_upgraded, erlang:check_process_code(P1, ?M)),
    p(soft_purge, erts_code_purger:soft_purge(?M)),
    p(check_old_after_purge, erlang:check_old_code(?M)),
    p(purge_nothing, catch_class(fun() -> erlang:purge_module(?M) end)),
    p(soft_purge_nothing, erts_code_purger:soft_purge(?M)),

    %% P1 now runs version 2; loading version 1 makes it old code.
    p(load_v1_again, erlang:load_module(?M, V1)),
    p(version_v1, ?M:version()),
    p(server_on_old, ask(P1, version)),
    p(soft_purge_refused, erts_code_purger:soft_purge(?M)),
    p(still_old, erlang:check_old_code(?M)),
    Ref = monitor(process, P1),
    p(purge_kills, erlang:purge_module(?M)),
    p(server_down, receive {'DOWN', Ref, process, P1, Why} -> Why after 1000 -> timeout end),
    p(check_old_after_kill, erlang:check_old_code(?M)),

    p(delete, erlang:delete_module(?M)),
    p(loaded_after_delete, erlang:module_loaded(?M)),
    p(old_after_delete, erlang:check_old_code(?M)),
    p(call_deleted, catch_class(fun() -> ?M:version() end)),
    p(purge_deleted, erlang:purge_module(?M)),
    p(in_loaded_after_purge, lists:member(?M, erlang:loaded())),
    p(delete_unknown, erlang:delete_module(code_reload_no_such_module)),
    p(reload_after_delete, erlang:load_module(?M, V2)),
    p(version_reloaded, ?M:version()),

    p(load_badfile, erlang:load_module(?M, <<"not a beam file">>)),
    p(load_not_binary, catch_class(fun() -> erlang:load_module(?M, not_a_binary) end)),
    p(load_bad_name, catch_class(fun() -> erlang:load_module("name", V1) end)),
    p(check_old_badarg, catch_class(fun() -> erlang:check_old_code("name") end)),
    p(delete_badarg, catch_class(fun() -> erlang:delete_module(42) end)),
    p(purge_badarg, catch_class(fun() -> erlang:purge_module(42) end)),
    p(cpc_badarg, catch_class(fun() -> erlang:check_process_code(self(), 42) end)),
    p(cpc_bad_option, catch_class(fun() -> erlang:check_process_code(self(), ?M, [bad]) end)),
    p(pre_loaded, lists:sort(erlang:pre_loaded())),
    p(lists_is_loaded, lists:member(lists, erlang:loaded())),
    ok.

p(Tag, V) -> io:format("~p: ~p~n", [Tag, V]).

ask(Pid, What) ->
    Pid ! {self(), What},
    receive {Pid, Answer} -> Answer after 1000 -> timeout end.

catch_class(F) ->
    try F() of
        V -> {value, V}
    catch
        Class:Reason -> {Class, Reason}
    end.
