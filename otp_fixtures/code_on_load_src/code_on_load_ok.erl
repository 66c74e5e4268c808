%% A module whose on_load function succeeds (otp_fixtures/code_on_load.erl).
-module(code_on_load_ok).
-on_load(init/0).
-export([hello/0]).

init() -> put(on_load_ran, yes), ok.

hello() -> hello_from_on_load_module.
