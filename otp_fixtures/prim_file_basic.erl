%% prim_file (OTP's preloaded module over its NIFs): whole files, file
%% info, directories, cwd, handles (read/write/pread/pwrite/position/
%% truncate/sync/close), their owner, and the posix error atoms. Works in
%% a directory it makes under the current one and removes at the end.
-module(prim_file_basic).
-export([main/0]).

-include_lib("kernel/include/file.hrl").

-define(D, "prim_file_basic_tmp").

main() ->
    cleanup(),
    p(make_dir, prim_file:make_dir(?D)),
    p(make_dir_again, prim_file:make_dir(?D)),
    files(),
    info(),
    dirs(),
    cwd(),
    handles(),
    handle_info(),
    owner(),
    errors(),
    cleanup(),
    p(gone, prim_file:read_file_info(?D)),
    ok.

p(Tag, V) -> io:format("~p: ~p~n", [Tag, V]).

f(Name) -> ?D ++ "/" ++ Name.

files() ->
    p(write_file, prim_file:write_file(f("a.txt"), <<"hello, world\n">>)),
    p(read_file, prim_file:read_file(f("a.txt"))),
    p(write_iolist, prim_file:write_file(f("b.txt"), ["ab", [$c, <<"de">>], 10])),
    p(read_b, prim_file:read_file(f("b.txt"))),
    p(read_binary_name, prim_file:read_file(list_to_binary(f("b.txt")))),
    p(write_empty, prim_file:write_file(f("empty"), <<>>)),
    p(read_empty, prim_file:read_file(f("empty"))),
    Big = list_to_binary([integer_to_list(I) || I <- lists:seq(1, 20000)]),
    p(write_big, prim_file:write_file(f("big"), Big)),
    {ok, Big2} = prim_file:read_file(f("big")),
    p(read_big, {byte_size(Big2), Big2 =:= Big}),
    p(write_bad_data, prim_file:write_file(f("bad"), [foo])),
    p(rename, prim_file:rename(f("b.txt"), f("c.txt"))),
    p(read_renamed, prim_file:read_file(f("c.txt"))),
    p(read_old_name, prim_file:read_file(f("b.txt"))).

info() ->
    {ok, I} = prim_file:read_file_info(f("a.txt")),
    p(info_file, {I#file_info.size, I#file_info.type, I#file_info.access,
                  I#file_info.links, is_integer(I#file_info.inode),
                  is_integer(I#file_info.mode)}),
    p(info_local_time, case I#file_info.mtime of
                           {{Y, _, _}, {_, _, _}} when Y > 2000 -> datetime;
                           Other -> Other
                       end),
    {ok, P} = prim_file:read_file_info(f("a.txt"), [{time, posix}]),
    p(info_posix_time, is_integer(P#file_info.mtime) andalso P#file_info.mtime > 0),
    {ok, U} = prim_file:read_file_info(f("a.txt"), [{time, universal}]),
    p(info_universal_time, calendar:datetime_to_gregorian_seconds(U#file_info.mtime)
          - 62167219200 =:= P#file_info.mtime),
    {ok, D} = prim_file:read_file_info(?D),
    p(info_dir, {D#file_info.type, D#file_info.access}),
    p(make_symlink, prim_file:make_symlink("a.txt", f("link"))),
    {ok, L} = prim_file:read_link_info(f("link")),
    p(link_info, L#file_info.type),
    {ok, LF} = prim_file:read_file_info(f("link")),
    p(link_followed, {LF#file_info.type, LF#file_info.size}),
    p(read_link, prim_file:read_link(f("link"))),
    p(read_link_regular, prim_file:read_link(f("a.txt"))),
    p(read_through_link, prim_file:read_file(f("link"))),
    p(make_link, prim_file:make_link(f("a.txt"), f("hard"))),
    {ok, H} = prim_file:read_file_info(f("hard")),
    p(hard_link_count, H#file_info.links),
    p(info_missing, prim_file:read_file_info(f("missing"))),
    p(link_info_missing, prim_file:read_link_info(f("missing"))),
    p(info_bad_name, prim_file:read_file_info(foo)).

dirs() ->
    p(make_sub, prim_file:make_dir(f("sub"))),
    p(write_sub, prim_file:write_file(f("sub/x"), <<"x">>)),
    {ok, Names} = prim_file:list_dir(?D),
    p(list_dir, lists:sort(Names)),
    p(list_sub, prim_file:list_dir(f("sub"))),
    p(list_missing, prim_file:list_dir(f("nothere"))),
    p(list_file, prim_file:list_dir(f("a.txt"))),
    p(del_dir_not_empty, prim_file:del_dir(f("sub"))),
    p(delete_dir, prim_file:delete(f("sub"))),
    p(delete_in_sub, prim_file:delete(f("sub/x"))),
    p(del_dir, prim_file:del_dir(f("sub"))),
    p(del_dir_again, prim_file:del_dir(f("sub"))),
    p(del_dir_file, prim_file:del_dir(f("a.txt"))),
    p(make_dir_missing_parent, prim_file:make_dir(f("no/such"))).

cwd() ->
    {ok, Cwd} = prim_file:get_cwd(),
    p(cwd_is_string, io_lib:printable_unicode_list(Cwd)),
    p(set_cwd, prim_file:set_cwd(?D)),
    {ok, Cwd2} = prim_file:get_cwd(),
    p(cwd_moved, Cwd2 =:= Cwd ++ "/" ++ ?D),
    p(relative_read, prim_file:read_file("a.txt")),
    p(set_cwd_back, prim_file:set_cwd("..")),
    {ok, Cwd3} = prim_file:get_cwd(),
    p(cwd_back, Cwd3 =:= Cwd),
    p(set_cwd_missing, prim_file:set_cwd(f("missing"))),
    p(set_cwd_file, prim_file:set_cwd(f("a.txt"))),
    p(get_cwd_drive, prim_file:get_cwd("c:")).

handles() ->
    {ok, F} = prim_file:open(f("h"), [read, write, binary]),
    p(handle, element(1, F)),
    p(write, prim_file:write(F, <<"0123456789">>)),
    p(position_bof, prim_file:position(F, bof)),
    p(read3, prim_file:read(F, 3)),
    p(read_rest, prim_file:read(F, 100)),
    p(read_eof, prim_file:read(F, 1)),
    p(read_zero, prim_file:read(F, 0)),
    p(pread, prim_file:pread(F, 2, 4)),
    p(pread_past_end, prim_file:pread(F, 100, 4)),
    p(pwrite, prim_file:pwrite(F, 8, <<"AB">>)),
    p(pwrite_list, prim_file:pwrite(F, [{0, <<"x">>}, {12, "yz"}])),
    p(position_eof, prim_file:position(F, eof)),
    p(position_cur, prim_file:position(F, {cur, -4})),
    p(read_after_cur, prim_file:read(F, 2)),
    p(position_neg, prim_file:position(F, {bof, -1})),
    p(position_int, prim_file:position(F, 5)),
    p(truncate, prim_file:truncate(F)),
    p(sync, prim_file:sync(F)),
    p(datasync, prim_file:datasync(F)),
    p(close, prim_file:close(F)),
    p(close_again, prim_file:close(F)),
    p(read_closed, prim_file:read(F, 1)),
    p(contents, prim_file:read_file(f("h"))),
    {ok, A} = prim_file:open(f("h"), [append]),
    p(append, prim_file:write(A, "++")),
    p(append_close, prim_file:close(A)),
    p(appended, prim_file:read_file(f("h"))),
    {ok, W} = prim_file:open(f("h"), [write]),
    p(write_truncates, prim_file:close(W)),
    p(truncated, prim_file:read_file(f("h"))),
    {ok, R} = prim_file:open(f("a.txt"), [read]),
    p(write_read_only, prim_file:write(R, <<"x">>)),
    p(read_list_mode, prim_file:read(R, 5)),
    ok = prim_file:close(R),
    p(open_exclusive, prim_file:open(f("h"), [write, exclusive])),
    {ok, X} = prim_file:open(f("new"), [write, exclusive]),
    p(exclusive_new, prim_file:close(X)),
    p(open_missing, prim_file:open(f("missing"), [read])),
    p(open_dir, prim_file:open(?D, [read])),
    p(open_in_missing_dir, prim_file:open(f("no/file"), [write])),
    p(open_bad_mode, prim_file:open(f("h"), bad)).

handle_info() ->
    ok = prim_file:write_file(f("hi"), <<"abc">>),
    {ok, F} = prim_file:open(f("hi"), [read]),
    {ok, I} = prim_file:read_handle_info(F),
    p(handle_info, {I#file_info.size, I#file_info.type, I#file_info.access}),
    {ok, P} = prim_file:read_handle_info(F, [{time, posix}]),
    p(handle_info_posix, is_integer(P#file_info.mtime)),
    p(advise, [prim_file:advise(F, 0, 0, A) || A <- [normal, random, sequential,
                                                       will_need, dont_need,
                                                       no_reuse, bad]]),
    p(advise_negative, prim_file:advise(F, -1, 0, normal)),
    p(allocate_read_only, prim_file:allocate(F, 0, 10)),
    ok = prim_file:close(F),
    {ok, W} = prim_file:open(f("hi"), [read, write]),
    p(allocate, prim_file:allocate(W, 0, 10)),
    p(allocate_negative, prim_file:allocate(W, 0, -1)),
    p(allocated, prim_file:read_file(f("hi"))),
    ok = prim_file:close(W),
    p(handle_info_closed, prim_file:read_handle_info(W)),
    p(altname, prim_file:altname(f("hi"))),
    %% Indirect reads (dets): {Size:32, Position:32} at an offset.
    ok = prim_file:write_file(f("ip"), <<3:32, 16:32, 0:64, "abcdef", 0:64,
                                         9:32, 18:32, 5:32, 1000:32>>),
    {ok, IP} = prim_file:open(f("ip"), [read, binary]),
    p(ipread, [prim_file:ipread_s32bu_p32bu(IP, O, M)
               || {O, M} <- [{0, 10}, {0, 2}, {0, infinity}, {8, 10}, {30, 10},
                             {34, 10}, {38, 10}, {100, 10}, {-1, 10}, {0, -1},
                             {a, 1}]]),
    ok = prim_file:close(IP).

%% A handle belongs to the process that opened it; the file is closed
%% when that process dies.
owner() ->
    Before = fd_count(),
    Self = self(),
    Pid = spawn(fun() ->
                        {ok, F} = prim_file:open(f("owned"), [write]),
                        Self ! {fd, F},
                        receive stop -> ok end
                end),
    F = receive {fd, Fd} -> Fd end,
    p(open_in_other, fd_count() - Before),
    p(not_owner, catch prim_file:write(F, <<"x">>)),
    Ref = monitor(process, Pid),
    Pid ! stop,
    receive {'DOWN', Ref, process, Pid, _} -> ok end,
    p(closed_at_exit, wait_fd_count(Before, 100)).

fd_count() ->
    {ok, L} = prim_file:list_dir("/proc/self/fd"),
    length(L).

wait_fd_count(N, 0) -> {still_open, fd_count() - N};
wait_fd_count(N, Tries) ->
    case fd_count() of
        N -> closed;
        _ -> receive after 10 -> wait_fd_count(N, Tries - 1) end
    end.

errors() ->
    p(read_dir, prim_file:read_file(?D)),
    p(read_missing, prim_file:read_file(f("missing"))),
    p(read_bad_name, prim_file:read_file(42)),
    p(read_nul_name, prim_file:read_file("a\0b")),
    p(delete_missing, prim_file:delete(f("missing"))),
    p(rename_missing, prim_file:rename(f("missing"), f("other"))),
    p(read_in_file, prim_file:read_file(f("a.txt/x"))),
    p(name2native, prim_file:internal_name2native("a/é")),
    p(native2name, prim_file:internal_native2name(<<"a/", 195, 169>>)),
    p(native2name_bad, prim_file:internal_native2name(<<255>>)),
    p(encoding, file:native_name_encoding()).

%% Removes the work directory and everything in it.
cleanup() ->
    case prim_file:read_link_info(?D) of
        {ok, _} -> rm(?D);
        {error, enoent} -> ok
    end.

rm(Path) ->
    case prim_file:read_link_info(Path) of
        {ok, #file_info{type = directory}} ->
            {ok, Names} = prim_file:list_dir(Path),
            [rm(Path ++ "/" ++ N) || N <- Names],
            ok = prim_file:del_dir(Path);
        {ok, _} ->
            ok = prim_file:delete(Path)
    end.
