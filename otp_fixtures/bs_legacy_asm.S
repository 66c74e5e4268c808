%% Hand-written BEAM assembly (erlc bs_legacy_asm.S) for the construction
%% instructions erlc 25 no longer emits: bs_init2, bs_init_bits, bs_add,
%% bs_put_integer/float/binary/string/utf8/utf16/utf32, bs_utf8_size,
%% bs_utf16_size, bs_append, bs_private_append. Driven by bs_legacy.erl.
{module, bs_legacy_asm}.

{exports, [{add,2},{add_checked,2},{append,2},{append_bits,2},{bin,1},{floats,1},{init_bits,2},
           {init_size,1},{ints,1},{module_info,0},{module_info,1},{priv,1},{utf,1}]}.

{attributes, []}.

{labels, 60}.

%% ints(V) -> <<V:16, V:16/little, V:24/signed-little>> (7 bytes)
{function, ints, 1, 2}.
  {label,1}.
    {line,[{location,"bs_legacy_asm.S",1}]}.
    {func_info,{atom,bs_legacy_asm},{atom,ints},1}.
  {label,2}.
    {line,[{location,"bs_legacy_asm.S",2}]}.
    {bs_init2,{f,0},7,0,1,{field_flags,[]},{x,1}}.
    {bs_put_integer,{f,0},{integer,16},1,{field_flags,[]},{x,0}}.
    {bs_put_integer,{f,0},{integer,16},1,{field_flags,[little]},{x,0}}.
    {bs_put_integer,{f,0},{integer,3},8,{field_flags,[little,signed]},{x,0}}.
    {move,{x,1},{x,0}}.
    return.

%% floats(F) -> <<F:64/float, F:32/float-little, F:16/float>>, or bad
{function, floats, 1, 4}.
  {label,3}.
    {line,[{location,"bs_legacy_asm.S",3}]}.
    {func_info,{atom,bs_legacy_asm},{atom,floats},1}.
  {label,4}.
    {bs_init2,{f,0},14,0,1,{field_flags,[]},{x,1}}.
    {bs_put_float,{f,5},{integer,64},1,{field_flags,[]},{x,0}}.
    {bs_put_float,{f,5},{integer,32},1,{field_flags,[little]},{x,0}}.
    {bs_put_float,{f,5},{integer,16},1,{field_flags,[]},{x,0}}.
    {move,{x,1},{x,0}}.
    return.
  {label,5}.
    {move,{atom,bad},{x,0}}.
    return.

%% bin(B) -> <<B/binary, "xyz">> with the size from byte_size + bs_add
{function, bin, 1, 7}.
  {label,6}.
    {line,[{location,"bs_legacy_asm.S",6}]}.
    {func_info,{atom,bs_legacy_asm},{atom,bin},1}.
  {label,7}.
    {line,[{location,"bs_legacy_asm.S",7}]}.
    {gc_bif,byte_size,{f,0},1,[{x,0}],{x,1}}.
    {bs_add,{f,0},[{x,1},{integer,3},1],{x,2}}.
    {bs_init2,{f,0},{x,2},0,3,{field_flags,[]},{x,2}}.
    {bs_put_binary,{f,0},{x,1},8,{field_flags,[]},{x,0}}.
    {bs_put_string,3,{string,"xyz"}}.
    {move,{x,2},{x,0}}.
    return.

%% utf(C) -> {<<C/utf8, C/utf16-little, C/utf32>>, Utf8Size, Utf16Size} or {bad, C}
{function, utf, 1, 9}.
  {label,8}.
    {line,[{location,"bs_legacy_asm.S",8}]}.
    {func_info,{atom,bs_legacy_asm},{atom,utf},1}.
  {label,9}.
    {bs_utf8_size,{f,0},{x,0},{x,1}}.
    {bs_utf16_size,{f,0},{x,0},{x,2}}.
    {bs_add,{f,0},[{x,1},{x,2},1],{x,3}}.
    {bs_add,{f,0},[{x,3},{integer,4},1],{x,3}}.
    {bs_init2,{f,0},{x,3},0,3,{field_flags,[]},{x,3}}.
    {bs_put_utf8,{f,10},{field_flags,[]},{x,0}}.
    {bs_put_utf16,{f,10},{field_flags,[little]},{x,0}}.
    {bs_put_utf32,{f,10},{field_flags,[]},{x,0}}.
    {test_heap,4,4}.
    {put_tuple2,{x,0},{list,[{x,3},{x,1},{x,2}]}}.
    return.
  {label,10}.
    {test_heap,3,1}.
    {put_tuple2,{x,0},{list,[{atom,bad},{x,0}]}}.
    return.

%% init_bits(V, Bits) -> <<V:Bits>> via bs_init_bits (raises on a bad size)
{function, init_bits, 2, 12}.
  {label,11}.
    {line,[{location,"bs_legacy_asm.S",11}]}.
    {func_info,{atom,bs_legacy_asm},{atom,init_bits},2}.
  {label,12}.
    {line,[{location,"bs_legacy_asm.S",12}]}.
    {bs_init_bits,{f,0},{x,1},0,2,{field_flags,[]},{x,2}}.
    {bs_put_integer,{f,0},{x,1},1,{field_flags,[]},{x,0}}.
    {move,{x,2},{x,0}}.
    return.

%% init_size(N) -> a binary of N zero bytes via bs_init2 (raises on a bad size)
{function, init_size, 1, 14}.
  {label,13}.
    {line,[{location,"bs_legacy_asm.S",13}]}.
    {func_info,{atom,bs_legacy_asm},{atom,init_size},1}.
  {label,14}.
    {line,[{location,"bs_legacy_asm.S",14}]}.
    {bs_init2,{f,0},{x,0},0,1,{field_flags,[]},{x,1}}.
    {bs_put_integer,{f,0},{x,0},8,{field_flags,[]},{integer,0}}.
    {move,{x,1},{x,0}}.
    return.

%% add(A, B) -> A + B * 8 via bs_add, raising
{function, add, 2, 16}.
  {label,15}.
    {line,[{location,"bs_legacy_asm.S",15}]}.
    {func_info,{atom,bs_legacy_asm},{atom,add},2}.
  {label,16}.
    {line,[{location,"bs_legacy_asm.S",16}]}.
    {bs_add,{f,0},[{x,0},{x,1},8],{x,0}}.
    return.

%% add_checked(A, B) -> A + B via bs_add with a fail label, or error
{function, add_checked, 2, 18}.
  {label,17}.
    {line,[{location,"bs_legacy_asm.S",17}]}.
    {func_info,{atom,bs_legacy_asm},{atom,add_checked},2}.
  {label,18}.
    {bs_add,{f,19},[{x,0},{x,1},1],{x,0}}.
    return.
  {label,19}.
    {move,{atom,error},{x,0}}.
    return.

%% append(Acc, Byte) -> <<Acc/binary, Byte>> via bs_append (unit 8)
{function, append, 2, 21}.
  {label,20}.
    {line,[{location,"bs_legacy_asm.S",20}]}.
    {func_info,{atom,bs_legacy_asm},{atom,append},2}.
  {label,21}.
    {line,[{location,"bs_legacy_asm.S",21}]}.
    {bs_append,{f,0},{integer,8},0,2,8,{x,0},{field_flags,[]},{x,0}}.
    {bs_put_integer,{f,0},{integer,8},1,{field_flags,[]},{x,1}}.
    return.

%% append_bits(Acc, V) -> <<Acc/bits, V:3>> via bs_append (unit 1)
{function, append_bits, 2, 23}.
  {label,22}.
    {line,[{location,"bs_legacy_asm.S",22}]}.
    {func_info,{atom,bs_legacy_asm},{atom,append_bits},2}.
  {label,23}.
    {line,[{location,"bs_legacy_asm.S",23}]}.
    {bs_append,{f,0},{integer,3},0,2,1,{x,0},{field_flags,[]},{x,0}}.
    {bs_put_integer,{f,0},{integer,3},1,{field_flags,[]},{x,1}}.
    return.

%% priv(List) -> << <<X:16>> || X <- List >> via bs_init_writable + bs_private_append
{function, priv, 1, 25}.
  {label,24}.
    {line,[{location,"bs_legacy_asm.S",24}]}.
    {func_info,{atom,bs_legacy_asm},{atom,priv},1}.
  {label,25}.
    {allocate,1,1}.
    {move,{x,0},{y,0}}.
    {move,{integer,4},{x,0}}.
    bs_init_writable.
    {move,{y,0},{x,1}}.
    {call_last,2,{f,27},1}.

{function, priv_loop, 2, 27}.
  {label,26}.
    {line,[{location,"bs_legacy_asm.S",26}]}.
    {func_info,{atom,bs_legacy_asm},{atom,priv_loop},2}.
  {label,27}.
    {test,is_nonempty_list,{f,28},[{x,1}]}.
    {get_list,{x,1},{x,2},{x,1}}.
    {line,[{location,"bs_legacy_asm.S",27}]}.
    {bs_private_append,{f,0},{integer,16},1,{x,0},{field_flags,[]},{x,0}}.
    {bs_put_integer,{f,0},{integer,16},1,{field_flags,[]},{x,2}}.
    {call_only,2,{f,27}}.
  {label,28}.
    return.

{function, module_info, 0, 30}.
  {label,29}.
    {line,[]}.
    {func_info,{atom,bs_legacy_asm},{atom,module_info},0}.
  {label,30}.
    {move,{atom,bs_legacy_asm},{x,0}}.
    {call_ext_only,1,{extfunc,erlang,get_module_info,1}}.

{function, module_info, 1, 32}.
  {label,31}.
    {line,[]}.
    {func_info,{atom,bs_legacy_asm},{atom,module_info},1}.
  {label,32}.
    {move,{x,0},{x,1}}.
    {move,{atom,bs_legacy_asm},{x,0}}.
    {call_ext_only,2,{extfunc,erlang,get_module_info,2}}.
