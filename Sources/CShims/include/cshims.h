#ifndef SEDIMENT_CSHIMS_H
#define SEDIMENT_CSHIMS_H

/* Linux calls that Glibc's Swift module does not expose without _GNU_SOURCE. */

/* syncfs(2): flush the file system holding fd. Returns 0 or -1 with errno set. */
int sediment_syncfs(int fd);

/* Makes a fatal signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS) write
   "signal N pid P" at the start of the file open as fd before the process dies, so that the
   next process can tell a crash from a kill. Returns 0 or -1 with errno set. */
int sediment_watch_crashes(int fd);

/* Gives the calling thread an alternate signal stack (freed when the thread ends), so that
   the crash marker is written even when the thread overflowed its stack. 0 or -1. */
int sediment_prepare_signal_stack(void);

#endif
