%% erl_prim_loader (OTP's preloaded file loader, over prim_file): the
%% part init uses to boot — get_file, list_dir, read_file_info,
%% read_link_info, get_cwd, and get_modules with erlang:prepare_loading/2
%% as init's primLoad does (the prepared code is not installed). Under
%% erl the loader is already running; here it is started if it is not.
%% (Errors other than enoent are not shown: without a logger,
%% erl_prim_loader reports them with erlang:display.)
-module(erl_prim_loader_basic).
-export([main/0]).

main() ->
    case whereis(erl_prim_loader) of
        undefined -> {ok, _} = erl_prim_loader:start();
        _ -> ok
    end,
    {ok, [[Dir | _] | _]} = init:get_argument(pa),
    Src = Dir ++ "/code_reload_src",
    Beam = Src ++ "/v1/code_reload_mod.beam",
    {ok, Bin, Full} = erl_prim_loader:get_file(Beam),
    p(get_file, {byte_size(Bin), Full =:= Beam}),
    {ok, Bin1} = prim_file:read_file(Beam),
    p(same_bytes, Bin =:= Bin1),
    p(get_file_missing, erl_prim_loader:get_file(Src ++ "/missing.beam")),
    {ok, Names} = erl_prim_loader:list_dir(Src),
    p(list_dir, lists:sort(Names)),
    p(list_dir_missing, erl_prim_loader:list_dir(Src ++ "/missing")),
    {ok, Info} = erl_prim_loader:read_file_info(Beam),
    p(read_file_info, {element(2, Info), element(3, Info)}),
    p(read_file_info_missing, erl_prim_loader:read_file_info(Src ++ "/missing")),
    {ok, LInfo} = erl_prim_loader:read_link_info(Src),
    p(read_link_info, element(3, LInfo)),
    {ok, Cwd} = erl_prim_loader:get_cwd(),
    {ok, Cwd1} = prim_file:get_cwd(),
    p(get_cwd, Cwd =:= Cwd1),
    Fun = fun(Mod, FullName, Code) ->
                  case erlang:prepare_loading(Mod, Code) of
                      {error, _} = E -> E;
                      Prepared when is_reference(Prepared) ->
                          {ok, {Mod, lists:nthtail(length(Src) + 1, FullName),
                                erlang:has_prepared_code_on_load(Prepared)}}
                  end
          end,
    {ok, {Got, Errors}} = erl_prim_loader:get_modules([code_reload_mod, no_such_module],
                                                      Fun, [Src ++ "/v2", Src ++ "/v1"]),
    p(get_modules, {lists:sort(Got), lists:sort(Errors)}),
    p(not_installed, erlang:module_loaded(code_reload_mod)),
    ok.

p(Tag, V) -> io:format("~p: ~p~n", [Tag, V]).
