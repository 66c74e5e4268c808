-module(wordfreq).
-export([main/0]).

text() ->
    "It was the best of times, it was the worst of times, it was the age of wisdom, "
    "it was the age of foolishness, it was the epoch of belief, it was the epoch of "
    "incredulity, it was the season of Light, it was the season of Darkness, it was "
    "the spring of hope, it was the winter of despair, we had everything before us, "
    "we had nothing before us, we were all going direct to Heaven, we were all going "
    "direct the other way.".

main() ->
    Words = string:lexemes(string:lowercase(text()), " ,.;"),
    io:format("words ~w unique ~w~n", [length(Words), length(lists:usort(Words))]),
    Counts = lists:foldl(fun(W, M) -> maps:update_with(W, fun(C) -> C + 1 end, 1, M) end, #{}, Words),
    ByCount = lists:sort(fun({W1, C1}, {W2, C2}) -> {C2, W1} =< {C1, W2} end, maps:to_list(Counts)),
    lists:foreach(fun({W, C}) -> io:format("~-12s ~3w ~s~n", [W, C, lists:duplicate(C, $#)]) end,
                  lists:sublist(ByCount, 12)),
    Lengths = lists:foldl(fun(W, M) -> maps:update_with(length(W), fun(C) -> C + 1 end, 1, M) end, #{}, Words),
    io:format("by length ~w~n", [lists:sort(maps:to_list(Lengths))]),
    Longest = lists:foldl(fun(W, Best) when length(W) > length(Best) -> W; (_, Best) -> Best end, "", Words),
    io:format("longest ~s~n", [Longest]),
    Bigrams = lists:zip(lists:droplast(Words), tl(Words)),
    BC = lists:foldl(fun(B, M) -> maps:update_with(B, fun(C) -> C + 1 end, 1, M) end, #{}, Bigrams),
    Top = lists:sublist(lists:reverse(lists:keysort(2, lists:sort(maps:to_list(BC)))), 5),
    io:format("top bigrams ~p~n", [Top]),
    Caps = [W || W <- string:lexemes(text(), " ,.;"), hd(W) >= $A, hd(W) =< $Z],
    io:format("capitalised ~p~n", [Caps]),
    io:format("letters ~p~n", [lists:sublist(lists:reverse(lists:keysort(2, lists:sort(maps:to_list(
                  lists:foldl(fun(Ch, M) -> maps:update_with(Ch, fun(C) -> C + 1 end, 1, M) end, #{},
                              [Ch || Ch <- string:lowercase(text()), Ch >= $a, Ch =< $z]))))), 5)]),
    ok.
