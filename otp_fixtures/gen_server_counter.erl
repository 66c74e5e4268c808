-module(gen_server_counter).
-behaviour(gen_server).
-export([main/0]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2, code_change/3]).

%% A gen_server implemented and exercised in the same module.
init(Start) ->
    io:format("init(~p)~n", [Start]),
    {ok, #{count => Start, log => []}}.

handle_call(get, _From, S = #{count := C}) -> {reply, C, S};
handle_call({add, N}, _From, S = #{count := C}) -> {reply, {ok, C + N}, S#{count := C + N}};
handle_call(log, _From, S = #{log := L}) -> {reply, lists:reverse(L), S};
handle_call(slow, From, S) ->
    spawn(fun() -> timer:sleep(10), gen_server:reply(From, delayed_reply) end),
    {noreply, S};
handle_call(crash_me, _From, _S) -> error(requested_crash);
handle_call(stop_me, _From, S) -> {stop, normal, stopping, S};
handle_call(Other, _From, S) -> {reply, {unknown, Other}, S}.

handle_cast({note, X}, S = #{log := L}) -> {noreply, S#{log := [{cast, X} | L]}};
handle_cast(reset, S) -> {noreply, S#{count := 0}}.

handle_info(Info, S = #{log := L}) -> {noreply, S#{log := [{info, Info} | L]}}.

terminate(Reason, #{count := C}) ->
    io:format("terminate(~p) count=~p~n", [Reason, C]),
    ok.

code_change(_Old, S, _Extra) -> {ok, S}.

main() ->
    {ok, Pid} = gen_server:start_link({local, counter}, ?MODULE, 10, []),
    io:format("started ~p~n", [is_pid(Pid)]),
    io:format("get ~p~n", [gen_server:call(counter, get)]),
    io:format("add ~p~n", [gen_server:call(counter, {add, 5})]),
    io:format("add ~p~n", [gen_server:call(Pid, {add, -2})]),
    ok = gen_server:cast(counter, {note, first}),
    counter ! plain_message,
    ok = gen_server:cast(counter, {note, second}),
    io:format("log ~p~n", [gen_server:call(counter, log)]),
    io:format("unknown ~p~n", [gen_server:call(counter, what)]),
    io:format("delayed ~p~n", [gen_server:call(counter, slow)]),
    gen_server:cast(counter, reset),
    io:format("after reset ~p~n", [gen_server:call(counter, get)]),
    io:format("call timeout ~p~n", [try gen_server:call(counter, slow, 0) catch exit:{timeout, _} -> timeout end]),
    timer:sleep(30),
    flush(),
    io:format("stop ~p~n", [gen_server:stop(counter)]),
    io:format("whereis after stop ~p~n", [whereis(counter)]),
    %% second server, stopped from a handle_call
    {ok, P2} = gen_server:start({local, counter2}, ?MODULE, 100, []),
    Ref = monitor(process, P2),
    io:format("stop_me ~p~n", [gen_server:call(counter2, stop_me)]),
    receive {'DOWN', Ref, process, P2, R} -> io:format("down ~p~n", [R]) end,
    io:format("call to dead ~p~n", [try gen_server:call(counter2, get) catch exit:{noproc, _} -> noproc end]),
    %% start failure
    io:format("already started ~p~n", [begin
                                           {ok, P3} = gen_server:start({local, counter3}, ?MODULE, 0, []),
                                           {error, {already_started, P3b}} = gen_server:start({local, counter3}, ?MODULE, 0, []),
                                           gen_server:stop(P3),
                                           P3 =:= P3b
                                       end]),
    ok.

flush() -> receive _ -> flush() after 0 -> ok end.
