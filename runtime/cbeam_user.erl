%% cbeam_user -- the group leader of direct mode: an I/O server for the
%% console that speaks the Erlang I/O protocol, so that OTP's unmodified
%% io, io_lib and io_lib_format work. Registered as `user`.
%%
%% Like OTP's `user` under -noshell, the device's encoding is latin1 until
%% setopts changes it; unicode text written to a latin1 device shows code
%% points above 255 as \x{HEX}.
%%
%% The console itself is the emulator's IO thread (emulator/io_thread.c):
%% cbeam_io:put_chars/4 queues output and returns at once; for input this
%% process asks for a line with cbeam_io:request_line/1 and waits for the
%% answer in a receive, so only this process waits for the console, never
%% a scheduler. If the reader of standard output goes away (EPIPE), this
%% process exits as OTP's user does when its port dies, and io requests
%% then fail with `terminated`.
-module(cbeam_user).

-export([start/0, server/0]).

%% buf: input read but not consumed yet, as code points in the device's
%% encoding; eof: standard input has ended (sticky, as in OTP's user).
-record(st, {encoding = latin1, binary = false, buf = [], eof = false}).

start() ->
    Pid = spawn(?MODULE, server, []),
    register(user, Pid),
    Pid.

%% Like OTP's user, the server owns (and is linked to) the console's port,
%% {fd,0,1}, so erlang:ports() and port_info show it as in OTP. Output
%% still goes through cbeam_io (it keeps stdout and stderr in order and
%% gives flow control) and input through cbeam_io:request_line, so the
%% port is opened for output only and does not compete for stdin.
server() ->
    _ = (catch open_port({fd, 0, 1}, [out, binary])),
    loop(#st{}).

loop(St) ->
    receive
        {io_request, From, ReplyAs, Req} ->
            {Reply, St1} = request(Req, St),
            From ! {io_reply, ReplyAs, Reply},
            loop(St1);
        _ ->
            loop(St)
    end.

request({put_chars, Enc, Chars}, St) when Enc =:= unicode; Enc =:= latin1 ->
    {put(Enc, Chars, St), St};
request({put_chars, Enc, M, F, A}, St) when Enc =:= unicode; Enc =:= latin1 ->
    case catch apply(M, F, A) of
        Data when is_list(Data); is_binary(Data) -> {put(Enc, Data, St), St};
        _ -> {{error, F}, St}
    end;
request({put_chars, Chars}, St) -> request({put_chars, latin1, Chars}, St);
request({put_chars, M, F, A}, St) -> request({put_chars, latin1, M, F, A}, St);
request({get_line, Enc, Prompt}, St) ->
    get_chars(Enc, Prompt, io_lib, collect_line, [], St);
request({get_chars, Enc, Prompt, N}, St) ->
    get_chars(Enc, Prompt, io_lib, collect_chars, N, St);
request({get_until, Enc, Prompt, M, F, As}, St) ->
    get_chars(Enc, Prompt, io_lib, get_until, {M, F, As}, St);
request({get_line, Prompt}, St) -> request({get_line, latin1, Prompt}, St);
request({get_chars, Prompt, N}, St) -> request({get_chars, latin1, Prompt, N}, St);
request({get_until, Prompt, M, F, As}, St) -> request({get_until, latin1, Prompt, M, F, As}, St);
request({setopts, Opts}, St) when is_list(Opts) -> setopts(Opts, St);
request(getopts, St) ->
    {[{binary, St#st.binary}, {encoding, St#st.encoding}], St};
request({get_geometry, _}, St) -> {{error, enotsup}, St};
request({requests, Reqs}, St) -> requests(Reqs, {ok, St});
request(R, St) -> {{error, {request, R}}, St}.

requests([R|Rs], {ok, St}) ->
    case request(R, St) of
        {{error, _}, _} = Error -> Error;
        {_, St1} -> requests(Rs, {ok, St1})
    end;
requests([], Result) -> Result.

put(Enc, Chars, St) ->
    case cbeam_io:put_chars(1, Enc, St#st.encoding, Chars) of
        ok -> ok;
        wait ->
            %% Queued, but the output queue is long: wait for it to drain,
            %% as a process writing to a busy port is suspended in OTP.
            cbeam_io:notify_drained(),
            receive {cbeam_io, drained} -> ok end;
        epipe -> exit(epipe);
        error -> {error, put_chars}
    end.

setopts(Opts, St) ->
    try lists:foldl(fun setopt/2, St, Opts) of
        St1 -> {ok, St1}
    catch _:_ -> {{error, enotsup}, St}
    end.

setopt({encoding, E}, St) when E =:= unicode; E =:= utf8 -> St#st{encoding = unicode};
setopt({encoding, latin1}, St) -> St#st{encoding = latin1};
setopt({binary, B}, St) when is_boolean(B) -> St#st{binary = B};
setopt(binary, St) -> St#st{binary = true};
setopt(list, St) -> St#st{binary = false}.

%% Input, as OTP's user does it: feed data to io_lib's collector
%% M:F(State, Data, Encoding, Xa) (collect_line, collect_chars, or get_until
%% wrapping the caller's {M, F, As}) until it returns {stop, Result, Rest};
%% any other value is its next state. What is left stays for the next
%% request. Data is a list, or a binary in binary mode.
get_chars(Enc, Prompt, M, F, Xa, St) ->
    prompt(Prompt, St),
    case St#st.eof andalso St#st.buf =:= [] of
        true -> {eof, St};
        false -> more(Prompt, start, M, F, Xa, Enc, St)
    end.

more(_Prompt, State, M, F, Xa, Enc, #st{buf = [], eof = true} = St) ->
    feed(State, eof, M, F, Xa, Enc, St);
more(Prompt, State, M, F, Xa, Enc, #st{buf = []} = St) ->
    %% As OTP's user, the prompt is shown again after other output only
    %% while no input has arrived for this request.
    Reprompt = case State of start -> Prompt; _ -> '' end,
    case read(Reprompt, St) of
        eof -> feed(State, eof, M, F, Xa, Enc, St#st{eof = true});
        Line -> feed(State, Line, M, F, Xa, Enc, St)
    end;
more(Prompt, State, M, F, Xa, Enc, #st{buf = Buf} = St) ->
    feed(Prompt, State, Buf, M, F, Xa, Enc, St#st{buf = []}).

feed(State, Data, M, F, Xa, Enc, St) -> feed('', State, Data, M, F, Xa, Enc, St).

feed(Prompt, State, Data, M, F, Xa, Enc, St) ->
    case catch M:F(State, cast(Data, Enc, St), Enc, Xa) of
        {stop, Result, Rest} ->
            {Result, St#st{buf = uncast(Rest, Enc)}};
        {'EXIT', _} ->
            {{error, err_func(M, F, Xa)}, St#st{buf = []}};
        _State1 when Data =:= eof ->
            {{error, err_func(M, F, Xa)}, St};
        State1 ->
            more(Prompt, State1, M, F, Xa, Enc, St)
    end.

err_func(io_lib, get_until, {_, F, _}) -> F;
err_func(_, F, _) -> F.

%% Code points of the device's encoding -> what the collector takes: a
%% list, or a binary in binary mode, in the request's encoding. Exits
%% (inside the collector's catch) if a character does not fit latin1.
cast(eof, _Enc, _St) -> eof;
cast(Chars, latin1, St) when St#st.encoding =:= unicode ->
    [exit({no_translation, unicode, latin1}) || C <- Chars, C > 255],
    cast1(Chars, latin1, St);
cast(Chars, Enc, St) -> cast1(Chars, Enc, St).

cast1(Chars, _Enc, #st{binary = false}) -> Chars;
cast1(Chars, latin1, #st{binary = true}) -> list_to_binary(Chars);
cast1(Chars, unicode, #st{binary = true}) -> unicode:characters_to_binary(Chars).

uncast(Rest, _Enc) when Rest =:= eof; Rest =:= []; Rest =:= <<>> -> [];
uncast(Rest, _Enc) when is_list(Rest) -> Rest;
uncast(Rest, latin1) when is_binary(Rest) -> binary_to_list(Rest);
uncast(Rest, unicode) when is_binary(Rest) -> unicode:characters_to_list(Rest).

%% The next line of standard input (code points, with its newline) or eof.
%% Output requests from other processes are served while it is awaited.
read(Prompt, St) ->
    ok = cbeam_io:request_line(St#st.encoding),
    wait_line(Prompt, St).

wait_line(Prompt, St) ->
    receive
        {cbeam_io, Line} when is_list(Line) -> Line;
        {cbeam_io, eof} -> eof;
        {io_request, From, ReplyAs, Req} when element(1, Req) =:= put_chars ->
            {Reply, _} = request(Req, St),
            From ! {io_reply, ReplyAs, Reply},
            prompt(Prompt, St),
            wait_line(Prompt, St)
    end.

prompt('', _St) -> ok;
prompt(Prompt, St) ->
    put(unicode, io_lib:format_prompt(Prompt, St#st.encoding), St).
