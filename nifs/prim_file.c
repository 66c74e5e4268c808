/*
 * prim_file.c — the NIFs behind OTP 25's preloaded prim_file module
 * (prim_file.erl, unmodified), with the results of OTP's
 * erts/emulator/nifs/common/prim_file_nif.c and unix_prim_file.c.
 *
 * Paths arrive as prim_file:internal_name2native/1 makes them: a binary of
 * UTF-8 bytes ending in one NUL (path_arg). Errors are {error, Posix},
 * Posix the lower-case errno name (posix_atom), as OTP's erl_errno_id.
 *
 * A file handle is a resource (emulator/resource.h) owned by the process
 * that opened it: prim_file.erl checks the owner before every call
 * (not_on_controlling_process), and when the owner exits, every file it
 * still has open is closed (prim_file_on_owner_exit, from process_exit),
 * as OTP's monitor on the owner does. The fd is also closed when the
 * last term referring to the handle is garbage. The registry of open
 * handles is one list under one mutex; a handle's own mutex guards its fd,
 * so a close racing with a read from another process sees one or the
 * other.
 *
 * Difference from OTP: the calls block the scheduler that runs them (OTP
 * runs them on dirty IO schedulers). Not done: get_handle,
 * file_desc_to_ref; their stubs raise undef
 * (erlang:nif_error(undef)).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include "arith.h"
#include "atom.h"
#include "bits.h"
#include "nif.h"
#include "prim_file.h"
#include "resource.h"
#include "scheduler.h"
#include "term_build.h"

/* --- errors -------------------------------------------------------------- */

static const struct { int err; const char *name; } errno_names[] = {
    { EACCES, "eacces" }, { EAGAIN, "eagain" }, { EBADF, "ebadf" }, { EBUSY, "ebusy" },
    { EEXIST, "eexist" }, { EFAULT, "efault" }, { EFBIG, "efbig" }, { EINTR, "eintr" },
    { EINVAL, "einval" }, { EIO, "eio" }, { EISDIR, "eisdir" }, { ELOOP, "eloop" },
    { EMFILE, "emfile" }, { EMLINK, "emlink" }, { ENAMETOOLONG, "enametoolong" },
    { ENFILE, "enfile" }, { ENODEV, "enodev" }, { ENOENT, "enoent" }, { ENOMEM, "enomem" },
    { ENOSPC, "enospc" }, { ENOTBLK, "enotblk" }, { ENOTDIR, "enotdir" },
    { ENOTEMPTY, "enotempty" }, { ENOTSUP, "enotsup" }, { ENXIO, "enxio" }, { EPERM, "eperm" },
    { EPIPE, "epipe" }, { EROFS, "erofs" }, { ESPIPE, "espipe" }, { ESRCH, "esrch" },
    { ESTALE, "estale" }, { ETXTBSY, "etxtbsy" }, { EXDEV, "exdev" }, { EDQUOT, "edquot" },
    { EOVERFLOW, "eoverflow" }, { ENOSYS, "enosys" }, { ENOLCK, "enolck" },
};

static Term posix_atom(int err)
{
    for (size_t i = 0; i < sizeof errno_names / sizeof errno_names[0]; i++) {
        if (errno_names[i].err == err) {
            Term a;
            if (atom_put(errno_names[i].name, strlen(errno_names[i].name), &a) != ATOM_OK) abort();
            return a;
        }
    }
    return ATOM_NAMED("unknown");
}

static Term error_tuple(Process *p, int err) { return tuple2(bif_alloc(p, 3), am_error, posix_atom(err)); }
static Term ok_tuple(Process *p, Term v) { return tuple2(bif_alloc(p, 3), am_ok, v); }
static Term ok_or_error(Process *p, int rc) { return rc == 0 ? am_ok : error_tuple(p, errno); }

/* A native path: a binary ending in NUL with no other NUL. Points into the
 * binary (valid while the caller holds the term). */
static const char *path_arg(Term t)
{
    const uint8_t *b;
    size_t n;
    if (!term_is_binary_like(t) || !binary_bytes(t, &b, &n) || n == 0 || b[n - 1] != 0) return NULL;
    if (memchr(b, 0, n - 1)) return NULL;
    return (const char *)b;
}

#define PATH(var, t) const char *var = path_arg(t); if (!var) BIF_ERROR(p, EXC_BADARG)

static Term make_binary(Process *p, const void *bytes, size_t n)
{
    return bits_new_binary(p, bytes, 0, 8 * (UWord)n);
}

static Term make_int64(Process *p, int64_t v) { return arith_make_integer(p, (SWord)v); }

/* --- file handles -------------------------------------------------------- */

typedef struct pf_handle {
    pthread_mutex_t lock;
    int fd;                       /* -1 once closed */
    Term owner;                   /* the opening process's pid */
    struct pf_handle *prev, *next;   /* the registry of open handles */
    bool registered;
} pf_handle;

static struct {
    pthread_mutex_t lock;
    pf_handle *head;
    atomic_size_t count;
} open_files = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void registry_remove(pf_handle *h)   /* registry lock held */
{
    if (!h->registered) return;
    if (h->prev) h->prev->next = h->next;
    else open_files.head = h->next;
    if (h->next) h->next->prev = h->prev;
    h->registered = false;
    atomic_fetch_sub(&open_files.count, 1);
}

static void handle_destroy(void *data)
{
    pf_handle *h = data;
    pthread_mutex_lock(&open_files.lock);
    registry_remove(h);
    pthread_mutex_unlock(&open_files.lock);
    if (h->fd >= 0) close(h->fd);
    h->fd = -1;
    pthread_mutex_destroy(&h->lock);
}

static const ResourceType file_type = { "prim_file", handle_destroy };

void prim_file_on_owner_exit(Process *p)
{
    if (atomic_load(&open_files.count) == 0) return;
    pthread_mutex_lock(&open_files.lock);
    for (pf_handle *h = open_files.head, *next; h; h = next) {
        next = h->next;
        if (h->owner != p->pid) continue;
        registry_remove(h);
        pthread_mutex_lock(&h->lock);
        if (h->fd >= 0) close(h->fd);
        h->fd = -1;
        pthread_mutex_unlock(&h->lock);
    }
    pthread_mutex_unlock(&open_files.lock);
}

/* The handle of args[0], locked and open; NULL with *result set (badarg
 * for a non-handle, {error, einval} for a closed one) otherwise. */
static pf_handle *handle_enter(Process *p, Term t, Term *result)
{
    pf_handle *h = resource_get(t, &file_type);
    if (!h) { *result = raise_error(p, EXC_BADARG, NIL); return NULL; }
    pthread_mutex_lock(&h->lock);
    if (h->fd < 0) {
        pthread_mutex_unlock(&h->lock);
        *result = error_tuple(p, EINVAL);
        return NULL;
    }
    return h;
}

#define ENTER(h, t) Term result_; pf_handle *h = handle_enter(p, (t), &result_); if (!h) return result_
#define LEAVE(h, r) do { Term r_ = (r); pthread_mutex_unlock(&(h)->lock); return r_; } while (0)

static Term file_info(Process *p, const struct stat *st, Term acc);
static Term access_atom(bool r, bool w);

enum { M_READ = 1, M_WRITE = 2, M_APPEND = 4, M_EXCL = 8, M_SYNC = 16, M_SKIP_TYPE = 32, M_DIRECTORY = 64 };

Term nif_prim_file_open(Process *p, Term *args)
{
    PATH(path, args[0]);
    unsigned modes = 0;
    Term l = args[1];
    for (; term_is_list(l); l = list_tail(l)) {
        Term m = list_head(l);
        if (m == ATOM_NAMED("read")) modes |= M_READ;
        else if (m == ATOM_NAMED("write")) modes |= M_WRITE;
        else if (m == ATOM_NAMED("append")) modes |= M_APPEND | M_WRITE;
        else if (m == ATOM_NAMED("exclusive")) modes |= M_EXCL;
        else if (m == ATOM_NAMED("sync")) modes |= M_SYNC;
        else if (m == ATOM_NAMED("skip_type_check")) modes |= M_SKIP_TYPE;
        else if (m == ATOM_NAMED("directory")) modes |= M_DIRECTORY;
    }
    if (!term_is_nil(l)) BIF_ERROR(p, EXC_BADARG);
    if (!(modes & (M_READ | M_WRITE))) modes |= M_READ;
    int flags;
    if ((modes & M_READ) && (modes & M_WRITE)) flags = O_RDWR | O_CREAT;
    else if (modes & M_WRITE) flags = O_WRONLY | O_CREAT | ((modes & (M_APPEND | M_EXCL)) ? 0 : O_TRUNC);
    else flags = O_RDONLY;
    if (modes & M_APPEND) flags |= O_APPEND;
    if (modes & M_EXCL) flags |= O_EXCL;
    if (modes & M_SYNC) flags |= O_SYNC;
    if (modes & M_DIRECTORY) flags |= O_DIRECTORY;
    flags |= O_CLOEXEC;
    int fd = open(path, flags, 0666);
    if (fd < 0) return error_tuple(p, errno);
    if (!(modes & (M_SKIP_TYPE | M_DIRECTORY))) {
        struct stat st;
        if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
            /* As unix_prim_file.c: only regular files (and devices that
             * are not directories) unless the type check is skipped. */
            if (S_ISDIR(st.st_mode)) { close(fd); return error_tuple(p, EISDIR); }
        }
    }
    pf_handle *h = resource_alloc(&file_type, sizeof *h);
    if (!h) { close(fd); return error_tuple(p, ENOMEM); }
    pthread_mutex_init(&h->lock, NULL);
    h->fd = fd;
    h->owner = p->pid;
    pthread_mutex_lock(&open_files.lock);
    h->next = open_files.head;
    if (h->next) h->next->prev = h;
    open_files.head = h;
    h->registered = true;
    atomic_fetch_add(&open_files.count, 1);
    pthread_mutex_unlock(&open_files.lock);
    Term ref = resource_make_term(p, h);
    resource_release(h);
    return ok_tuple(p, ref);
}

static Term do_close(Process *p, Term t)
{
    ENTER(h, t);
    int fd = h->fd;
    h->fd = -1;
    pthread_mutex_lock(&open_files.lock);
    registry_remove(h);
    pthread_mutex_unlock(&open_files.lock);
    int rc = close(fd);
    LEAVE(h, ok_or_error(p, rc));
}

Term nif_prim_file_close(Process *p, Term *args) { return do_close(p, args[0]); }

/* The helper process (prim_file:start/0) closes handles whose owner asked
 * for a delayed close; here the close is immediate. */
Term nif_prim_file_delayed_close(Process *p, Term *args) { return do_close(p, args[0]); }

static bool size_arg(Term t, int64_t *out)
{
    if (!term_is_small(t) || small_value(t) < 0) return false;
    *out = small_value(t);
    return true;
}

static bool offset_arg(Term t, int64_t *out)
{
    if (!term_is_small(t)) return false;
    *out = small_value(t);
    return true;
}

static Term read_result(Process *p, uint8_t *buf, ssize_t got, int64_t want)
{
    if (got < 0) { int e = errno; free(buf); return error_tuple(p, e); }
    if (got == 0 && want > 0) { free(buf); return ATOM_NAMED("eof"); }
    Term bin = make_binary(p, buf, (size_t)got);
    free(buf);
    BUMP_REDS(p, got / 4096);
    return ok_tuple(p, bin);
}

Term nif_prim_file_read(Process *p, Term *args)
{
    int64_t size;
    if (!size_arg(args[1], &size)) BIF_ERROR(p, EXC_BADARG);
    ENTER(h, args[0]);
    uint8_t *buf = malloc(size ? (size_t)size : 1);
    if (!buf) LEAVE(h, error_tuple(p, ENOMEM));
    ssize_t got = 0;
    while (got < size) {
        ssize_t n = read(h->fd, buf + got, (size_t)(size - got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { got = -1; break; }
        if (n == 0) break;
        got += n;
        break;   /* a short read is a result, as read(2) */
    }
    LEAVE(h, read_result(p, buf, got, size));
}

Term nif_prim_file_pread(Process *p, Term *args)
{
    int64_t off, size;
    if (!offset_arg(args[1], &off) || !size_arg(args[2], &size)) BIF_ERROR(p, EXC_BADARG);
    ENTER(h, args[0]);
    if (off < 0) LEAVE(h, error_tuple(p, EINVAL));
    uint8_t *buf = malloc(size ? (size_t)size : 1);
    if (!buf) LEAVE(h, error_tuple(p, ENOMEM));
    ssize_t got;
    do got = pread(h->fd, buf, (size_t)size, off); while (got < 0 && errno == EINTR);
    LEAVE(h, read_result(p, buf, got, size));
}

/* Writes an iovec term (a binary or a list of binaries) fully. */
static int write_iovec(int fd, Term t, int64_t off, bool positional, size_t *total)
{
    const uint8_t *b;
    size_t n;
    *total = 0;
    for (;;) {
        Term bin;
        if (term_is_binary_like(t)) { bin = t; t = NIL; }
        else if (term_is_list(t)) { bin = list_head(t); t = list_tail(t); }
        else return 0;
        if (!binary_bytes(bin, &b, &n)) return EINVAL;
        while (n > 0) {
            ssize_t w = positional ? pwrite(fd, b, n, off + (int64_t)*total) : write(fd, b, n);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) return errno;
            b += w;
            n -= (size_t)w;
            *total += (size_t)w;
        }
    }
}


Term nif_prim_file_write(Process *p, Term *args)
{
    if (!nif_is_iovec(args[1])) BIF_ERROR(p, EXC_BADARG);
    ENTER(h, args[0]);
    size_t total;
    int e = write_iovec(h->fd, args[1], 0, false, &total);
    BUMP_REDS(p, total / 4096);
    LEAVE(h, e ? error_tuple(p, e) : am_ok);
}

Term nif_prim_file_pwrite(Process *p, Term *args)
{
    int64_t off;
    if (!offset_arg(args[1], &off) || !nif_is_iovec(args[2])) BIF_ERROR(p, EXC_BADARG);
    ENTER(h, args[0]);
    if (off < 0) LEAVE(h, error_tuple(p, EINVAL));
    size_t total;
    int e = write_iovec(h->fd, args[2], off, true, &total);
    BUMP_REDS(p, total / 4096);
    LEAVE(h, e ? error_tuple(p, e) : am_ok);
}

Term nif_prim_file_seek(Process *p, Term *args)
{
    int64_t off;
    int whence;
    if (args[1] == ATOM_NAMED("bof")) whence = SEEK_SET;
    else if (args[1] == ATOM_NAMED("cur")) whence = SEEK_CUR;
    else if (args[1] == ATOM_NAMED("eof")) whence = SEEK_END;
    else BIF_ERROR(p, EXC_BADARG);
    if (!offset_arg(args[2], &off)) BIF_ERROR(p, EXC_BADARG);
    ENTER(h, args[0]);
    off_t pos = lseek(h->fd, off, whence);
    LEAVE(h, pos < 0 ? error_tuple(p, errno) : ok_tuple(p, make_int64(p, pos)));
}

Term nif_prim_file_sync(Process *p, Term *args)
{
    if (!term_is_small(args[1])) BIF_ERROR(p, EXC_BADARG);
    bool data_only = small_value(args[1]) != 0;
    ENTER(h, args[0]);
    int rc = data_only ? fdatasync(h->fd) : fsync(h->fd);
    LEAVE(h, ok_or_error(p, rc));
}

Term nif_prim_file_truncate(Process *p, Term *args)
{
    ENTER(h, args[0]);
    off_t pos = lseek(h->fd, 0, SEEK_CUR);
    int rc = pos < 0 ? -1 : ftruncate(h->fd, pos);
    LEAVE(h, ok_or_error(p, rc));
}

/* The file info of an open file; access from the owner's permission bits
 * (there is no path to ask access(2) about), as efile_read_handle_info. */
Term nif_prim_file_read_handle_info(Process *p, Term *args)
{
    ENTER(h, args[0]);
    struct stat st;
    if (fstat(h->fd, &st) < 0) LEAVE(h, error_tuple(p, errno));
    LEAVE(h, file_info(p, &st, access_atom(st.st_mode & S_IRUSR, st.st_mode & S_IWUSR)));
}

Term nif_prim_file_advise(Process *p, Term *args)
{
    int64_t off, len;
    if (!offset_arg(args[1], &off) || !offset_arg(args[2], &len)) BIF_ERROR(p, EXC_BADARG);
    int advice;
    Term a = args[3];
    if (a == ATOM_NAMED("normal")) advice = POSIX_FADV_NORMAL;
    else if (a == ATOM_NAMED("random")) advice = POSIX_FADV_RANDOM;
    else if (a == ATOM_NAMED("sequential")) advice = POSIX_FADV_SEQUENTIAL;
    else if (a == ATOM_NAMED("will_need")) advice = POSIX_FADV_WILLNEED;
    else if (a == ATOM_NAMED("dont_need")) advice = POSIX_FADV_DONTNEED;
    else if (a == ATOM_NAMED("no_reuse")) advice = POSIX_FADV_NOREUSE;
    else advice = -1;
    ENTER(h, args[0]);
    if (advice < 0 || off < 0 || len < 0) LEAVE(h, error_tuple(p, EINVAL));
    int rc = posix_fadvise(h->fd, off, len, advice);   /* returns the error */
    LEAVE(h, rc == 0 ? am_ok : error_tuple(p, rc));
}

Term nif_prim_file_allocate(Process *p, Term *args)
{
    int64_t off, len;
    if (!offset_arg(args[1], &off) || !offset_arg(args[2], &len)) BIF_ERROR(p, EXC_BADARG);
    ENTER(h, args[0]);
    int rc = posix_fallocate(h->fd, off, len);   /* returns the error */
    LEAVE(h, rc == 0 ? am_ok : error_tuple(p, rc));
}

/* ipread_s32bu_p32bu(Fd, Offset, MaxSize): at Offset, a 32-bit big-endian
 * size and a 32-bit big-endian position; reads Size bytes at Position
 * (dets' indirect reads): {ok, {Size, Position, Data}}, with Data eof
 * when nothing is there (or Size is 0); eof when the header is missing or
 * Size > MaxSize; einval for a negative Offset. */
Term nif_prim_file_ipread(Process *p, Term *args)
{
    if (!term_is_small(args[1]) || !term_is_small(args[2])) BIF_ERROR(p, EXC_BADARG);
    int64_t off = small_value(args[1]), max = small_value(args[2]);
    ENTER(h, args[0]);
    if (off < 0) LEAVE(h, error_tuple(p, EINVAL));
    uint8_t hdr[8];
    ssize_t got;
    do got = pread(h->fd, hdr, 8, off); while (got < 0 && errno == EINTR);
    if (got < 0) LEAVE(h, error_tuple(p, errno));
    if (got < 8) LEAVE(h, ATOM_NAMED("eof"));
    uint32_t size = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    uint32_t pos = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 | (uint32_t)hdr[6] << 8 | hdr[7];
    if ((int64_t)size > max) LEAVE(h, ATOM_NAMED("eof"));
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) LEAVE(h, error_tuple(p, ENOMEM));
    got = 0;
    if (size > 0) do got = pread(h->fd, buf, size, pos); while (got < 0 && errno == EINTR);
    if (got < 0) {
        int e = errno;
        free(buf);
        LEAVE(h, error_tuple(p, e));
    }
    Term data = got == 0 ? ATOM_NAMED("eof") : make_binary(p, buf, (size_t)got);
    free(buf);
    Term inner = tuple3(bif_alloc(p, 4), make_small(size), make_small(pos), data);
    LEAVE(h, ok_tuple(p, inner));
}

/* Short (8.3) names exist on Windows only. */
Term nif_prim_file_altname(Process *p, Term *args)
{
    PATH(path, args[0]);
    (void)path;
    return error_tuple(p, ENOTSUP);
}

/* --- whole files and the file system ------------------------------------- */

Term nif_prim_file_read_file(Process *p, Term *args)
{
    PATH(path, args[0]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return error_tuple(p, errno);
    struct stat st;
    if (fstat(fd, &st) < 0) { int e = errno; close(fd); return error_tuple(p, e); }
    if (S_ISDIR(st.st_mode)) { close(fd); return error_tuple(p, EISDIR); }
    size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 4096, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) { close(fd); return error_tuple(p, ENOMEM); }
    for (;;) {
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); close(fd); return error_tuple(p, ENOMEM); }
            buf = nb;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { int e = errno; free(buf); close(fd); return error_tuple(p, e); }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    Term bin = make_binary(p, buf, len);
    free(buf);
    BUMP_REDS(p, len / 4096);
    return ok_tuple(p, bin);
}

static Term access_atom(bool r, bool w)
{
    return r && w ? ATOM_NAMED("read_write") : r ? ATOM_NAMED("read") : w ? ATOM_NAMED("write") : ATOM_NAMED("none");
}

/* {file_info, Size, Type, Access, Atime, Mtime, Ctime, Mode, Links,
 *  MajorDevice, MinorDevice, Inode, Uid, Gid}, times in posix seconds
 * (prim_file.erl converts them). */
static Term file_info(Process *p, const struct stat *st, Term acc)
{
    Term type;
    if (S_ISREG(st->st_mode)) type = ATOM_NAMED("regular");
    else if (S_ISDIR(st->st_mode)) type = ATOM_NAMED("directory");
    else if (S_ISLNK(st->st_mode)) type = ATOM_NAMED("symlink");
    else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) type = ATOM_NAMED("device");
    else type = ATOM_NAMED("other");
    Term e[14] = {
        ATOM_NAMED("file_info"), make_int64(p, st->st_size), type, acc,
        make_int64(p, st->st_atime), make_int64(p, st->st_mtime), make_int64(p, st->st_ctime),
        make_int64(p, st->st_mode), make_int64(p, (int64_t)st->st_nlink),
        arith_make_uinteger(p, st->st_dev), arith_make_uinteger(p, st->st_rdev),
        arith_make_uinteger(p, st->st_ino), make_int64(p, st->st_uid), make_int64(p, st->st_gid),
    };
    return tuple_from(bif_alloc(p, 15), e, 14);
}

Term nif_prim_file_read_info(Process *p, Term *args)
{
    PATH(path, args[0]);
    if (!term_is_small(args[1])) BIF_ERROR(p, EXC_BADARG);
    struct stat st;
    int rc = small_value(args[1]) ? stat(path, &st) : lstat(path, &st);
    if (rc < 0) return error_tuple(p, errno);
    bool r = access(path, R_OK) == 0, w = access(path, W_OK) == 0;
    return file_info(p, &st, access_atom(r, w));
}

Term nif_prim_file_list_dir(Process *p, Term *args)
{
    PATH(path, args[0]);
    DIR *d = opendir(path);
    if (!d) return error_tuple(p, errno);
    Term list = NIL;
    size_t count = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        list = cons(bif_alloc(p, 2), make_binary(p, de->d_name, strlen(de->d_name)), list);
        count++;
    }
    int e = errno;
    closedir(d);
    BUMP_REDS(p, count / ELEMENTS_PER_REDUCTION);
    if (e) return error_tuple(p, e);
    return ok_tuple(p, list);
}

Term nif_prim_file_get_cwd(Process *p, Term *args)
{
    (void)args;
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof buf)) return error_tuple(p, errno);
    return ok_tuple(p, make_binary(p, buf, strlen(buf)));
}

Term nif_prim_file_get_device_cwd(Process *p, Term *args)
{
    (void)args;
    return error_tuple(p, ENOTSUP);
}

Term nif_prim_file_set_cwd(Process *p, Term *args)
{
    PATH(path, args[0]);
    return ok_or_error(p, chdir(path));
}

Term nif_prim_file_make_dir(Process *p, Term *args)
{
    PATH(path, args[0]);
    return ok_or_error(p, mkdir(path, 0777));
}

Term nif_prim_file_del_file(Process *p, Term *args)
{
    PATH(path, args[0]);
    if (unlink(path) == 0) return am_ok;
    /* Linux says EISDIR; OTP reports eperm as POSIX does. */
    return error_tuple(p, errno == EISDIR ? EPERM : errno);
}

Term nif_prim_file_del_dir(Process *p, Term *args)
{
    PATH(path, args[0]);
    if (rmdir(path) == 0) return am_ok;
    int e = errno;
    if (e == ENOTEMPTY) e = EEXIST;
    if (e == EEXIST) {
        /* Deleting the current directory: einval, as unix_prim_file.c. */
        struct stat a, b;
        if (stat(path, &a) == 0 && stat(".", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) e = EINVAL;
    }
    return error_tuple(p, e);
}

Term nif_prim_file_rename(Process *p, Term *args)
{
    PATH(from, args[0]);
    PATH(to, args[1]);
    return ok_or_error(p, rename(from, to));
}

Term nif_prim_file_read_link(Process *p, Term *args)
{
    PATH(path, args[0]);
    char buf[PATH_MAX];
    ssize_t n = readlink(path, buf, sizeof buf);
    if (n < 0) return error_tuple(p, errno);
    return ok_tuple(p, make_binary(p, buf, (size_t)n));
}

Term nif_prim_file_make_hard_link(Process *p, Term *args)
{
    PATH(existing, args[0]);
    PATH(new_name, args[1]);
    return ok_or_error(p, link(existing, new_name));
}

Term nif_prim_file_make_soft_link(Process *p, Term *args)
{
    PATH(existing, args[0]);
    PATH(new_name, args[1]);
    return ok_or_error(p, symlink(existing, new_name));
}

Term nif_prim_file_set_permissions(Process *p, Term *args)
{
    PATH(path, args[0]);
    if (!term_is_small(args[1])) BIF_ERROR(p, EXC_BADARG);
    return ok_or_error(p, chmod(path, (mode_t)small_value(args[1])));
}

Term nif_prim_file_set_owner(Process *p, Term *args)
{
    PATH(path, args[0]);
    if (!term_is_small(args[1]) || !term_is_small(args[2])) BIF_ERROR(p, EXC_BADARG);
    return ok_or_error(p, chown(path, (uid_t)small_value(args[1]), (gid_t)small_value(args[2])));
}

Term nif_prim_file_set_time(Process *p, Term *args)
{
    PATH(path, args[0]);
    if (!term_is_small(args[1]) || !term_is_small(args[2]) || !term_is_small(args[3])) BIF_ERROR(p, EXC_BADARG);
    /* atime, mtime (ctime cannot be set), in posix seconds */
    struct timeval tv[2] = { { .tv_sec = small_value(args[1]) }, { .tv_sec = small_value(args[2]) } };
    return ok_or_error(p, utimes(path, tv));
}
