-module(bitsyntax_utf).
-export([main/0, id/1]).

id(X) -> X.

main() ->
    Cps = [$a, 233, 16#3B1, 16#20AC, 16#1F600],
    io:format("utf8 ~w~n", [<< <<C/utf8>> || C <- Cps >>]),
    io:format("utf16 ~w~n", [<< <<C/utf16>> || C <- Cps >>]),
    io:format("utf16le ~w~n", [<< <<C/utf16-little>> || C <- Cps >>]),
    io:format("utf32 ~w~n", [<< <<C/utf32>> || C <- Cps >>]),
    U8 = << <<C/utf8>> || C <- Cps >>,
    io:format("decode utf8 ~w~n", [[C || <<C/utf8>> <= U8]]),
    U16 = << <<C/utf16>> || C <- Cps >>,
    io:format("decode utf16 ~w~n", [[C || <<C/utf16>> <= U16]]),
    <<First/utf8, Rest/binary>> = <<"élan"/utf8>>,
    io:format("first ~w rest ~p~n", [First, Rest]),
    io:format("literal ~w~n", [<<"ħ"/utf8>>]),
    io:format("string literal utf8 ~w~n", [<<"añb"/utf8>>]),
    io:format("count chars ~w~n", [count(U8, 0)]),
    io:format("invalid ~p~n", [case <<16#FF, 16#FE>> of <<C/utf8, _/binary>> -> C; _ -> invalid end]),
    io:format("surrogate ~p~n", [try <<(id(16#D800))/utf8>> catch error:R -> R end]),
    io:format("too big ~p~n", [try <<(id(16#110000))/utf8>> catch error:R2 -> R2 end]),
    io:format("~~ts ~ts~n", [U8]),
    ok.

count(<<>>, N) -> N;
count(<<_/utf8, R/binary>>, N) -> count(R, N + 1).
