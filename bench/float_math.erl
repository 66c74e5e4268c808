%% float_math: float arithmetic (+ - * /), math:sqrt/1, math:sin/1,
%% math:cos/1, float/1, trunc/1 and round/1: a small n-body-like
%% integration plus a Leibniz-style series. Measures boxed-float
%% allocation and the math BIFs.
-module(float_math).
-export([main/0]).

-define(WARMUP, 1000).
-define(REPS, 1300000).

main() ->
    _ = run(?WARMUP),
    T0 = erlang:monotonic_time(microsecond),
    R = run(?REPS),
    T1 = erlang:monotonic_time(microsecond),
    erlang:display({bench, float_math, T1 - T0, R}).

run(N) ->
    {X, Y, VX, VY} = orbit(N, 1.0, 0.0, 0.0, 1.0, 0.001),
    S = series(N, 0, 0.0),
    %% Integer checksum, rounded coarsely so that it is a result of the
    %% computation but not of the last ulp of libm.
    round(X * 1.0e6) + round(Y * 1.0e6) + round(VX * 1.0e6)
        + round(VY * 1.0e6) + round(S * 1.0e6).

%% Body in a central inverse-square field, semi-implicit Euler steps.
orbit(0, X, Y, VX, VY, _) -> {X, Y, VX, VY};
orbit(N, X, Y, VX, VY, Dt) ->
    R2 = X * X + Y * Y,
    R = math:sqrt(R2),
    A = -1.0 / (R2 * R),
    VX1 = VX + A * X * Dt,
    VY1 = VY + A * Y * Dt,
    orbit(N - 1, X + VX1 * Dt, Y + VY1 * Dt, VX1, VY1, Dt).

series(0, _, Acc) -> Acc;
series(N, K, Acc) ->
    T = float(K),
    Term = math:sin(T * 0.001) * math:cos(T * 0.0007) / (1.0 + T * 1.0e-4),
    series(N - 1, K + 1, Acc + Term).
