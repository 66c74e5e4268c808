%% base.erl -- the module test/broken/make-corpus compiles and mutates.
%% It is small but uses every chunk erlc 25 writes: lambdas (FunT),
%% literals including a map, a binary and a bignum (LitT), a binary string
%% match (StrT), calls to other modules (ImpT), several exported and local
%% functions (ExpT, LocT), and line numbers (Line).
-module(base).
-export([adder/1, classify/1, big/0, table/0, greet/1, sum/1]).

adder(N) ->
    fun(X) -> X + N end.

classify(<<"GET ", Path/binary>>) -> {get, Path};
classify(<<"POST ", Path/binary>>) -> {post, Path};
classify(_) -> other.

big() ->
    123456789012345678901234567890123456789012345678901234567890.

table() ->
    #{name => <<"cbeam">>, version => {0, 1}, tags => [vm, beam, "otp"]}.

greet(Name) ->
    lists:flatten(io_lib:format("hello ~s", [Name])).

sum(L) ->
    lists:foldl(fun(X, Acc) -> X + Acc end, 0, double(L)).

double(L) ->
    [2 * X || X <- L].
