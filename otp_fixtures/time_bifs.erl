-module(time_bifs).
-export([main/0]).

%% Time and uniqueness BIFs whose results can be checked deterministically.

main() ->
    io:format("convert ~p~n", [[erlang:convert_time_unit(T, F, U)
                                 || {T, F, U} <- [{1, second, millisecond}, {1500, millisecond, second},
                                                  {-1, millisecond, second}, {3, second, microsecond},
                                                  {7, native, native}]]]),
    io:format("yield ~p~n", [erlang:yield()]),
    Nows = [erlang:now() || _ <- lists:seq(1, 1000)],
    io:format("now strictly increasing ~p~n", [Nows =:= lists:usort(Nows)]),
    io:format("time_offset integer ~p~n", [is_integer(erlang:time_offset())]),
    M1 = erlang:monotonic_time(), M2 = erlang:monotonic_time(),
    io:format("monotonic ~p~n", [M1 =< M2]),
    Us = [erlang:unique_integer([positive, monotonic]) || _ <- lists:seq(1, 1000)],
    io:format("unique monotonic ~p positive ~p~n", [Us =:= lists:usort(Us), lists:all(fun(U) -> U > 0 end, Us)]),
    Ns = [erlang:unique_integer() || _ <- lists:seq(1, 1000)],
    io:format("unique ~p~n", [length(lists:usort(Ns)) =:= 1000]),
    io:format("bad option ~p~n", [element(1, catch erlang:unique_integer([bad]))]),
    {Mega, Sec, Micro} = os:timestamp(),
    io:format("timestamp shape ~p~n", [is_integer(Mega) andalso is_integer(Sec) andalso Micro < 1000000]).
