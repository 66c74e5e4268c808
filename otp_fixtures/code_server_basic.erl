%% OTP's code server over cbeam's code loading: code:load_binary/3,
%% is_loaded, which, ensure_loaded, soft_purge/purge (which kills the
%% processes still running old code), delete. Under erl the code server
%% runs already; here it is started (after erl_prim_loader) as OTP's
%% kernel would, in interactive mode. (Cases that make OTP log an error
%% report are left out: direct mode has no logger.)
-module(code_server_basic).
-export([main/0]).

-define(M, code_reload_mod).

main() ->
    start_code_server(),
    {ok, [[Dir | _] | _]} = init:get_argument(pa),
    {ok, V1} = prim_file:read_file(Dir ++ "/code_reload_src/v1/code_reload_mod.beam"),
    {ok, V2} = prim_file:read_file(Dir ++ "/code_reload_src/v2/code_reload_mod.beam"),
    p(is_loaded_before, code:is_loaded(?M)),
    p(load_binary_v1, code:load_binary(?M, "code_reload_v1.beam", V1)),
    p(is_loaded, code:is_loaded(?M)),
    p(which, code:which(?M)),
    p(version, ?M:version()),
    P = ?M:start(),
    p(load_binary_v2, code:load_binary(?M, "code_reload_v2.beam", V2)),
    p(is_loaded_v2, code:is_loaded(?M)),
    p(version_v2, ?M:version()),
    p(soft_purge_busy, code:soft_purge(?M)),
    Ref = monitor(process, P),
    p(purge_kills, code:purge(?M)),
    p(killed, receive {'DOWN', Ref, process, P, Why} -> Why after 1000 -> timeout end),
    p(purge_again, code:purge(?M)),
    p(soft_purge_idle, code:soft_purge(?M)),
    p(delete, code:delete(?M)),
    p(is_loaded_deleted, code:is_loaded(?M)),
    p(purge_deleted, code:purge(?M)),
    p(load_bad_args, catch_class(fun() -> code:load_binary("m", "m.beam", V1) end)),
    p(ensure_loaded, code:ensure_loaded(lists)),
    p(ensure_loaded_missing, code:ensure_loaded(code_server_basic_no_such_module)),
    p(which_lists, filename:basename(code:which(lists))),
    p(which_missing, code:which(code_server_basic_no_such_module)),
    p(which_preloaded, code:which(erlang)),
    p(is_loaded_preloaded, code:is_loaded(erlang)),
    ok.

start_code_server() ->
    case whereis(code_server) of
        undefined ->
            case whereis(erl_prim_loader) of
                undefined -> {ok, _} = erl_prim_loader:start();
                _ -> ok
            end,
            {ok, [[Root]]} = init:get_argument(root),
            {ok, _} = code_server:start_link([Root, interactive]),
            ok;
        _ ->
            ok
    end.

p(Tag, V) -> io:format("~p: ~p~n", [Tag, V]).

catch_class(F) ->
    try F() of
        V -> {value, V}
    catch
        Class:Reason -> {Class, Reason}
    end.
