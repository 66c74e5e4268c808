-module(float_format).
-export([main/0]).

main() ->
    Fs = [0.0, 1.0, -1.0, 0.1, 1/3, 2/3, 100.0, 123.456, 1.0e10, 1.0e-10,
          3.14159265358979, 6.02214076e23, -1.602176634e-19, 1.0e100, 0.5, 12345678.9],
    lists:foreach(
      fun(F) ->
              io:format("~~p ~p | ~~w ~w | ~~f ~f | ~~e ~e | ~~g ~g~n", [F, F, F, F, F])
      end, Fs),
    io:format("[~.2f] [~.1f] [~10.3f] [~-10.1f] [~.10f]~n", [3.14159, 2.5, 3.14159, 3.14159, 1/7]),
    io:format("[~.3e] [~.2e] [~15.4e]~n", [12345.678, 0.000123, -9.87654]),
    io:format("[~.3g] [~.3g] [~.10g]~n", [12345.678, 0.000123, 1/3]),
    io:format("[~*.*f]~n", [12, 4, 2.718281828]),
    io:format("[~12.4.0f]~n", [-2.718281828]),
    io:format("float_to_list ~s~n", [float_to_list(1.5)]),
    io:format("float_to_list decimals ~s ~s ~s~n",
              [float_to_list(3.14159, [{decimals, 2}]),
               float_to_list(2.0, [{decimals, 4}, compact]),
               float_to_list(123.456, [{scientific, 3}])]),
    io:format("float_to_list short ~s ~s~n", [float_to_list(0.1, [short]), float_to_list(1.0e23, [short])]),
    io:format("float_to_binary ~s~n", [float_to_binary(0.25, [{decimals, 3}])]),
    io:format("list_to_float ~w ~w ~w~n", [list_to_float("2.5"), list_to_float("-1.0e-3"), list_to_float("6.0E3")]),
    io:format("binary_to_float ~w~n", [binary_to_float(<<"1.25e2">>)]),
    io:format("io_lib ~s~n", [io_lib:format("~.5f", [1/3])]),
    io:format("io_lib_format:fwrite_g ~s~n", [io_lib_format:fwrite_g(0.3)]),
    io:format("shortest: ~w ~w ~w ~w~n", [0.3, 1.0e21, 1.0e22, 123456789012345680.0]),
    io:format("~p~n", [[1.5, {2.25, [-0.125]}]]),
    ok.
