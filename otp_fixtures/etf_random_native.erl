%% etf_random's 20,000 terms with term_to_binary's default options: a hash
%% map's pairs are written in the map's internal order, which follows the
%% map hash of each key (OTP's make_internal_hash).
-module(etf_random_native).
-export([main/0]).

main() ->
    etf_random:run(fun(T) -> [term_to_binary(T), term_to_binary(T, [{minor_version, 0}]),
                              term_to_binary(T, [{compressed, 6}])] end).
