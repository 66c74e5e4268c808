%% Covers binary_to_term of other nodes' pids (NEW_PID_EXT, PID_EXT),
%% ports (NEW_PORT_EXT, V4_PORT_EXT, PORT_EXT) and references
%% (NEWER_REFERENCE_EXT, NEW_REFERENCE_EXT), and of this node's name with
%% another creation: type tests, node/1, equality and order, and
%% term_to_binary back to the same bytes.
-module(etf_remote).
-export([main/0]).
-compile(nowarn_deprecated_function).  % erlang:phash/2 is tested too

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).

node_atom(N) -> <<100, (byte_size(N)):16, N/binary>>.

main() ->
    N = node_atom(<<"other@host">>),
    Pid = <<131, 88, N/binary, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 3>>,
    OldPid = <<131, 103, N/binary, 0, 0, 0, 7, 0, 0, 0, 1, 3>>,
    Port = <<131, 89, N/binary, 0, 0, 0, 9, 0, 0, 0, 3>>,
    V4Port = <<131, 120, N/binary, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 3>>,
    OldPort = <<131, 102, N/binary, 0, 0, 0, 9, 3>>,
    Ref = <<131, 90, 0, 3, N/binary, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3>>,
    NewRef = <<131, 114, 0, 3, N/binary, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3>>,
    OwnNodeOtherCreation = <<131, 88, (node_atom(<<"nonode@nohost">>))/binary, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 5>>,
    Bins = [Pid, OldPid, Port, V4Port, OldPort, Ref, NewRef, OwnNodeOtherCreation],
    [t(io_lib:format("decode ~w", [I]), fun() ->
        T = binary_to_term(B),
        {is_pid(T), is_port(T), is_reference(T), node(T), T =:= binary_to_term(B), term_to_binary(T)} end)
     || {I, B} <- lists:zip(lists:seq(1, length(Bins)), Bins)],
    %% (OTP orders different nodes by its dist entries: only one node's
    %% identities are compared here)
    t("order", fun() -> Ts = [binary_to_term(B) || B <- lists:droplast(Bins)], [I || {_, I} <- lists:sort(lists:zip(Ts, lists:seq(1, length(Ts))))] end),
    t("vs local", fun() -> P = binary_to_term(Pid), {P < make_ref(), P == self(), P > make_ref()} end),
    t("in containers", fun() -> T = {binary_to_term(Pid), [binary_to_term(Ref)], #{k => binary_to_term(Port)}},
                                binary_to_term(term_to_binary(T)) =:= T end),
    t("send", fun() -> catch (binary_to_term(Pid) ! hello) end),
    APid = binary_to_term(<<131, 88, (node_atom(<<"aaa@host">>))/binary, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 3>>),
    t("message", fun() -> Self = self(), Q = spawn(fun() -> receive X -> Self ! {back, X} end end), T = [APid, binary_to_term(Ref)], Q ! T,
                          receive {back, Y} -> Y =:= T end end),
    t("ets", fun() -> Tab = ets:new(t, []), ets:insert(Tab, {APid, binary_to_term(Port)}), erlang:garbage_collect(),
                      [{K, V}] = ets:lookup(Tab, APid), {K =:= APid, node(V)} end),
    t("gc", fun() -> L = [binary_to_term(B) || B <- Bins], erlang:garbage_collect(), _ = lists:seq(1, 10000), erlang:garbage_collect(),
                     [node(X) || X <- L] end),
    t("phash2", fun() -> [erlang:phash2(X) || X <- hash_terms()] end),
    t("phash", fun() -> [erlang:phash(X, 1 bsl 32) || X <- hash_terms()] end),
    t("fun of another node", fun() -> B = term_to_binary(fun() -> ok end), try binary_to_term(binary:replace(B, <<"nonode@nohost">>, <<"nonode@nohosx">>)) of F -> {is_function(F), node(element(2, erlang:fun_info(F, pid))), F(), binary_to_term(term_to_binary(F)) =:= F} catch error:badarg -> badarg end end),
    ok.

hash_terms() ->
    P = fun(N, Num, Ser, Cre) -> binary_to_term(<<131, 88, (node_atom(N))/binary, Num:32, Ser:32, Cre:32>>) end,
    R = fun(N, Ws) -> binary_to_term(<<131, 90, (length(Ws)):16, (node_atom(N))/binary, 0:32, (<< <<W:32>> || W <- Ws >>)/binary>>) end,
    Po = fun(N, Id) -> binary_to_term(<<131, 120, (node_atom(N))/binary, Id:64, 0:32>>) end,
    [P(<<"a@b">>, 7, 0, 1), P(<<"c@d">>, 7, 5, 9), P(<<"a@b">>, 8, 0, 1), list_to_pid("<0.7.0>"), R(<<"a@b">>, [1, 2, 3]),
     R(<<"x@y">>, [1, 9, 9]), R(<<"x@y">>, [2]), Po(<<"a@b">>, 5), Po(<<"z@b">>, 1 bsl 40 + 5), {P(<<"a@b">>, 7, 0, 1)},
     [R(<<"q@r">>, [77]), Po(<<"a@b">>, 0)]].
