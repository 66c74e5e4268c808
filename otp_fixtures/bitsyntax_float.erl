-module(bitsyntax_float).
-export([main/0, id/1]).

id(X) -> X.

main() ->
    io:format("64 ~w~n", [<<1.5/float>>]),
    io:format("32 ~w~n", [<<1.5:32/float>>]),
    io:format("little ~w~n", [<<1.5:64/float-little>>]),
    io:format("16 ~w~n", [<<1.5:16/float>>]),
    io:format("int as float ~w~n", [<<(id(3)):64/float>>]),
    io:format("neg zero ~w~n", [<<-0.0/float>>]),
    io:format("pi32 ~w~n", [<<3.141592653589793:32/float>>]),
    <<F64/float, F32:32/float, F16:16/float>> = <<2.75/float, 0.1:32/float, -2.5:16/float>>,
    io:format("decoded ~w ~w ~w~n", [F64, F32, F16]),
    <<L:64/float-little>> = <<0.125:64/float-little>>,
    io:format("little decoded ~w~n", [L]),
    io:format("roundtrip ~w~n", [[begin <<V/float>> = <<X/float>>, V end || X <- [0.0, -1.0, 1.0e300, 5.0e-324, 123.456]]]),
    io:format("floats in bin comp ~w~n", [[X || <<X:32/float>> <= <<1.0:32/float, 2.0:32/float, 0.5:32/float>>]]),
    io:format("nan/inf don't match: ~p~n", [case <<16#7FF0000000000000:64>> of <<X/float>> -> {matched, X}; _ -> no_match end]),
    io:format("float too big for 32 ~p~n", [try <<(id(1.0e300)):32/float>> catch error:R -> R end]),
    io:format("unaligned float ~w~n", [<<1:1, 1.0:32/float>>]),
    <<_:1, U:32/float>> = <<1:1, 1.0:32/float>>,
    io:format("unaligned decode ~w~n", [U]),
    io:format("mixed ~w~n", [<<1, 2.0/float, 3:16>>]),
    ok.
