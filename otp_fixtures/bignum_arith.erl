-module(bignum_arith).
-export([main/0, id/1]).

id(X) -> X.

fact(0) -> 1;
fact(N) -> N * fact(N - 1).

pow(_, 0) -> 1;
pow(B, E) when E rem 2 =:= 0 -> H = pow(B, E div 2), H * H;
pow(B, E) -> B * pow(B, E - 1).

fib(N) -> fib(N, 0, 1).
fib(0, A, _) -> A;
fib(N, A, B) -> fib(N - 1, B, A + B).

isqrt(0) -> 0;
isqrt(N) -> isqrt(N, N).
isqrt(N, X) ->
    Y = (X + N div X) div 2,
    if Y >= X -> X; true -> isqrt(N, Y) end.

main() ->
    F50 = fact(50),
    io:format("50! = ~w~n", [F50]),
    io:format("100! = ~w~n", [fact(100)]),
    io:format("2^200 = ~w~n", [pow(2, 200)]),
    io:format("3^100 = ~w~n", [pow(3, 100)]),
    io:format("-7^33 = ~w~n", [pow(-7, 33)]),
    io:format("fib(300) = ~w~n", [fib(300)]),
    A = pow(10, 40) + 12345,
    B = pow(7, 25) - 1,
    io:format("A+B = ~w~nA-B = ~w~nB-A = ~w~nA*B = ~w~n", [A + B, A - B, B - A, A * B]),
    io:format("A div B = ~w, A rem B = ~w~n", [A div B, A rem B]),
    io:format("-A div B = ~w, -A rem B = ~w~n", [-A div B, -A rem B]),
    io:format("A div -B = ~w, A rem -B = ~w~n", [A div -B, A rem -B]),
    io:format("A div 7 = ~w, A rem 7 = ~w~n", [A div 7, A rem 7]),
    io:format("band: ~w~n", [A band B]),
    io:format("bor: ~w~n", [A bor B]),
    io:format("bxor: ~w~n", [A bxor B]),
    io:format("neg band: ~w~n", [(-A) band B]),
    io:format("neg bor: ~w~n", [(-A) bor B]),
    io:format("neg bxor neg: ~w~n", [(-A) bxor (-B)]),
    io:format("bnot A: ~w~n", [bnot A]),
    io:format("A bsl 65: ~w~n", [A bsl 65]),
    io:format("A bsr 70: ~w~n", [A bsr 70]),
    io:format("-A bsr 70: ~w~n", [(-A) bsr 70]),
    io:format("-A bsr 1000: ~w~n", [(-A) bsr 1000]),
    io:format("isqrt(10^60) = ~w~n", [isqrt(pow(10, 60))]),
    io:format("isqrt(2*10^50) = ~w~n", [isqrt(2 * pow(10, 50))]),
    io:format("50!/48! = ~w~n", [F50 div fact(48)]),
    io:format("cmp: ~w ~w ~w ~w~n", [A > B, -A < B, A == A + 0, A =:= id(A)]),
    io:format("mixed float cmp: ~w ~w~n", [pow(2, 70) < 1.0e30, pow(2, 70) > 1.0e20]),
    io:format("to float: ~w~n", [float(pow(2, 70))]),
    io:format("abs: ~w~n", [abs(-A)]),
    io:format("gcd: ~w~n", [gcd(fact(30), pow(6, 20))]),
    io:format("sum digits 2^1000 = ~w~n",
              [lists:sum([C - $0 || C <- integer_to_list(pow(2, 1000))])]),
    ok.

gcd(A, 0) -> A;
gcd(A, B) -> gcd(B, A rem B).
