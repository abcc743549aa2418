#ifndef SEDIMENT_GIT_STREAM_H
#define SEDIMENT_GIT_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * Sediment's socket stream for libgit2 (git2/sys/stream.h): every TCP connection libgit2
 * opens for http://, https:// (its TLS stream is layered on this one) and git:// goes
 * through it. libgit2 1.5 has no server timeouts; this stream has three limits:
 *
 *   - connect: no TCP connection within connect_timeout_ms;
 *   - stall:   one read (or write) waited stall_timeout_ms without a byte;
 *   - deadline: the transfer's end (a visit's deadline) passed;
 *
 * and it asks should_stop() at least every 200 ms while it waits, so that a daemon that
 * stops does not wait for a silent server. Sockets are non-blocking; waits use poll(2).
 *
 * Limits are per thread: libgit2 opens, reads and writes a remote's streams on the thread
 * that calls it, so a caller sets a transfer with sediment_git_transfer_begin() before the
 * libgit2 calls and clears it after them (after git_remote_free). A stream opened on a thread
 * with no transfer uses the process-wide defaults.
 */

/* What stopped a transfer (sediment_git_transfer.outcome). */
enum {
    SEDIMENT_GIT_TRANSFER_RUNNING = 0,
    SEDIMENT_GIT_TRANSFER_CONNECT_TIMEOUT = 1,
    SEDIMENT_GIT_TRANSFER_STALLED = 2,
    SEDIMENT_GIT_TRANSFER_DEADLINE = 3,
    SEDIMENT_GIT_TRANSFER_STOPPED = 4,
    /* Every address the host resolved to was refused by address_refused(). */
    SEDIMENT_GIT_TRANSFER_REFUSED = 5,
};

typedef struct sediment_git_transfer {
    /* Set by the caller: */
    int connect_timeout_ms;
    int stall_timeout_ms;
    /* On sediment_git_clock_ms()'s clock; 0: no deadline. */
    int64_t deadline_ms;
    /* Non-zero stops the transfer; may be NULL. Called on the transfer's thread. */
    int (*should_stop)(void *payload);
    void *payload;
    /* May be NULL. Asked of each address the host resolves to, before connecting to it (the
     * address asked about is the one connected to); non-zero refuses it, with why in `reason`. */
    int (*address_refused)(const struct sockaddr *address, char *reason, size_t size, void *payload);
    /* Set by the stream: the first limit that stopped the transfer, and its bytes so far. */
    int outcome;
    int64_t bytes_received;
} sediment_git_transfer;

/* Registers the stream as libgit2's standard stream (after git_libgit2_init). 0 or a libgit2 error. */
int sediment_git_stream_register(void);

/* The limits of streams opened on threads with no transfer. */
void sediment_git_stream_set_defaults(int connect_timeout_ms, int stall_timeout_ms);

/* Makes `transfer` this thread's until sediment_git_transfer_end(); it must outlive every
 * stream opened meanwhile. */
void sediment_git_transfer_begin(sediment_git_transfer *transfer);
void sediment_git_transfer_end(void);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t sediment_git_clock_ms(void);

#endif
