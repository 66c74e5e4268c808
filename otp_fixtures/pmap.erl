-module(pmap).
-export([main/0]).

pmap(F, L) ->
    Parent = self(),
    Refs = [begin
                Ref = make_ref(),
                spawn(fun() -> Parent ! {Ref, F(X)} end),
                Ref
            end || X <- L],
    [receive {Ref, V} -> V end || Ref <- Refs].

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

%% A worker pool pulling jobs from a dispatcher.
dispatcher([], 0, Acc) -> lists:sort(Acc);
dispatcher(Jobs, Active, Acc) ->
    receive
        {want_job, W} ->
            case Jobs of
                [J | Rest] -> W ! {job, J}, dispatcher(Rest, Active, Acc);
                [] -> W ! no_more, dispatcher([], Active - 1, Acc)
            end;
        {result, R} -> dispatcher(Jobs, Active, [R | Acc])
    end.

worker(D) ->
    D ! {want_job, self()},
    receive
        {job, N} -> D ! {result, {N, fib(N)}}, worker(D);
        no_more -> ok
    end.

main() ->
    io:format("pmap fib ~w~n", [pmap(fun fib/1, lists:seq(1, 20))]),
    io:format("pmap squares ~w~n", [pmap(fun(X) -> X * X end, lists:seq(1, 50))]),
    Self = self(),
    NWorkers = 4,
    [spawn(fun() -> worker(Self) end) || _ <- lists:seq(1, NWorkers)],
    Results = dispatcher(lists:seq(10, 25), NWorkers, []),
    io:format("pool results ~w~n", [Results]),
    %% parallel sum with many processes
    Chunks = [lists:seq(I * 1000 + 1, (I + 1) * 1000) || I <- lists:seq(0, 99)],
    io:format("parallel sum ~w~n", [lists:sum(pmap(fun lists:sum/1, Chunks))]),
    %% counter process updated by many
    Counter = spawn(fun() -> counter(0) end),
    Ps = [spawn(fun() -> [Counter ! inc || _ <- lists:seq(1, 100)], Self ! finished end) || _ <- lists:seq(1, 50)],
    [receive finished -> ok end || _ <- Ps],
    Counter ! {get, self()},
    receive {count, C} -> io:format("counter ~w~n", [C]) end,
    ok.

counter(N) ->
    receive
        inc -> counter(N + 1);
        {get, From} -> From ! {count, N}, counter(N)
    end.
