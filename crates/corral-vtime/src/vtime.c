/*
 * corral's virtual clock, preloaded (LD_PRELOAD) into sandboxed programs that run
 * with virtual time. It is not a security boundary: the program can bypass it; it
 * only makes honest programs fast and deterministic.
 *
 * - Clocks read a virtual "now" (nanoseconds since the start of the run): realtime
 *   starts at VT_EPOCH_S (2015-05-15T00:00:00Z, the day Rust 1.0 shipped), monotonic
 *   and boottime at VT_MONO_S. CPU-time clocks stay real.
 * - Timed waits (nanosleep, clock_nanosleep, futex waits with a timeout, poll, ppoll,
 *   select, epoll_wait, epoll_pwait) register a virtual deadline and block. The
 *   clock moves only when every thread of the process is blocked: then the sleeper
 *   with the earliest deadline is woken and "now" jumps to its deadline. One sleeper
 *   is woken at a time (none while a woken one has not left the library); ties go to
 *   the older thread (lower tid), so they resolve the same way each run. Deadlines
 *   past NOW_MAX never come (such a wait is a wait forever).
 * - "Every thread is blocked" is read from the kernel: three passes over
 *   /proc/self/task (CPU times, states, CPU times again) must find every other thread
 *   in state S (or dead) with unchanged CPU times, so none ran or could run in
 *   between, and no thread may be inside this library outside its blocking call
 *   (`busy`, which also covers a read of stdin: its bytes are all there at time 0).
 *   Registered sleepers wake now and then to re-check: that they ran is no event
 *   (nor, in nanosleep, that they run: they return only once fired). One thread
 *   scans at a time, less and less often while the scans fail.
 * - Writes to fd 1 and 2 are framed: a 20-byte header (magic "\0\0VT", virtual time
 *   u64 LE, global sequence u32 LE, length u32 LE) then the bytes. corral decodes
 *   the frames into the result's `events` (crates/corral-vtime/src/lib.rs). Only the
 *   program frames: its child processes (each with its own clock) write plain bytes,
 *   which follow the program's last frame.
 * - getrandom, getentropy, syscall(SYS_getrandom) and reads of /dev/urandom and
 *   /dev/random return a stream seeded by CORRAL_SEED; the visible CPU count is
 *   VT_CPUS.
 *
 * Raw syscalls (rsys) are used inside so that nothing here re-enters an interposed
 * symbol. x86_64 only, like the seccomp policy.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#if !defined(__x86_64__)
#error "corral's virtual clock supports x86_64 only"
#endif

#define EXPORT __attribute__((visibility("default")))
#define VT_EPOCH_S 1431648000ULL /* 2015-05-15T00:00:00Z */
#define VT_MONO_S 1ULL
/* One: the run step has one core's worth of CPU, and tokio's multi-thread runtime then
 * runs one worker, whose tasks run in a repeatable order. */
#define VT_CPUS 1
#define NS 1000000000ULL
#define MAX_SLEEPERS 1024
#define SLICE_MIN_NS 200000ULL   /* first real re-check of a waiting sleeper */
#define SLICE_MAX_NS 20000000ULL /* ... doubling up to this */
#define KICK_SIGNAL (SIGRTMAX - 3)
#define MARK_SIGNAL (SIGRTMAX - 4)
/* The clock stops here (~126 years in): waits past it never end, and the realtime
 * reading (epoch + now) still fits in a time_t. */
#define NOW_MAX 4000000000000000000ULL

/* ---- raw syscalls ------------------------------------------------------ */

static long rsys(long n, long a, long b, long c, long d, long e, long f) {
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#define R0(n) rsys(n, 0, 0, 0, 0, 0, 0)
#define R3(n, a, b, c) rsys(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define R4(n, a, b, c, d) rsys(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define R6(n, a, b, c, d, e, f) \
    rsys(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* libc convention: -1 and errno for a failed raw call. */
static long ret_errno(long r) {
    if (r < 0 && r > -4096) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

static int gettid_raw(void) { return (int)R0(SYS_gettid); }

static uint64_t next_slice(uint64_t slice) {
    return slice * 2 > SLICE_MAX_NS ? SLICE_MAX_NS : slice * 2;
}

static struct timespec to_ts(uint64_t ns) {
    struct timespec ts = {(time_t)(ns / NS), (long)(ns % NS)};
    return ts;
}

static uint64_t from_ts(const struct timespec *ts) {
    if (ts->tv_sec < 0) return 0;
    if ((uint64_t)ts->tv_sec >= NOW_MAX / NS) return NOW_MAX;
    return (uint64_t)ts->tv_sec * NS + (uint64_t)ts->tv_nsec;
}

/* ---- a futex mutex that never enters interposed code -------------------- */

static _Atomic int sched_lock; /* guards sleepers, next_seq, waiting, gate_slice */
static _Atomic int out_lock;   /* keeps frames whole and in sequence order */

static void lock(_Atomic int *l) {
    int c = 0;
    if (atomic_compare_exchange_strong(l, &c, 1)) return;
    if (c != 2) c = atomic_exchange(l, 2);
    while (c != 0) {
        R4(SYS_futex, l, FUTEX_WAIT_PRIVATE, 2, 0);
        c = atomic_exchange(l, 2);
    }
}

static int trylock(_Atomic int *l) {
    int c = 0;
    return atomic_compare_exchange_strong(l, &c, 1);
}

static void unlock(_Atomic int *l) {
    if (atomic_exchange(l, 0) == 2) R3(SYS_futex, l, FUTEX_WAKE_PRIVATE, 1);
}

/* ---- state --------------------------------------------------------------- */

enum kind { K_WORD, K_FUTEX, K_SIGNAL };

struct sleeper {
    int used;
    int tid;
    enum kind kind;
    uint64_t deadline;
    uint64_t seq;
    _Atomic int fired; /* set (under sched_lock) when the clock reached deadline */
    _Atomic int word;  /* K_WORD: the futex the sleeper waits on */
};

static _Atomic uint64_t now_ns;
static struct sleeper sleepers[MAX_SLEEPERS];
static uint64_t next_seq;
static _Atomic int busy; /* threads inside this library, outside their blocking call */
static _Atomic uint32_t write_seq;
static uint64_t seed;
static _Atomic uint64_t random_counter;
static struct stat stdio_stat[3];
static int framing; /* this process is the program, not one of its children */
static _Atomic unsigned char random_fds[4096];
static _Atomic uint64_t gate; /* real ns before which re-checks do not scan */
static uint64_t gate_slice = SLICE_MIN_NS;

static void busy_enter(void) { atomic_fetch_add(&busy, 1); }
static void busy_exit(void) { atomic_fetch_sub(&busy, 1); }

static uint64_t splitmix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t real_now(void) {
    struct timespec ts;
    R3(SYS_clock_gettime, CLOCK_MONOTONIC, &ts, 0);
    return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* ---- is every other thread blocked? ------------------------------------- */

/* The registered sleepers not yet woken, sorted by tid (rebuilt under sched_lock). */
static struct sleeper *waiting[MAX_SLEEPERS];
static int n_waiting;

static struct sleeper *waiting_tid(int tid) {
    int lo = 0, hi = n_waiting;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (waiting[mid]->tid < tid) lo = mid + 1;
        else hi = mid;
    }
    return lo < n_waiting && waiting[lo]->tid == tid ? waiting[lo] : NULL;
}

/* A sleeper in nanosleep seen running is only re-checking: it returns to the program
 * only once fired. (Futex and poll waits may have been woken by the program.) */
static int rechecking(const struct sleeper *s) { return s->kind == K_WORD; }

/* A thread's state letter from /proc/self/task/<tid>/stat, 0 if it is gone. */
static char thread_state(long dir, const char *name) {
    char path[32], buf[128];
    size_t n = strnlen(name, 16);
    memcpy(path, name, n);
    memcpy(path + n, "/stat", 6);
    long fd = R4(SYS_openat, dir, path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return 0;
    long len = R3(SYS_read, fd, buf, sizeof buf - 1);
    R3(SYS_close, fd, 0, 0);
    if (len <= 0) return 0;
    buf[len] = 0;
    char *p = strrchr(buf, ')'); /* after the name, which may hold anything */
    return p && p[1] == ' ' ? p[2] : '?';
}

/* A thread's CPU time (its clock MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED)). */
static uint64_t thread_cpu(int tid) {
    struct timespec ts;
    if (R3(SYS_clock_gettime, (clockid_t)((~(unsigned)tid << 3) | 6), &ts, 0) != 0) return 0;
    return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* One pass over the other threads: with `states`, clears *ok if one may run; else
 * returns a digest of their tids and CPU times (not a waiting sleeper's: re-checks). */
static uint64_t scan(int self, int states, int *ok) {
    char buf[2048];
    uint64_t digest = 0;
    long dir = R4(SYS_openat, AT_FDCWD, "/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dir < 0) return 0; /* no /proc (not in corral's jail): as if single-threaded */
    long len;
    while (*ok && (len = R3(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
        for (long off = 0; off < len && *ok;) {
            const char *name = buf + off + 19;
            off += *(unsigned short *)(buf + off + 16);
            if (name[0] < '0' || name[0] > '9') continue;
            int tid = atoi(name);
            if (tid == self) continue;
            struct sleeper *s = waiting_tid(tid);
            if (!states) {
                digest += splitmix((uint64_t)tid << 40 ^ (s ? 0 : thread_cpu(tid)));
                continue;
            }
            char st = thread_state(dir, name);
            if (st && st != 'S' && st != 'Z' && st != 'X' && !(st == 'R' && s && rechecking(s)))
                *ok = 0;
        }
    }
    R3(SYS_close, dir, 0, 0);
    return digest;
}

/* `self_busy`: whether the caller itself counts in `busy`. */
static int others_blocked(int self, int self_busy) {
    if (atomic_load(&busy) > self_busy) return 0;
    int ok = 1;
    uint64_t before = scan(self, 0, &ok);
    scan(self, 1, &ok);
    if (!ok || scan(self, 0, &ok) != before) return 0;
    /* A thread that entered this library during the scans is not blocked. */
    return atomic_load(&busy) <= self_busy;
}

/* ---- the scheduler ------------------------------------------------------- */

static void kick(struct sleeper *s, int self) {
    if (s->kind == K_WORD) {
        atomic_store(&s->word, 1);
        R3(SYS_futex, &s->word, FUTEX_WAKE_PRIVATE, 1);
    } else if (s->tid != self) {
        /* A signal, not a futex wake: that would wake the program's other waiters. */
        R3(SYS_tgkill, R0(SYS_getpid), s->tid, KICK_SIGNAL);
    }
}

/* With sched_lock held: if every other thread is blocked, and the caller would
 * block too (`would_block`, checked last: an event may have reached the caller while
 * the others went to sleep), wake the earliest sleeper and move the clock to its
 * deadline. Returns whether it did. */
static int advance_locked(int self, int self_busy, int (*would_block)(void *), void *ctx) {
    struct sleeper *best = NULL;
    n_waiting = 0;
    for (int i = 0; i < MAX_SLEEPERS; i++) {
        struct sleeper *s = &sleepers[i];
        if (!s->used) continue;
        /* One at a time: a woken sleeper has not yet returned to the program (if its
         * kick was lost, it sees `fired` at its next re-check). */
        if (atomic_load(&s->fired)) return 0;
        int j = n_waiting++;
        for (; j > 0 && waiting[j - 1]->tid > s->tid; j--) waiting[j] = waiting[j - 1];
        waiting[j] = s;
        /* Ties go to the older thread (lower tid: created earlier), then to the
         * earlier registration: both repeat from run to run. */
        if (s->deadline < NOW_MAX &&
            (!best || s->deadline < best->deadline ||
             (s->deadline == best->deadline &&
              (s->tid < best->tid || (s->tid == best->tid && s->seq < best->seq)))))
            best = s;
    }
    if (!best || !others_blocked(self, self_busy)) return 0;
    if (would_block && !would_block(ctx)) return 0;
    if (best->deadline > atomic_load(&now_ns)) atomic_store(&now_ns, best->deadline);
    atomic_store(&best->fired, 1);
    kick(best, self);
    return 1;
}

/* With sched_lock held. NULL when the table is full (the caller then waits in real
 * time). The caller then tries to advance at once: it may be the last to block. */
static struct sleeper *enlist(enum kind kind, uint64_t deadline) {
    for (int i = 0; i < MAX_SLEEPERS; i++) {
        struct sleeper *s = &sleepers[i];
        if (s->used) continue;
        s->used = 1;
        s->tid = gettid_raw();
        s->kind = kind;
        s->deadline = deadline;
        s->seq = next_seq++;
        atomic_store(&s->fired, 0);
        atomic_store(&s->word, 0);
        gate_slice = SLICE_MIN_NS; /* something happened: re-checks may scan soon */
        atomic_store(&gate, 0);
        return s;
    }
    return NULL;
}

/* A sleeper's re-check after a real slice of waiting: scans unless another thread
 * scans or scanned lately (the interval doubles while the scans fail). */
static void recheck(int self, int (*would_block)(void *), void *ctx) {
    if (real_now() < atomic_load(&gate) || !trylock(&sched_lock)) return;
    if (advance_locked(self, 0, would_block, ctx)) {
        gate_slice = SLICE_MIN_NS;
    } else {
        atomic_store(&gate, real_now() + gate_slice);
        gate_slice = next_slice(gate_slice);
    }
    unlock(&sched_lock);
}

static void retire(struct sleeper *s) {
    busy_enter();
    lock(&sched_lock);
    s->used = 0;
    unlock(&sched_lock);
    busy_exit();
}

/* now + a relative timeout, saturating at NOW_MAX. */
static uint64_t after(uint64_t rel) {
    uint64_t now = atomic_load(&now_ns);
    return rel >= NOW_MAX - now ? NOW_MAX : now + rel;
}

/* Waits (virtually) until `deadline`. */
static void sleep_until(uint64_t deadline) {
    busy_enter();
    lock(&sched_lock);
    uint64_t now = atomic_load(&now_ns);
    struct sleeper *s = deadline > now ? enlist(K_WORD, deadline) : NULL;
    if (s) advance_locked(s->tid, 1, NULL, NULL);
    unlock(&sched_lock);
    busy_exit();
    if (!s) {
        struct timespec ts = to_ts(deadline - now); /* the table is full: real time */
        while (deadline > now && R3(SYS_nanosleep, &ts, &ts, 0) == -EINTR) {
        }
        return;
    }
    uint64_t slice = SLICE_MIN_NS;
    while (!atomic_load(&s->fired)) {
        struct timespec ts = to_ts(slice);
        if (R4(SYS_futex, &s->word, FUTEX_WAIT_PRIVATE, 0, &ts) == -ETIMEDOUT) {
            recheck(s->tid, NULL, NULL);
            slice = next_slice(slice);
        }
    }
    retire(s);
}

/* ---- clocks ---------------------------------------------------------------- */

static int is_monotonic(clockid_t c) {
    return c == CLOCK_MONOTONIC || c == CLOCK_MONOTONIC_RAW || c == CLOCK_MONOTONIC_COARSE ||
           c == CLOCK_BOOTTIME || c == CLOCK_BOOTTIME_ALARM;
}

static int is_realtime(clockid_t c) {
    return c == CLOCK_REALTIME || c == CLOCK_REALTIME_COARSE || c == CLOCK_TAI ||
           c == CLOCK_REALTIME_ALARM;
}

/* The virtual reading of a clock, or 0 for clocks that stay real. */
static uint64_t virtual_base(clockid_t c) {
    if (is_monotonic(c)) return VT_MONO_S * NS;
    if (is_realtime(c)) return VT_EPOCH_S * NS;
    return 0;
}

EXPORT int clock_gettime(clockid_t c, struct timespec *ts) {
    uint64_t base = virtual_base(c);
    if (!base) return (int)ret_errno(R3(SYS_clock_gettime, c, ts, 0));
    if (!ts) {
        errno = EFAULT;
        return -1;
    }
    *ts = to_ts(base + atomic_load(&now_ns));
    return 0;
}
EXPORT int __clock_gettime(clockid_t c, struct timespec *ts) { return clock_gettime(c, ts); }

EXPORT int gettimeofday(struct timeval *tv, void *tz) {
    (void)tz;
    if (tv) {
        uint64_t t = VT_EPOCH_S * NS + atomic_load(&now_ns);
        tv->tv_sec = (time_t)(t / NS);
        tv->tv_usec = (suseconds_t)(t % NS / 1000);
    }
    return 0;
}

EXPORT time_t time(time_t *out) {
    time_t t = (time_t)((VT_EPOCH_S * NS + atomic_load(&now_ns)) / NS);
    if (out) *out = t;
    return t;
}

EXPORT int timespec_get(struct timespec *ts, int base) {
    if (base != TIME_UTC) return 0;
    *ts = to_ts(VT_EPOCH_S * NS + atomic_load(&now_ns));
    return base;
}

/* ---- sleeps ---------------------------------------------------------------- */

EXPORT int clock_nanosleep(clockid_t c, int flags, const struct timespec *req,
                           struct timespec *rem) {
    uint64_t base = virtual_base(c);
    if (!base || !req) return (int)-R4(SYS_clock_nanosleep, c, flags, req, rem);
    if (req->tv_nsec < 0 || req->tv_nsec >= (long)NS || req->tv_sec < 0) return EINVAL;
    uint64_t deadline = flags & TIMER_ABSTIME
                            ? (from_ts(req) > base ? from_ts(req) - base : 0)
                            : after(from_ts(req));
    sleep_until(deadline);
    if (rem) rem->tv_sec = 0, rem->tv_nsec = 0;
    return 0;
}

EXPORT int nanosleep(const struct timespec *req, struct timespec *rem) {
    int r = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
    if (r) {
        errno = r;
        return -1;
    }
    return 0;
}

EXPORT int usleep(useconds_t us) {
    sleep_until(after((uint64_t)us * 1000));
    return 0;
}

EXPORT unsigned int sleep(unsigned int s) {
    sleep_until(after((uint64_t)s * NS));
    return 0;
}

/* ---- futex waits with a timeout ------------------------------------------- */

struct futex_wait {
    _Atomic int *uaddr;
    int val;
};

static int futex_would_block(void *ctx) {
    struct futex_wait *f = ctx;
    return atomic_load(f->uaddr) == f->val;
}

static long timed_futex_wait(int *uaddr, int op, int val, const struct timespec *timeout) {
    int cmd = op & FUTEX_CMD_MASK;
    int private_flag = op & FUTEX_PRIVATE_FLAG;
    if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= (long)NS)
        return -EINVAL;
    uint64_t deadline;
    if (cmd == FUTEX_WAIT) {
        deadline = after(from_ts(timeout));
    } else {
        uint64_t base = op & FUTEX_CLOCK_REALTIME ? VT_EPOCH_S * NS : VT_MONO_S * NS;
        deadline = from_ts(timeout) > base ? from_ts(timeout) - base : 0;
    }
    /* A wait that times out takes at least 1 ns, as a real one would: callers that
     * wait again until their time is up (Condvar::wait_timeout_while, at exactly its
     * deadline, waits for 0 s) would otherwise never see it pass. */
    if (deadline <= atomic_load(&now_ns)) deadline = after(1);
    if (atomic_load((_Atomic int *)uaddr) != val) return -EAGAIN;
    struct futex_wait fw = {(_Atomic int *)uaddr, val};
    busy_enter();
    lock(&sched_lock);
    struct sleeper *s = enlist(K_FUTEX, deadline);
    if (s) advance_locked(s->tid, 1, futex_would_block, &fw);
    unlock(&sched_lock);
    busy_exit();
    if (!s) { /* full: real time */
        struct timespec ts = to_ts(deadline - atomic_load(&now_ns));
        return R4(SYS_futex, uaddr, FUTEX_WAIT | private_flag, val, &ts);
    }
    uint64_t slice = SLICE_MIN_NS;
    long r;
    for (;;) {
        if (atomic_load(&s->fired)) {
            r = -ETIMEDOUT;
            break;
        }
        struct timespec ts = to_ts(slice);
        r = R4(SYS_futex, uaddr, FUTEX_WAIT | private_flag, val, &ts);
        if (atomic_load(&s->fired)) {
            r = -ETIMEDOUT;
            break;
        }
        if (r != -ETIMEDOUT) break; /* woken, value changed, a signal, or an error */
        recheck(s->tid, futex_would_block, &fw);
        slice = next_slice(slice);
    }
    retire(s);
    return r;
}

/* ---- randomness ------------------------------------------------------------ */

static void fill_random(void *buf, size_t len) {
    unsigned char *p = buf;
    while (len) {
        uint64_t v = splitmix(seed ^ splitmix(atomic_fetch_add(&random_counter, 1)));
        size_t n = len < 8 ? len : 8;
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
}

EXPORT ssize_t getrandom(void *buf, size_t len, unsigned int flags) {
    (void)flags;
    fill_random(buf, len);
    return (ssize_t)len;
}

EXPORT int getentropy(void *buf, size_t len) {
    if (len > 256) {
        errno = EIO;
        return -1;
    }
    fill_random(buf, len);
    return 0;
}

static int is_random_device(const char *path) {
    return path && (!strcmp(path, "/dev/urandom") || !strcmp(path, "/dev/random"));
}

static int track_open(const char *path, long fd) {
    if (fd >= 0 && fd < 4096) atomic_store(&random_fds[fd], is_random_device(path));
    return (int)ret_errno(fd);
}

/* The optional mode argument of open and openat (only there with these flags). */
#define MODE_ARG(flags)                                  \
    mode_t mode = 0;                                     \
    if ((flags) & (O_CREAT | __O_TMPFILE)) {             \
        va_list ap;                                      \
        va_start(ap, flags);                             \
        mode = va_arg(ap, mode_t);                       \
        va_end(ap);                                      \
    }

EXPORT int openat(int dir, const char *path, int flags, ...) {
    MODE_ARG(flags)
    return track_open(path, R4(SYS_openat, dir, path, flags, mode));
}
EXPORT int openat64(int dir, const char *path, int flags, ...)
    __attribute__((alias("openat")));

EXPORT int open(const char *path, int flags, ...) {
    MODE_ARG(flags)
    return track_open(path, R4(SYS_openat, AT_FDCWD, path, flags, mode));
}
EXPORT int open64(const char *path, int flags, ...) __attribute__((alias("open")));

static void mark_random(long fd, int random) {
    if (fd >= 0 && fd < 4096) atomic_store(&random_fds[fd], (unsigned char)random);
}

static int is_random_fd(long fd) { return fd >= 0 && fd < 4096 && atomic_load(&random_fds[fd]); }

EXPORT int close(int fd) {
    mark_random(fd, 0);
    return (int)ret_errno(R3(SYS_close, fd, 0, 0));
}

/* Copies of a random-device fd stay random; an fd replaced by dup2 or closed by
 * close_range no longer is. */
EXPORT int dup(int fd) {
    long r = R3(SYS_dup, fd, 0, 0);
    mark_random(r, is_random_fd(fd));
    return (int)ret_errno(r);
}

EXPORT int dup3(int fd, int to, int flags) {
    long r = R3(SYS_dup3, fd, to, flags);
    if (r >= 0) mark_random(r, is_random_fd(fd));
    return (int)ret_errno(r);
}

EXPORT int dup2(int fd, int to) {
    if (fd == to) return (int)ret_errno(R3(SYS_fcntl, fd, F_GETFD, 0) < 0 ? -EBADF : to);
    return dup3(fd, to, 0);
}

EXPORT int close_range(unsigned int first, unsigned int last, int flags) {
    long r = R3(SYS_close_range, first, last, flags);
    if (r == 0 && !(flags & CLOSE_RANGE_CLOEXEC))
        for (unsigned int fd = first; fd <= last && fd < 4096; fd++) mark_random(fd, 0);
    return (int)ret_errno(r);
}

/* Is fd the stream corral gave the program? (The program may have replaced it.) */
static int is_stdio(int fd) {
    struct stat st;
    if (!framing || R3(SYS_fstat, fd, &st, 0) != 0) return 0;
    return stdio_stat[fd].st_ino && st.st_ino == stdio_stat[fd].st_ino &&
           st.st_dev == stdio_stat[fd].st_dev;
}

EXPORT ssize_t read(int fd, void *buf, size_t len) {
    if (fd >= 0 && fd < 4096 && atomic_load(&random_fds[fd])) {
        fill_random(buf, len);
        return (ssize_t)len;
    }
    if (fd != 0 || !is_stdio(0)) return ret_errno(R3(SYS_read, fd, buf, len));
    /* All of stdin is known at time 0: a thread waiting for its bytes still runs. */
    busy_enter();
    long r = R3(SYS_read, fd, buf, len);
    busy_exit();
    return ret_errno(r);
}

/* ---- output frames ---------------------------------------------------------- */

/* Writes all of iov (retrying short writes and EAGAIN); -errno if nothing could be. */
static long write_all(int fd, struct iovec *iov, int cnt) {
    long total = 0;
    while (cnt > 0) {
        long r = R3(SYS_writev, fd, iov, cnt);
        if (r == -EINTR) continue;
        if (r == -EAGAIN) {
            struct pollfd p = {fd, POLLOUT, 0};
            R3(SYS_poll, &p, 1, -1);
            continue;
        }
        if (r < 0) return total ? total : r;
        total += r;
        while (cnt > 0 && (size_t)r >= iov->iov_len) {
            r -= (long)iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *)iov->iov_base + r;
            iov->iov_len -= (size_t)r;
        }
    }
    return total;
}

/* Set while this thread writes a frame: a signal handler writing then (Rust's stack
 * overflow message) writes plain bytes instead of waiting for out_lock forever. */
static __thread int writing __attribute__((tls_model("initial-exec")));

#define FRAME_IOV 8 /* pieces per frame: a small stack frame (signal stacks are small) */

static ssize_t framed_write(int fd, const struct iovec *user, int cnt) {
    size_t len = 0;
    if (cnt < 0 || cnt > IOV_MAX) return ret_errno(-EINVAL);
    for (int i = 0; i < cnt; i++) len += user[i].iov_len;
    if (len == 0 || len > UINT32_MAX || writing) return ret_errno(R3(SYS_writev, fd, user, cnt));
    busy_enter();
    writing = 1;
    lock(&out_lock);
    long total = 0;
    for (int i = 0; i < cnt;) {
        struct iovec iov[FRAME_IOV + 1];
        int k = 0;
        uint32_t n = 0;
        for (; i < cnt && k < FRAME_IOV; i++) {
            if (!user[i].iov_len) continue;
            iov[++k] = user[i];
            n += (uint32_t)user[i].iov_len;
        }
        if (!k) break;
        unsigned char header[20] = {0, 0, 'V', 'T'};
        uint64_t t = atomic_load(&now_ns);
        uint32_t seq = atomic_fetch_add(&write_seq, 1) + 1;
        memcpy(header + 4, &t, 8);
        memcpy(header + 12, &seq, 4);
        memcpy(header + 16, &n, 4);
        iov[0].iov_base = header;
        iov[0].iov_len = sizeof header;
        long r = write_all(fd, iov, k + 1);
        if (r < (long)(sizeof header + n)) { /* an error: report what got through */
            long data = r - (long)sizeof header;
            if (data > 0) total += data;
            else if (!total) total = r < 0 ? r : -EIO;
            break;
        }
        total += (long)n;
    }
    unlock(&out_lock);
    writing = 0;
    busy_exit();
    return ret_errno(total);
}

EXPORT ssize_t write(int fd, const void *buf, size_t len) {
    if ((fd != 1 && fd != 2) || !is_stdio(fd)) return ret_errno(R3(SYS_write, fd, buf, len));
    struct iovec iov = {(void *)buf, len};
    return framed_write(fd, &iov, 1);
}

EXPORT ssize_t writev(int fd, const struct iovec *iov, int cnt) {
    if ((fd != 1 && fd != 2) || !is_stdio(fd)) return ret_errno(R3(SYS_writev, fd, iov, cnt));
    return framed_write(fd, iov, cnt);
}

/* ---- poll, select, epoll -------------------------------------------------- */

static void on_kick(int sig) { (void)sig; }

/* The common loop of the readiness waits. `once(slice_ns)` makes one real wait of
 * at most slice_ns (0: just look) and returns its raw result. */
struct waiter {
    long (*once)(struct waiter *, uint64_t slice_ns);
    long a, b, c, d, e;
    void *saved; /* select: the sets as given */
    long early;  /* what a last look found while the others were blocked */
};

static int ready_would_block(void *ctx) {
    struct waiter *w = ctx;
    w->early = w->once(w, 0);
    return w->early == 0;
}

static long timed_ready_wait(struct waiter *w, uint64_t timeout_ns) {
    long r = w->once(w, 0);
    if (r != 0) return r;
    w->early = 0;
    busy_enter();
    lock(&sched_lock);
    struct sleeper *s = enlist(K_SIGNAL, after(timeout_ns));
    if (s) advance_locked(s->tid, 1, ready_would_block, w);
    unlock(&sched_lock);
    busy_exit();
    if (!s) return w->once(w, timeout_ns); /* full: real time */
    uint64_t slice = SLICE_MIN_NS;
    for (;;) {
        if (w->early != 0) {
            r = w->early;
            break;
        }
        if (atomic_load(&s->fired)) {
            r = 0;
            break;
        }
        r = w->once(w, slice);
        if (r > 0 || (r < 0 && r != -EINTR)) break;
        if (atomic_load(&s->fired)) {
            r = 0;
            break;
        }
        if (r == 0) { /* -EINTR: the kick, or the program's signal (whose handler ran) */
            recheck(s->tid, ready_would_block, w);
            slice = next_slice(slice);
        }
    }
    retire(s);
    return r;
}

static long poll_once(struct waiter *w, uint64_t slice) {
    struct timespec ts = to_ts(slice);
    return R6(SYS_ppoll, w->a, w->b, &ts, w->c, 8, 0);
}

EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout) {
    if (timeout <= 0) return (int)ret_errno(R3(SYS_poll, fds, n, timeout));
    struct waiter w = {poll_once, (long)fds, (long)n, 0, 0, 0, NULL, 0};
    return (int)ret_errno(timed_ready_wait(&w, (uint64_t)timeout * 1000000));
}

EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask) {
    if (!ts || ts->tv_nsec < 0 || ts->tv_nsec >= (long)NS || from_ts(ts) == 0)
        return (int)ret_errno(R6(SYS_ppoll, fds, n, ts, mask, 8, 0));
    struct waiter w = {poll_once, (long)fds, (long)n, (long)mask, 0, 0, NULL, 0};
    return (int)ret_errno(timed_ready_wait(&w, from_ts(ts)));
}

static long epoll_once(struct waiter *w, uint64_t slice) {
    uint64_t ms = (slice + 999999) / 1000000;
    if (ms > INT_MAX) ms = INT_MAX;
    return R6(SYS_epoll_pwait, w->a, w->b, w->c, (int)ms, w->d, 8);
}

EXPORT int epoll_pwait(int ep, struct epoll_event *ev, int max, int timeout,
                       const sigset_t *mask) {
    if (timeout <= 0) return (int)ret_errno(R6(SYS_epoll_pwait, ep, ev, max, timeout, mask, 8));
    struct waiter w = {epoll_once, ep, (long)ev, max, (long)mask, 0, NULL, 0};
    return (int)ret_errno(timed_ready_wait(&w, (uint64_t)timeout * 1000000));
}

EXPORT int epoll_wait(int ep, struct epoll_event *ev, int max, int timeout) {
    return epoll_pwait(ep, ev, max, timeout, NULL);
}

struct select_sets {
    fd_set r, w, e;
};

static long select_once(struct waiter *w, uint64_t slice) {
    struct select_sets *saved = w->saved;
    fd_set *r = (fd_set *)w->b, *wr = (fd_set *)w->c, *ex = (fd_set *)w->d;
    if (r) *r = saved->r;
    if (wr) *wr = saved->w;
    if (ex) *ex = saved->e;
    struct timespec ts = to_ts(slice);
    return R6(SYS_pselect6, w->a, r, wr, ex, &ts, 0);
}

EXPORT int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv) {
    if (!tv || tv->tv_sec < 0 || tv->tv_usec < 0 || (!tv->tv_sec && !tv->tv_usec) ||
        n > FD_SETSIZE)
        return (int)ret_errno(R6(SYS_select, n, r, w, e, tv, 0));
    uint64_t sec = (uint64_t)tv->tv_sec, usec = (uint64_t)tv->tv_usec;
    uint64_t deadline = after(sec >= NOW_MAX / NS || usec >= NOW_MAX / 1000 ? NOW_MAX
                                                                          : sec * NS + usec * 1000);
    struct select_sets saved;
    FD_ZERO(&saved.r);
    FD_ZERO(&saved.w);
    FD_ZERO(&saved.e);
    if (r) saved.r = *r;
    if (w) saved.w = *w;
    if (e) saved.e = *e;
    struct waiter wt = {select_once, n, (long)r, (long)w, (long)e, 0, &saved, 0};
    long res = timed_ready_wait(&wt, deadline - atomic_load(&now_ns));
    /* Linux leaves the time not slept in *tv. */
    uint64_t now = atomic_load(&now_ns), left = deadline > now ? deadline - now : 0;
    tv->tv_sec = (time_t)(left / NS);
    tv->tv_usec = (suseconds_t)(left % NS / 1000);
    return (int)ret_errno(res);
}

/* ---- syscall(2) and the CPU count ---------------------------------------- */

EXPORT long syscall(long n, ...) {
    va_list ap;
    va_start(ap, n);
    long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
    long d = va_arg(ap, long), e = va_arg(ap, long), f = va_arg(ap, long);
    va_end(ap);
    if (n == SYS_futex) {
        int cmd = (int)b & FUTEX_CMD_MASK;
        if ((cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) && d)
            return ret_errno(timed_futex_wait((int *)a, (int)b, (int)c, (const struct timespec *)d));
    } else if (n == SYS_getrandom) {
        return getrandom((void *)a, (size_t)b, (unsigned)c);
    } else if (n == SYS_clock_gettime) {
        return clock_gettime((clockid_t)a, (struct timespec *)b);
    } else if (n == SYS_nanosleep) {
        return nanosleep((const struct timespec *)a, (struct timespec *)b);
    }
    return ret_errno(rsys(n, a, b, c, d, e, f));
}

EXPORT int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set) {
    if (pid != 0 && pid != (pid_t)R0(SYS_getpid) && pid != gettid_raw())
        return (int)ret_errno(R3(SYS_sched_getaffinity, pid, size, set));
    if (size < sizeof(unsigned long)) {
        errno = EINVAL;
        return -1;
    }
    memset(set, 0, size);
    for (int i = 0; i < VT_CPUS; i++) CPU_SET_S(i, size, set);
    return 0;
}

EXPORT int get_nprocs(void) { return VT_CPUS; }

EXPORT long sysconf(int name) {
    if (name == _SC_NPROCESSORS_ONLN || name == _SC_NPROCESSORS_CONF) return VT_CPUS;
    static long (*real)(int);
    if (!real) real = (long (*)(int))dlsym(RTLD_NEXT, "sysconf");
    if (!real) {
        errno = EINVAL;
        return -1;
    }
    return real(name);
}
EXPORT int get_nprocs_conf(void) { return VT_CPUS; }

/* ---- start-up ---------------------------------------------------------------- */

static void after_fork(void) {
    /* Only the forking thread lives on in the child: nothing is held or waiting. The
     * child is not the program: its output is not framed. */
    atomic_store(&sched_lock, 0);
    atomic_store(&out_lock, 0);
    atomic_store(&busy, 0);
    atomic_store(&gate, 0);
    memset(sleepers, 0, sizeof sleepers);
    framing = 0;
}

__attribute__((constructor)) static void vt_init(void) {
    const char *s = getenv("CORRAL_SEED");
    seed = s ? strtoull(s, NULL, 10) : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    /* The program ignores MARK_SIGNAL, which its child processes inherit (across exec
     * too): so a process starting with it ignored is one of them. */
    sigaction(MARK_SIGNAL, NULL, &sa);
    framing = sa.sa_handler != SIG_IGN;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(MARK_SIGNAL, &sa, NULL);
    for (int fd = 0; fd <= 2; fd++)
        if (R3(SYS_fstat, fd, &stdio_stat[fd], 0) != 0) memset(&stdio_stat[fd], 0, sizeof(struct stat));
    sa.sa_handler = on_kick;
    sa.sa_flags = SA_RESTART; /* poll, select and epoll still return EINTR */
    sigaction(KICK_SIGNAL, &sa, NULL);
    pthread_atfork(NULL, NULL, after_fork);
}
