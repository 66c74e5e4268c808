%% A node that is not distributed, as kernel's global and net_kernel see
%% it at boot: process_flag(monitor_nodes | {monitor_nodes, Opts}, Bool)
%% counts subscriptions per option set; nodes/0,1,2 know only this node.
-module(node_monitors).
-export([main/0]).

main() ->
    p(monitor_nodes, [catch_class(fun() -> process_flag(F, V) end)
                      || {F, V} <- [{{monitor_nodes, #{connection_id => true}}, true},
                                    {{monitor_nodes, #{connection_id => true}}, true},
                                    {{monitor_nodes, [nodedown_reason]}, true},
                                    {{monitor_nodes, #{}}, true},
                                    {monitor_nodes, true},
                                    {monitor_nodes, true},
                                    {{monitor_nodes, #{connection_id => true}}, false},
                                    {{monitor_nodes, #{connection_id => true}}, false},
                                    {monitor_nodes, false},
                                    {{monitor_nodes, #{node_type => all, nodedown_reason => true}}, true},
                                    {{monitor_nodes, #{node_type => hidden}}, true},
                                    {{monitor_nodes, #{node_type => other}}, true},
                                    {{monitor_nodes, #{bad => 1}}, true},
                                    {monitor_nodes, maybe}]]),
    p(nodes, [nodes(), nodes(this), nodes(known), nodes(connected), nodes([visible, hidden]),
              nodes([this, known])]),
    p(nodes_bad, catch_class(fun() -> nodes(bad) end)),
    p(nodes2, [catch_class(fun() -> nodes(A, O) end)
               || {A, O} <- [{this, #{connection_id => true, node_type => true}},
                             {known, #{}}, {[visible, this], #{node_type => true}},
                             {visible, #{connection_id => false}}, {visible, #{bad => true}},
                             {visible, #{node_type => x}}, {visible, []}]]),
    ok.

p(Tag, V) -> io:format("~p: ~p~n", [Tag, V]).

catch_class(F) ->
    try F() of
        V -> V
    catch
        Class:Reason -> {Class, Reason}
    end.
