%% Processes are found (processes/0) and sent to while others are being
%% spawned with arguments copied onto their new heaps: every child must
%% see its own arguments intact and the flood must not disturb anything.
-module(spawn_race).
-export([main/0, child/2]).

main() ->
    Self = self(),
    Flooders = [spawn(fun() -> flood(Self, 300) end) || _ <- lists:seq(1, 2)],
    Sums = [begin
                L = lists:seq(1, 40 + I rem 20),
                spawn(?MODULE, child, [Self, {I, L, list_to_binary(integer_to_list(I))}]),
                receive {sum, I, S} -> S =:= {I, lists:sum(L), integer_to_binary(I)} end
            end || I <- lists:seq(1, 3000)],
    [exit(F, kill) || F <- Flooders],
    io:format("children with intact arguments: ~p of ~p~n", [length([ok || true <- Sums]), length(Sums)]).

child(Parent, {I, L, B}) -> Parent ! {sum, I, {I, lists:sum(L), B}}.

%% Every child of the fixture, as it appears.
flood(_, 0) -> ok;
flood(Main, N) ->
    [P ! {noise, lists:seq(1, 30)} || P <- processes(), P > Main, is_child(P)],
    flood(Main, N - 1).

is_child(P) -> process_info(P, initial_call) =:= {initial_call, {?MODULE, child, 2}}.
