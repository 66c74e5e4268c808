%% Covers binary_to_term of this node's pids (NEW_PID_EXT, PID_EXT),
%% references (NEWER_REFERENCE_EXT) and local funs (NEW_FUN_EXT, with
%% free variables, nested, with `safe` and `used`), term_to_binary of pids
%% with a serial, and errors for malformed pid/ref/fun encodings.
-module(etf_local).
-export([main/0]).

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).

%% Errors whose arguments hold a fun's creator pid (not the same in two VMs).
e(Name, F) ->
    R = try F() of V -> {ok, is_function(V)} catch C:E -> {C, E} end,
    io:format("~s: ~w~n", [Name, R]).

rt(T) -> binary_to_term(term_to_binary(T)).

main() ->
    P = self(), R = make_ref(), Y = 5, L = [1, {two}, <<"three">>],
    F0 = fun() -> Y end,
    F1 = fun(X) -> X + Y end,
    F2 = fun(A, B) -> {A, B, L, P} end,
    t("pid", fun() -> rt(P) =:= P end),
    t("ref", fun() -> rt(R) =:= R end),
    t("many refs", fun() -> Rs = [make_ref() || _ <- lists:seq(1, 50)], rt(Rs) =:= Rs end),
    t("spawned pid", fun() -> Q = spawn(fun() -> receive stop -> ok end end), Q2 = rt(Q), Q2 ! stop, Q2 =:= Q end),
    t("pid with serial", fun() -> Q = list_to_pid("<0.5.3>"), {term_to_binary(Q), rt(Q) =:= Q} end),
    t("pid max", fun() -> Q = list_to_pid("<0.32767.8191>"), {term_to_binary(Q), rt(Q) =:= Q} end),
    t("old pid ext", fun() -> binary_to_term(<<131, 103, 100, 0, 13, "nonode@nohost", 0, 0, 0, 7, 0, 0, 0, 1, 0>>) =:= list_to_pid("<0.7.1>") end),
    t("new pid ext", fun() -> binary_to_term(<<131, 88, 119, 13, "nonode@nohost", 0, 0, 0, 9, 0, 0, 0, 2, 0, 0, 0, 0>>) =:= list_to_pid("<0.9.2>") end),
    t("pid bad number", fun() -> binary_to_term(<<131, 88, 100, 0, 13, "nonode@nohost", 0, 0, 128, 0, 0, 0, 0, 0, 0, 0, 0, 0>>) end),
    t("pid bad serial", fun() -> binary_to_term(<<131, 88, 100, 0, 13, "nonode@nohost", 0, 0, 0, 1, 0, 0, 32, 0, 0, 0, 0, 0>>) end),
    t("pid truncated", fun() -> binary_to_term(<<131, 88, 100, 0, 13, "nonode@nohost", 0, 0, 0, 1>>) end),
    t("pid node not atom", fun() -> binary_to_term(<<131, 88, 97, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0>>) end),
    t("ref truncated", fun() -> binary_to_term(<<131, 90, 0, 3, 100, 0, 13, "nonode@nohost", 0, 0, 0, 0, 0, 0, 0, 1>>) end),
    t("ref too long", fun() -> binary_to_term(<<131, 90, 0, 6, 100, 0, 13, "nonode@nohost", 0, 0, 0, 0, 0:192>>) end),
    t("ref zero words", fun() -> binary_to_term(<<131, 90, 0, 0, 100, 0, 13, "nonode@nohost", 0, 0, 0, 0>>) end),
    t("fun0", fun() -> G = rt(F0), {G =:= F0, G()} end),
    t("fun1", fun() -> G = rt(F1), {G =:= F1, G(10)} end),
    t("fun2", fun() -> G = rt(F2), {G =:= F2, G(a, b) =:= F2(a, b)} end),
    t("fun info", fun() -> G = rt(F2), [erlang:fun_info(G, K) || K <- [arity, module, env, type]] =:= [erlang:fun_info(F2, K) || K <- [arity, module, env, type]] end),
    t("funs nested", fun() -> T = {F0, [F1, #{k => F2}], <<"x">>}, {T2a, [T2b, #{k := T2c}], _} = rt(T), {T2a(), T2b(1), T2c(1, 2) =:= F2(1, 2)} end),
    t("fun in fun", fun() -> H = fun(Z) -> F1(Z) * 2 end, (rt(H))(1) end),
    t("fun safe", fun() -> (binary_to_term(term_to_binary(F1), [safe]))(1) end),
    t("fun used", fun() -> B = term_to_binary(F1), {G, N} = binary_to_term(<<B/binary, "junk">>, [used]), {G(2), N =:= byte_size(B)} end),
    t("fun compressed", fun() -> (binary_to_term(term_to_binary({F1, lists:seq(1, 100)}, [compressed])) =:= {F1, lists:seq(1, 100)}) end),
    e("fun truncated", fun() -> B = term_to_binary(F1), binary_to_term(binary:part(B, 0, byte_size(B) - 3)) end),
    e("fun bad index", fun() -> B = term_to_binary(F1), <<H:26/binary, _:32, T/binary>> = B, binary_to_term(<<H/binary, 0, 0, 1, 0, T/binary>>) end),
    e("fun bad size", fun() -> B = term_to_binary(F1), <<H:2/binary, _:32, T/binary>> = B, binary_to_term(<<H/binary, 0, 0, 0, 3, T/binary>>) end),
    t("list_to_pid", fun() -> [try list_to_pid(X) catch error:E:S -> {E, element(4, hd(S))} end || X <- ["<0.5.3>", "<0.32768.0>", "<0.1.8192>", "<1.2.3>", "<0.1.2", "0.1.2>",
                                                              "<0.01.2>", "< 0.1.2>", "<0.1.-2>", foo, "<0..2>", "<0.1.2>x", "<0.1.2.>"]] end),
    t("pid_to_list", fun() -> [pid_to_list(list_to_pid(X)) || X <- ["<0.5.3>", "<0.32767.8191>", "<0.0.0>"]] end),
    t("fun old index not int", fun() -> binary_to_term(<<131, 112, 0, 0, 0, 40, 0, 0:128, 0:32, 0:32, 100, 0, 1, "m", 100, 0, 1, "x", 97, 0, 106>>) end),
    t("fun bytes", fun() -> [begin B = term_to_binary(F), {byte_size(B), binary:part(B, 0, 60)} end || F <- [F0, F1, F2]] end),
    t("fun_info", fun() -> [erlang:fun_info(F, K) || F <- [F0, F1, fun lists:map/2], K <- [index, new_index, uniq, new_uniq, arity, type, module, name]] end),
    t("fun phash2", fun() -> [erlang:phash2(F) || F <- [fun() -> ok end, fun lists:map/2]] end),
    t("mixed", fun() -> T = [P, R, F1, {P, R}, #{P => R}], rt(T) =:= T end),
    ok.
