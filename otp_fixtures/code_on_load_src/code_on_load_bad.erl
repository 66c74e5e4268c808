%% A module whose on_load function fails (otp_fixtures/code_on_load.erl).
-module(code_on_load_bad).
-on_load(init/0).
-export([hello/0]).

init() -> {error, refused}.

hello() -> never.
