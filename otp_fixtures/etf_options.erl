%% Covers term_to_binary/2 options (compressed, {compressed, 0..9},
%% {minor_version, 0..2}, deterministic, bad options), binary_to_term/2
%% (safe, used, bad options), term_to_iovec/1,2, external_size/1,2,
%% and badarg for malformed input, with error_info.
-module(etf_options).
-export([main/0]).

t(Name, F) ->
    R = try F() of V -> {ok, V} catch C:E:S -> {C, E, hd(S)} end,
    io:format("~s: ~w~n", [Name, R]).

terms() ->
    [a, 'é', '😀', 1, -1, 255, 256, 1 bsl 31, 1 bsl 64, -(1 bsl 300), 1.5, -0.0, 3.0e300, <<>>, <<1, 2, 3>>, <<1:3>>,
     <<7, 1:1>>, "abc", [1, 2 | 3], [a | <<"x">>], {}, {a, b}, erlang:make_tuple(300, x), #{}, #{a => 1, "b" => [2]},
     maps:from_list([{N, N} || N <- lists:seq(1, 40)]), fun lists:map/2, lists:seq(1, 300), [$x || _ <- lists:seq(1, 70000)]].

main() ->
    Opts = [[], [compressed], [{compressed, 0}], [{compressed, 1}], [{compressed, 9}], [{minor_version, 0}],
            [{minor_version, 1}], [{minor_version, 2}], [deterministic], [deterministic, compressed]],
    [t(io_lib:format("t2b ~w ~w", [N, O]), fun() ->
        B = term_to_binary(T, O),
        {erlang:md5(B), byte_size(B), erlang:external_size(T, [V || {minor_version, _} = V <- O]), binary_to_term(B) =:= T} end)
     || {N, T} <- lists:zip(lists:seq(1, length(terms())), terms()), O <- Opts],
    [t(io_lib:format("t2b small ~w", [O]), fun() -> term_to_binary({1.5, 'ä', "ab", 10000000000}, O) end) || O <- Opts],
    [t(io_lib:format("t2b bad ~w", [O]), fun() -> term_to_binary(x, O) end)
     || O <- [foo, [foo], [{compressed, 10}], [{compressed, -1}], [{minor_version, 3}], [{minor_version, a}], [compressed | x]]],
    t("external_size/1", fun() -> [erlang:external_size(T) || T <- terms()] end),
    [t(io_lib:format("external_size ~w", [O]), fun() -> erlang:external_size(x, O) end)
     || O <- [[], [bad], [compressed], [deterministic], [{minor_version, 1}], [{minor_version, 3}], foo]],
    %% term_to_iovec
    [t(io_lib:format("iovec ~w", [N]), fun() ->
        V = term_to_iovec(T), {is_list(V), iolist_to_binary(V) =:= term_to_binary(T)} end)
     || {N, T} <- lists:zip(lists:seq(1, length(terms())), terms())],
    t("iovec/2", fun() -> iolist_to_binary(term_to_iovec([<<"abc">>, 1.5], [{minor_version, 0}])) end),
    t("iovec/2 compressed", fun() -> binary_to_term(iolist_to_binary(term_to_iovec(lists:seq(1, 100), [compressed]))) end),
    t("iovec bad", fun() -> term_to_iovec(x, [bad]) end),
    iovec_pieces(),
    %% binary_to_term options
    B = term_to_binary({hello, [1, 2]}),
    t("used", fun() -> binary_to_term(<<B/binary, "trailing">>, [used]) end),
    t("used safe", fun() -> binary_to_term(B, [safe, used]) end),
    t("used compressed", fun() -> C = term_to_binary(lists:seq(1, 100), [compressed]), {_, U} = binary_to_term(<<C/binary, 0>>, [used]), U =:= byte_size(C) end),
    t("trailing", fun() -> binary_to_term(<<B/binary, "trailing">>) end),
    t("safe new atom", fun() -> binary_to_term(<<131, 100, 0, 12, "no_such_atom">>, [safe]) end),
    t("safe existing", fun() -> binary_to_term(<<131, 100, 0, 2, "ok">>, [safe]) end),
    t("safe fun", fun() -> binary_to_term(term_to_binary(fun lists:map/2), [safe]) end),
    t("bad option", fun() -> binary_to_term(B, [foo]) end),
    t("bad option list", fun() -> binary_to_term(B, foo) end),
    [t(io_lib:format("malformed ~w", [M]), fun() -> binary_to_term(M) end)
     || M <- [<<>>, <<131>>, <<130, 97, 1>>, <<131, 97>>, <<131, 98, 0, 0>>, <<131, 100, 0, 5, "ab">>, <<131, 108, 0, 0, 0, 1, 97, 1>>,
              <<131, 109, 0, 0, 0, 5, 1, 2>>, <<131, 80, 0, 0, 0, 10, 1, 2, 3>>, <<131, 116, 0, 0, 0, 1, 97, 1>>,
              <<131, 70, 1, 2, 3>>, <<131, 110, 2, 0, 1>>, <<131, 104, 2, 97, 1>>, <<131, 77, 0, 0, 0, 1, 9, 1>>,
              <<131, 77, 0, 0, 0, 1, 0, 1>>, <<131, 119, 1, 200>>, <<131, 118, 0, 2, 195, 40>>, <<1:5>>, foo, "abc"]],
    t("binary_to_term/2 ok", fun() -> binary_to_term(term_to_binary([a, "b"]), []) end),
    ok.

%% The pieces of term_to_iovec: binaries of more than 64 whole, aligned
%% bytes on their own; with compression (level > 0) a binary.
iovec_pieces() ->
    B = binary:copy(<<1>>, 100), S = binary:part(B, 1, 70),
    <<_:3, U:800/bits, _/bits>> = <<0:3, B/binary, 0:5>>,
    Ts = [a, B, {B, B}, [B, <<"small">>, B], S, binary:part(B, 1, 10), <<B/binary, 1:3>>, binary:copy(<<1>>, 64),
          binary:copy(<<1>>, 65), {x, binary:copy(<<1>>, 65), y}, U, #{k => B}, [binary:copy(<<2>>, 200)]],
    t("iovec sizes", fun() -> [[byte_size(X) || X <- term_to_iovec(T)] || T <- Ts] end),
    t("iovec bytes", fun() -> [iolist_to_binary(term_to_iovec(T)) =:= term_to_binary(T) || T <- Ts] end),
    t("iovec options", fun() -> [term_to_iovec(a, [compressed]), term_to_iovec(a, [{compressed, 0}]), term_to_iovec(lists:seq(1, 50), [{compressed, 9}]),
                                 [byte_size(X) || X <- term_to_iovec(B, [{compressed, 0}])], [byte_size(X) || X <- term_to_iovec(B, [{minor_version, 0}])],
                                 term_to_iovec(B, [compressed]), term_to_iovec({1.5, B}, [{minor_version, 0}, deterministic])] end).
