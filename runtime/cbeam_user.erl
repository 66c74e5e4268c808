%% cbeam_user -- the group leader of direct mode: an I/O server for the
%% console that speaks the Erlang I/O protocol, so that OTP's unmodified
%% io, io_lib and io_lib_format work. Registered as `user`.
%%
%% Like OTP's `user` under -noshell, the device's encoding is latin1 until
%% setopts changes it; unicode text written to a latin1 device shows code
%% points above 255 as \x{HEX}. The bytes go out through cbeam_io BIFs.
-module(cbeam_user).

-export([start/0, server/0]).

-record(st, {encoding = latin1, binary = false, buf = []}).

start() ->
    Pid = spawn(?MODULE, server, []),
    register(user, Pid),
    Pid.

server() ->
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
    get_until(Enc, Prompt, io_lib, collect_line, [], St);
request({get_chars, Enc, Prompt, N}, St) ->
    get_until(Enc, Prompt, io_lib, collect_chars, [N], St);
request({get_until, Enc, Prompt, M, F, As}, St) ->
    get_until(Enc, Prompt, M, F, As, St);
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

%% The I/O protocol's get_until: feed input to M:F(State, Data, As...) until
%% it says {done, Result, Rest}; the rest is kept for the next request.
get_until(Enc, Prompt, M, F, As, St) ->
    prompt(Prompt, St),
    collect(Enc, M, F, As, [], St#st.buf, St#st{buf = []}).

collect(Enc, M, F, As, State, Data, St) ->
    case catch apply(M, F, [State, Data, Enc | As]) of
        {done, Result, Rest} ->
            {result(Result, St), St#st{buf = Rest}};
        {more, State1} ->
            case read(St) of
                eof -> collect_eof(Enc, M, F, As, State1, St);
                Line -> collect(Enc, M, F, As, State1, Line, St)
            end;
        _ ->
            {{error, F}, St}
    end.

collect_eof(Enc, M, F, As, State, St) ->
    case catch apply(M, F, [State, eof, Enc | As]) of
        {done, Result, _} -> {result(Result, St), St};
        _ -> {eof, St}
    end.

result(Data, #st{binary = true}) when is_list(Data) -> unicode:characters_to_binary(Data);
result(Data, _) -> Data.

read(St) ->
    case cbeam_io:get_line(St#st.encoding) of
        eof -> eof;
        Chars -> Chars
    end.

prompt('', _St) -> ok;
prompt(Prompt, St) ->
    put(unicode, io_lib:format_prompt(Prompt, St#st.encoding), St).
