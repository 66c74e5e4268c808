%% init -- cbeam's direct-mode replacement for OTP's init.
%%
%% cbeam does not boot OTP's init (no boot script, no code server): the
%% emulator starts this module's boot/1 as the first process, with the
%% -s/-run/-eval actions of the command line. It mirrors what OTP's init
%% does for them, so that output, stack traces (frames
%% {init,start_em,1,[]} and {init,do_boot,3,[]}) and exit statuses match:
%% the actions run in order in a linked boot process; if it crashes, init
%% prints what OTP prints and halts with status 1. Compiled without line
%% information, as OTP's preloaded init is.
-module(init).

-export([boot/1, get_plain_arguments/0, get_arguments/0, get_argument/1,
         stop/0, stop/1, get_status/0, script_id/0, notify_when_started/1,
         wait_until_started/0, fetch_loaded/0, archive_extension/0,
         objfile_extension/0, code_path_choice/0]).

-record(state, {plain = [], args = [], boot}).

%% Started by the emulator: Start is a list of actions
%% {s, [Mod, Func | Args]} | {run, [...]} | {eval, String},
%% Args the flag arguments as [{Flag, [Value]}], Plain the -extra arguments.
boot({Start, Args, Plain}) ->
    %% Bind the statically linked NIFs, as OTP's first process (erl_init)
    %% does before its boot module runs.
    zlib:on_load(),
    erl_tracer:on_load(),
    prim_buffer:on_load(),
    prim_file:on_load(),
    %% The system process that purges old code (erlang:purge_module/1), as
    %% OTP's emulator starts it before the first process.
    Purger = spawn_opt(erts_code_purger, start, [], [{priority, high}]),
    wait_registered(erts_code_purger, Purger),
    register(init, self()),
    User = cbeam_user:start(),
    group_leader(User, self()),
    process_flag(trap_exit, true),
    Self = self(),
    BootPid = spawn_link(fun() -> do_boot(Self, Args, Start) end),
    loop(BootPid, #state{plain = Plain, args = Args, boot = BootPid}).

do_boot(_Init, _Flags, Start) ->
    start_em(Start),
    boot_done().

%% A separate function, so that the call to start_em/1 is not a tail call
%% and do_boot/3 stays on the stack, as in OTP.
boot_done() -> ok.

start_em([S|Tail]) ->
    case whereis(user) of
        undefined -> ok;
        P when is_pid(P) -> group_leader(P, self())
    end,
    start_it(S),
    start_em(Tail);
start_em([]) -> ok.

start_it({eval, Str}) ->
    {ok, Ts, _} = erl_scan:string(Str),
    Ts1 = case lists:reverse(Ts) of
              [{dot, _}|_] -> Ts;
              TsR -> lists:reverse([{dot, erl_anno:new(1)} | TsR])
          end,
    {ok, Expr} = erl_parse:parse_exprs(Ts1),
    {value, _Value, _Bs} = erl_eval:exprs(Expr, erl_eval:new_bindings()),
    ok;
start_it({_, MFA}) ->
    case MFA of
        [M] -> M:start();
        [M, F] -> M:F();
        [M, F | Args] -> M:F(Args)
    end.

loop(BootPid, State) ->
    receive
        {'EXIT', BootPid, normal} ->
            loop(BootPid, State);
        {'EXIT', BootPid, Reason} ->
            erlang:display({"init terminating in do_boot", Reason}),
            halt("init terminating in do_boot" ++ " (" ++ to_string(Reason, 0) ++ ")");
        {'EXIT', _, _} ->
            loop(BootPid, State);
        {stop, Status} ->
            halt(Status);
        {From, get_plain_arguments} ->
            From ! {init, State#state.plain},
            loop(BootPid, State);
        {From, get_arguments} ->
            From ! {init, State#state.args},
            loop(BootPid, State);
        {From, {get_argument, Arg}} ->
            From ! {init, case [V || {K, V} <- State#state.args, K =:= Arg] of
                              [] -> error;
                              Vs -> {ok, Vs}
                          end},
            loop(BootPid, State);
        {From, get_status} ->
            From ! {init, {started, started}},
            loop(BootPid, State);
        {From, _Other} when is_pid(From) ->
            From ! {init, ok},
            loop(BootPid, State);
        _ ->
            loop(BootPid, State)
    end.

request(Req) ->
    init ! {self(), Req},
    receive {init, Reply} -> Reply end.

get_plain_arguments() -> request(get_plain_arguments).
get_arguments() -> request(get_arguments).
get_argument(Arg) -> request({get_argument, Arg}).
get_status() -> request(get_status).
script_id() -> {"cbeam", "direct"}.
notify_when_started(_Pid) -> started.
wait_until_started() -> ok.
fetch_loaded() -> [].
%% As OTP's init (erl_prim_loader asks).
archive_extension() -> ".ez".
objfile_extension() -> ".beam".
code_path_choice() ->
    case get_argument(code_path_choice) of
        {ok, [["strict"]]} -> strict;
        {ok, [["relaxed"]]} -> relaxed;
        _ -> relaxed
    end.

stop() -> init ! {stop, 0}, ok.
stop(Status) when is_integer(Status), Status >= 0 -> init ! {stop, Status}, ok;
stop(Status) when is_list(Status) -> init ! {stop, Status}, ok;
stop(_) -> erlang:error(badarg).

%% The text OTP's init puts in its halt slogan: terms nested deeper than
%% four levels become {_} and [_].
to_string(X, D) when is_list(X), D < 4 ->
    F = flatten(X, []),
    case printable_list(F) of
        true when length(F) > 0 -> F;
        _ -> flatten(["[", join([to_string(E, D + 1) || E <- X]), "]"], [])
    end;
to_string(X, _D) when is_list(X) -> "[_]";
to_string(X, _D) when is_atom(X) -> atom_to_list(X);
to_string(X, _D) when is_pid(X) -> pid_to_list(X);
to_string(X, _D) when is_float(X) -> float_to_list(X);
to_string(X, _D) when is_integer(X) -> integer_to_list(X);
to_string(X, D) when is_tuple(X), D < 4 ->
    flatten(["{", join([to_string(E, D + 1) || E <- tuple_to_list(X)]), "}"], []);
to_string(X, _D) when is_tuple(X) -> "{_}";
to_string(_X, _D) -> "".

printable_list([H|T]) when is_integer(H), H >= 32, H =< 126 -> printable_list(T);
printable_list([$\n|T]) -> printable_list(T);
printable_list([$\r|T]) -> printable_list(T);
printable_list([$\t|T]) -> printable_list(T);
printable_list([]) -> true;
printable_list(_) -> false.

join([]) -> [];
join([_] = T) -> T;
join([E|T]) -> [E, "," | join(T)].

flatten([H|T], Tail) when is_list(H) -> flatten(H, flatten(T, Tail));
flatten([H|T], Tail) -> [H | flatten(T, Tail)];
flatten([], Tail) -> Tail.

%% The purger registers its name when it first runs, and code reaches it
%% by name (erts_code_purger:finish_after_on_load/2 sends to it): with more
%% than one scheduler the boot process could get there first, so boot goes
%% on once the name is there.
wait_registered(Name, Pid) ->
    case whereis(Name) of
        Pid -> ok;
        _ ->
            true = is_process_alive(Pid),
            erlang:yield(),
            wait_registered(Name, Pid)
    end.
