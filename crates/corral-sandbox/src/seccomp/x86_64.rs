//! The x86_64 system call policy, as data: every allowed syscall says who needs it.
//!
//! Anything not listed in [`ALLOW`] answers ENOSYS; everything in [`DENY`] answers EPERM.
//! Syscalls with argument checks are in [`ARG_RULES`]; the checks are built in `mod.rs`.

use libc::*;

/// Unconditionally allowed syscalls (number, who needs it).
pub const ALLOW: &[(i64, &str)] = &[
    // file I/O: every program
    (SYS_read, "io"), (SYS_write, "io"), (SYS_readv, "io"), (SYS_writev, "io"),
    (SYS_pread64, "io"), (SYS_pwrite64, "io"), (SYS_preadv, "io"), (SYS_pwritev, "io"),
    (SYS_preadv2, "io"), (SYS_pwritev2, "io"), (SYS_lseek, "io"), (SYS_sendfile, "io: cp, std::io::copy"),
    (SYS_copy_file_range, "io: std::fs::copy"), (SYS_splice, "io"), (SYS_tee, "io"), (SYS_vmsplice, "io"),
    (SYS_open, "fs"), (SYS_openat, "fs"), (SYS_openat2, "fs"), (SYS_creat, "fs"), (SYS_close, "fs"),
    (SYS_close_range, "fs: std::process, glibc"), (SYS_stat, "fs"), (SYS_fstat, "fs"), (SYS_lstat, "fs"),
    (SYS_newfstatat, "fs"), (SYS_statx, "fs: std::fs::metadata"), (SYS_statfs, "fs"), (SYS_fstatfs, "fs"),
    (SYS_access, "fs"), (SYS_faccessat, "fs"), (SYS_faccessat2, "fs"), (SYS_getdents, "fs"),
    (SYS_getdents64, "fs: read_dir"), (SYS_getcwd, "fs"), (SYS_chdir, "fs"), (SYS_fchdir, "fs"),
    (SYS_rename, "fs"), (SYS_renameat, "fs"), (SYS_renameat2, "fs"), (SYS_mkdir, "fs"), (SYS_mkdirat, "fs"),
    (SYS_rmdir, "fs"), (SYS_link, "fs"), (SYS_linkat, "fs"), (SYS_unlink, "fs"), (SYS_unlinkat, "fs"),
    (SYS_symlink, "fs"), (SYS_symlinkat, "fs"), (SYS_readlink, "fs"), (SYS_readlinkat, "fs"),
    (SYS_chmod, "fs"), (SYS_fchmod, "fs"), (SYS_fchmodat, "fs"), (SYS_chown, "fs"), (SYS_fchown, "fs"),
    (SYS_lchown, "fs"), (SYS_fchownat, "fs"), (SYS_umask, "fs"), (SYS_truncate, "fs"), (SYS_ftruncate, "fs"),
    (SYS_fallocate, "fs"), (SYS_fsync, "fs"), (SYS_fdatasync, "fs"), (SYS_sync, "fs"), (SYS_syncfs, "fs"),
    (SYS_sync_file_range, "fs"), (SYS_flock, "fs: cargo, sqlite"), (SYS_fadvise64, "fs"), (SYS_readahead, "fs"),
    (SYS_utime, "fs"), (SYS_utimes, "fs"), (SYS_utimensat, "fs"), (SYS_futimesat, "fs"),
    (SYS_mknod, "fs: FIFOs (device nodes need CAP_MKNOD, which nobody has)"), (SYS_mknodat, "fs: FIFOs"),
    (SYS_getxattr, "fs"), (SYS_lgetxattr, "fs"), (SYS_fgetxattr, "fs"), (SYS_listxattr, "fs"),
    (SYS_llistxattr, "fs"), (SYS_flistxattr, "fs"), (SYS_setxattr, "fs"), (SYS_lsetxattr, "fs"),
    (SYS_fsetxattr, "fs"), (SYS_removexattr, "fs"), (SYS_lremovexattr, "fs"), (SYS_fremovexattr, "fs"),
    (SYS_dup, "fds"), (SYS_dup2, "fds"), (SYS_dup3, "fds"), (SYS_fcntl, "fds"), (SYS_pipe, "fds"), (SYS_pipe2, "fds"),
    (SYS_memfd_create, "fds: rustc, JITs"),
    // readiness and events
    (SYS_poll, "events"), (SYS_ppoll, "events"), (SYS_select, "events"), (SYS_pselect6, "events"),
    (SYS_epoll_create, "events"), (SYS_epoll_create1, "events: tokio"), (SYS_epoll_ctl, "events"),
    (SYS_epoll_wait, "events"), (SYS_epoll_pwait, "events"), (SYS_epoll_pwait2, "events"),
    (SYS_eventfd, "events"), (SYS_eventfd2, "events: tokio"), (SYS_signalfd, "events"), (SYS_signalfd4, "events"),
    (SYS_timerfd_create, "events"), (SYS_timerfd_settime, "events"), (SYS_timerfd_gettime, "events"),
    (SYS_inotify_init, "events"), (SYS_inotify_init1, "events"), (SYS_inotify_add_watch, "events"),
    (SYS_inotify_rm_watch, "events"),
    // memory
    (SYS_mmap, "memory"), (SYS_munmap, "memory"), (SYS_mprotect, "memory"), (SYS_mremap, "memory"),
    (SYS_brk, "memory"), (SYS_madvise, "memory"), (SYS_msync, "memory"), (SYS_mincore, "memory"),
    (SYS_mlock, "memory (RLIMIT_MEMLOCK bounds it)"), (SYS_mlock2, "memory"), (SYS_munlock, "memory"),
    (SYS_mlockall, "memory"), (SYS_munlockall, "memory"), (SYS_membarrier, "memory: rustc, JVMs"),
    (SYS_mbind, "memory: NUMA-aware allocators"), (SYS_get_mempolicy, "memory"), (SYS_set_mempolicy, "memory"),
    (SYS_pkey_alloc, "memory"), (SYS_pkey_free, "memory"), (SYS_pkey_mprotect, "memory"),
    (453, "map_shadow_stack: glibc with CET"),
    // processes and threads (clone is in ARG_RULES)
    (SYS_fork, "processes"), (SYS_vfork, "processes: posix_spawn"), (SYS_execve, "processes"),
    (SYS_execveat, "processes: fexecve"), (SYS_exit, "threads"), (SYS_exit_group, "processes"),
    (SYS_wait4, "processes"), (SYS_waitid, "processes"), (SYS_kill, "signals (the pid namespace bounds it)"),
    (SYS_tkill, "signals"), (SYS_tgkill, "signals"), (SYS_pidfd_open, "processes: std::process"),
    (SYS_pidfd_send_signal, "processes"), (SYS_getpid, "ids"), (SYS_getppid, "ids"), (SYS_gettid, "ids"),
    (SYS_getuid, "ids"), (SYS_geteuid, "ids"), (SYS_getgid, "ids"), (SYS_getegid, "ids"),
    (SYS_getresuid, "ids"), (SYS_getresgid, "ids"), (SYS_getgroups, "ids"), (SYS_setuid, "ids (no caps: no-op)"),
    (SYS_setgid, "ids"), (SYS_setreuid, "ids"), (SYS_setregid, "ids"), (SYS_setresuid, "ids"),
    (SYS_setresgid, "ids"), (SYS_setfsuid, "ids"), (SYS_setfsgid, "ids"), (SYS_setgroups, "ids"),
    (SYS_getpgid, "sessions"), (SYS_setpgid, "sessions"), (SYS_getpgrp, "sessions"), (SYS_getsid, "sessions"),
    (SYS_setsid, "sessions"), (SYS_capget, "caps: libcap queries"), (SYS_capset, "caps: can only drop"),
    (SYS_prctl, "threads: names, PR_SET_NO_NEW_PRIVS, seccomp"), (SYS_arch_prctl, "threads: TLS"),
    (SYS_set_tid_address, "threads: glibc start-up"), (SYS_set_robust_list, "threads"),
    (SYS_get_robust_list, "threads"), (SYS_rseq, "threads: glibc"), (SYS_futex, "threads"),
    (SYS_futex_waitv, "threads"), (SYS_seccomp, "sandboxing further: only adds filters"),
    (SYS_landlock_create_ruleset, "sandboxing further"), (SYS_landlock_add_rule, "sandboxing further"),
    (SYS_landlock_restrict_self, "sandboxing further"),
    // signals
    (SYS_rt_sigaction, "signals"), (SYS_rt_sigprocmask, "signals"), (SYS_rt_sigreturn, "signals"),
    (SYS_rt_sigpending, "signals"), (SYS_rt_sigtimedwait, "signals"), (SYS_rt_sigqueueinfo, "signals"),
    (SYS_rt_tgsigqueueinfo, "signals"), (SYS_rt_sigsuspend, "signals"), (SYS_sigaltstack, "signals: Rust's stack overflow handler"),
    (SYS_pause, "signals"), (SYS_alarm, "signals"), (SYS_getitimer, "signals"), (SYS_setitimer, "signals"),
    (SYS_restart_syscall, "signals"),
    // time and scheduling
    (SYS_clock_gettime, "time"), (SYS_clock_getres, "time"), (SYS_clock_nanosleep, "time"),
    (SYS_gettimeofday, "time"), (SYS_time, "time"), (SYS_nanosleep, "time"), (SYS_times, "time"),
    (SYS_timer_create, "time"), (SYS_timer_settime, "time"), (SYS_timer_gettime, "time"),
    (SYS_timer_getoverrun, "time"), (SYS_timer_delete, "time"), (SYS_sched_yield, "scheduling"),
    (SYS_sched_getaffinity, "scheduling: available_parallelism"), (SYS_sched_setaffinity, "scheduling"),
    (SYS_sched_getparam, "scheduling"), (SYS_sched_setparam, "scheduling"), (SYS_sched_getscheduler, "scheduling"),
    (SYS_sched_setscheduler, "scheduling"), (SYS_sched_getattr, "scheduling"), (SYS_sched_setattr, "scheduling"),
    (SYS_sched_get_priority_max, "scheduling"), (SYS_sched_get_priority_min, "scheduling"),
    (SYS_sched_rr_get_interval, "scheduling"), (SYS_getpriority, "scheduling"), (SYS_setpriority, "scheduling"),
    (SYS_getcpu, "scheduling"),
    // system information and limits
    (SYS_uname, "info"), (SYS_sysinfo, "info"), (SYS_getrusage, "limits"), (SYS_getrlimit, "limits"),
    (SYS_setrlimit, "limits: can only lower without caps"), (SYS_prlimit64, "limits"), (SYS_getrandom, "randomness"),
    (SYS_ioprio_get, "scheduling"), (SYS_ioprio_set, "scheduling"),
    // sockets (socket itself is in ARG_RULES); the network namespace bounds where they reach
    (SYS_connect, "net"), (SYS_accept, "net"), (SYS_accept4, "net"), (SYS_bind, "net"), (SYS_listen, "net"),
    (SYS_sendto, "net"), (SYS_recvfrom, "net"), (SYS_sendmsg, "net"), (SYS_recvmsg, "net"),
    (SYS_sendmmsg, "net"), (SYS_recvmmsg, "net"), (SYS_shutdown, "net"), (SYS_getsockname, "net"),
    (SYS_getpeername, "net"), (SYS_socketpair, "net"), (SYS_setsockopt, "net"), (SYS_getsockopt, "net"),
    // System V IPC and POSIX message queues: private to the sandbox's IPC namespace
    (SYS_shmget, "ipc"), (SYS_shmat, "ipc"), (SYS_shmdt, "ipc"), (SYS_shmctl, "ipc"), (SYS_semget, "ipc"),
    (SYS_semop, "ipc"), (SYS_semtimedop, "ipc"), (SYS_semctl, "ipc"), (SYS_msgget, "ipc"), (SYS_msgsnd, "ipc"),
    (SYS_msgrcv, "ipc"), (SYS_msgctl, "ipc"), (SYS_mq_open, "ipc"), (SYS_mq_unlink, "ipc"),
    (SYS_mq_timedsend, "ipc"), (SYS_mq_timedreceive, "ipc"), (SYS_mq_notify, "ipc"), (SYS_mq_getsetattr, "ipc"),
];

/// Dangerous syscalls that answer EPERM: they reach kernel surface or host state
/// that no compiler or user program needs.
pub const DENY: &[(i64, &str)] = &[
    (SYS_unshare, "namespaces"), (SYS_setns, "namespaces"), (SYS_mount, "mounts"), (SYS_umount2, "mounts"),
    (SYS_pivot_root, "mounts"), (SYS_chroot, "mounts"), (SYS_move_mount, "mounts"), (SYS_open_tree, "mounts"),
    (SYS_fsopen, "mounts"), (SYS_fsconfig, "mounts"), (SYS_fsmount, "mounts"), (SYS_fspick, "mounts"),
    (SYS_mount_setattr, "mounts"), (SYS_keyctl, "keyrings"), (SYS_add_key, "keyrings"),
    (SYS_request_key, "keyrings"), (SYS_bpf, "bpf"), (SYS_perf_event_open, "perf"),
    (SYS_io_uring_setup, "io_uring"), (SYS_io_uring_enter, "io_uring"), (SYS_io_uring_register, "io_uring"),
    (SYS_userfaultfd, "userfaultfd"), (SYS_ptrace, "ptrace"), (SYS_process_vm_readv, "ptrace"),
    (SYS_process_vm_writev, "ptrace"), (SYS_process_madvise, "ptrace"), (SYS_pidfd_getfd, "ptrace"),
    (SYS_kcmp, "ptrace"), (SYS_kexec_load, "kexec"), (SYS_kexec_file_load, "kexec"), (SYS_init_module, "modules"),
    (SYS_finit_module, "modules"), (SYS_delete_module, "modules"), (SYS_syslog, "kernel log"),
    (SYS_open_by_handle_at, "file handles"), (SYS_name_to_handle_at, "file handles"), (SYS_acct, "accounting"),
    (SYS_swapon, "swap"), (SYS_swapoff, "swap"), (SYS_reboot, "reboot"), (SYS_quotactl, "quota"),
    (SYS_quotactl_fd, "quota"), (SYS_iopl, "ports"), (SYS_ioperm, "ports"), (SYS_vhangup, "tty"),
    (SYS_sethostname, "identity"), (SYS_setdomainname, "identity"), (SYS_settimeofday, "clock"),
    (SYS_clock_settime, "clock"), (SYS_adjtimex, "clock"), (SYS_clock_adjtime, "clock"),
    (SYS_fanotify_init, "fanotify"), (SYS_fanotify_mark, "fanotify"), (SYS_move_pages, "ptrace-like"),
    (SYS_migrate_pages, "ptrace-like"), (SYS_uselib, "legacy loader"), (SYS_lookup_dcookie, "profiling"),
    (SYS_memfd_secret, "secret memory"), (SYS_modify_ldt, "x86 segments"),
];

/// Syscalls allowed only with certain arguments, and answering EPERM otherwise.
pub const ARG_RULES: &[(i64, &str)] = &[
    (SYS_clone, "threads and processes, but no CLONE_NEW* flags"),
    (SYS_socket, "AF_UNIX, AF_INET and AF_INET6 only"),
    (SYS_ioctl, "terminal queries and fd flags only"),
    (SYS_personality, "query only"),
];

/// Syscalls that answer ENOSYS on purpose even though they are useful, so callers fall back.
pub const ENOSYS_ON_PURPOSE: &[(i64, &str)] = &[
    (SYS_clone3, "its flags live in memory seccomp cannot read; glibc falls back to clone"),
];

/// The x32 ABI bit: syscalls with it set are killed.
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;
