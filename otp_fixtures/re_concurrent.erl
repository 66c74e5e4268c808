%% Covers re from many processes at once (on every scheduler): each
%% compiles and runs its own patterns and shared ones, textual and
%% compiled, while others do the same, so the compiled-code cache is
%% hit, missed and replaced concurrently. Results are collected in spawn
%% order.
-module(re_concurrent).
-export([main/0]).

work(I, Shared) ->
    Own = "w" ++ integer_to_list(I) ++ "([0-9]+)",
    Subject = iolist_to_binary([[ "w", integer_to_list(J), integer_to_list(J * 7), " " ] || J <- lists:seq(1, 40)]),
    R = [begin
             {ok, MP} = re:compile(Own),
             A = re:run(Subject, MP, [{capture, all_but_first, list}]),
             B = re:run(Subject, Own ++ "|zz" ++ integer_to_list(K rem 50), [{capture, first, index}]),
             C = re:run(Subject, Shared, [global, {capture, first, binary}]),
             {A, B, length(element(2, C))}
         end || K <- lists:seq(1, 60)],
    lists:usort(R).

main() ->
    {ok, Shared} = re:compile("w[0-9]+"),
    Self = self(),
    Pids = [spawn(fun() -> Self ! {self(), work(I, Shared)} end) || I <- lists:seq(1, 16)],
    Results = [receive {P, R} -> R end || P <- Pids],
    [io:format("~w: ~w~n", [I, R]) || {I, R} <- lists:zip(lists:seq(1, 16), Results)],
    ok.
