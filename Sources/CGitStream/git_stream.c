#define _GNU_SOURCE
#include "sediment_git_stream.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/stream.h>

/* The longest poll(2): how soon a stop request or a deadline is noticed while waiting. */
#define SLICE_MS 200

static int default_connect_ms = 30000;
static int default_stall_ms = 60000;
static _Thread_local sediment_git_transfer *current;

typedef struct {
    git_stream parent;
    char *host;
    char *port;
    int fd;
    int connect_ms;
    int stall_ms;
    /* The transfer the stream was opened in, or NULL (the defaults apply). */
    sediment_git_transfer *transfer;
    /* A limit stopped the stream: every further read or write fails at once. */
    int broken;
} deadline_stream;

int64_t sediment_git_clock_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void sediment_git_stream_set_defaults(int connect_timeout_ms, int stall_timeout_ms) {
    __atomic_store_n(&default_connect_ms, connect_timeout_ms, __ATOMIC_RELAXED);
    __atomic_store_n(&default_stall_ms, stall_timeout_ms, __ATOMIC_RELAXED);
}

void sediment_git_transfer_begin(sediment_git_transfer *transfer) {
    transfer->outcome = SEDIMENT_GIT_TRANSFER_RUNNING;
    transfer->bytes_received = 0;
    current = transfer;
}

void sediment_git_transfer_end(void) {
    current = NULL;
}

/* "2 s", "1.5 s", "250 ms": a limit as errors show it. */
static void format_ms(char *out, size_t size, int ms) {
    if (ms < 1000)
        snprintf(out, size, "%d ms", ms);
    else if (ms % 1000 == 0)
        snprintf(out, size, "%d s", ms / 1000);
    else
        snprintf(out, size, "%.1f s", ms / 1000.0);
}

/* Records the limit that stopped the stream, sets libgit2's error, returns -1. */
static int stop(deadline_stream *st, int outcome, const char *what) {
    char limit[32], message[512];
    st->broken = 1;
    if (st->transfer && st->transfer->outcome == SEDIMENT_GIT_TRANSFER_RUNNING)
        st->transfer->outcome = outcome;
    switch (outcome) {
    case SEDIMENT_GIT_TRANSFER_CONNECT_TIMEOUT:
        format_ms(limit, sizeof limit, st->connect_ms);
        snprintf(message, sizeof message, "timed out: no connection to %s:%s within %s", st->host, st->port, limit);
        break;
    case SEDIMENT_GIT_TRANSFER_STALLED:
        format_ms(limit, sizeof limit, st->stall_ms);
        snprintf(message, sizeof message, "timed out: no byte %s %s:%s for %s", what, st->host, st->port, limit);
        break;
    case SEDIMENT_GIT_TRANSFER_DEADLINE:
        snprintf(message, sizeof message, "timed out: the transfer's deadline passed while talking to %s:%s", st->host, st->port);
        break;
    default:
        snprintf(message, sizeof message, "cancelled");
        break;
    }
    git_error_set_str(outcome == SEDIMENT_GIT_TRANSFER_STOPPED ? GIT_ERROR_CALLBACK : GIT_ERROR_NET, message);
    return -1;
}

/* A read or write after a limit stopped the stream. */
static int abandoned(deadline_stream *st) {
    char message[512];
    snprintf(message, sizeof message, "the connection to %s:%s was abandoned after a timeout", st->host, st->port);
    git_error_set_str(GIT_ERROR_NET, message);
    return -1;
}

static int os_error(const char *what, deadline_stream *st, int error) {
    char message[512];
    snprintf(message, sizeof message, "%s %s:%s: %s", what, st->host, st->port, strerror(error));
    git_error_set_str(GIT_ERROR_NET, message);
    return -1;
}

/* 0 while the transfer may go on; else stops the stream (-1). */
static int check_transfer(deadline_stream *st) {
    sediment_git_transfer *t = st->transfer;
    if (!t)
        return 0;
    if (t->should_stop && t->should_stop(t->payload))
        return stop(st, SEDIMENT_GIT_TRANSFER_STOPPED, NULL);
    if (t->deadline_ms && sediment_git_clock_ms() >= t->deadline_ms)
        return stop(st, SEDIMENT_GIT_TRANSFER_DEADLINE, NULL);
    return 0;
}

/*
 * Waits until the socket is ready for `events`, at most until `limit_ms` (then the stream
 * stops with `outcome`), asking the transfer every SLICE_MS. 0 when ready (or in error: the
 * next call on the socket reports it), -1 when stopped.
 */
static int wait_ready(deadline_stream *st, short events, int64_t limit_ms, int outcome, const char *what) {
    for (;;) {
        if (check_transfer(st) < 0)
            return -1;
        int64_t now = sediment_git_clock_ms();
        if (now >= limit_ms)
            return stop(st, outcome, what);
        int64_t until = limit_ms;
        if (st->transfer && st->transfer->deadline_ms && st->transfer->deadline_ms < until)
            until = st->transfer->deadline_ms;
        int64_t slice = until - now;
        if (slice > SLICE_MS)
            slice = SLICE_MS;
        if (slice < 1)
            slice = 1;
        struct pollfd p = { .fd = st->fd, .events = events, .revents = 0 };
        int rc = poll(&p, 1, (int)slice);
        if (rc > 0)
            return 0;
        if (rc < 0 && errno != EINTR)
            return os_error("could not wait for", st, errno);
    }
}

static int stream_connect(git_stream *stream) {
    deadline_stream *st = (deadline_stream *)stream;
    if (check_transfer(st) < 0)
        return -1;
    struct addrinfo hints, *info = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(st->host, st->port, &hints, &info);
    if (rc != 0) {
        char message[512];
        snprintf(message, sizeof message, "failed to resolve address for %s: %s", st->host, gai_strerror(rc));
        git_error_set_str(GIT_ERROR_NET, message);
        return -1;
    }
    int64_t limit = sediment_git_clock_ms() + st->connect_ms;
    int last_error = ECONNREFUSED;
    int tried = 0;
    char refused[256] = "";
    for (struct addrinfo *a = info; a; a = a->ai_next) {
        if (st->transfer && st->transfer->address_refused &&
            st->transfer->address_refused(a->ai_addr, refused, sizeof refused, st->transfer->payload)) {
            continue;
        }
        tried = 1;
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last_error = errno;
            continue;
        }
        st->fd = fd;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            freeaddrinfo(info);
            return 0;
        }
        if (errno == EINPROGRESS) {
            if (wait_ready(st, POLLOUT, limit, SEDIMENT_GIT_TRANSFER_CONNECT_TIMEOUT, NULL) < 0) {
                /* A limit, or a stop: no further address is tried. */
                close(fd);
                st->fd = -1;
                freeaddrinfo(info);
                return -1;
            }
            int error = 0;
            socklen_t length = sizeof error;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0) {
                freeaddrinfo(info);
                return 0;
            }
            last_error = error ? error : errno;
        } else {
            last_error = errno;
        }
        close(fd);
        st->fd = -1;
    }
    freeaddrinfo(info);
    if (!tried && refused[0]) {
        char message[512];
        snprintf(message, sizeof message, "refused to connect to %s: %s", st->host, refused);
        if (st->transfer && st->transfer->outcome == SEDIMENT_GIT_TRANSFER_RUNNING)
            st->transfer->outcome = SEDIMENT_GIT_TRANSFER_REFUSED;
        git_error_set_str(GIT_ERROR_NET, message);
        return -1;
    }
    return os_error("failed to connect to", st, last_error);
}

/* One read or write, waiting at most the stall limit for the socket to become ready. The
 * stall clock starts when the call starts waiting. */
static ssize_t transfer_bytes(deadline_stream *st, int receiving, void *data, size_t length) {
    if (st->broken)
        return abandoned(st);
    int64_t limit = sediment_git_clock_ms() + st->stall_ms;
    for (;;) {
        if (check_transfer(st) < 0)
            return -1;
        ssize_t n = receiving ? recv(st->fd, data, length, 0) : send(st->fd, data, length, MSG_NOSIGNAL);
        if (n >= 0) {
            if (receiving && st->transfer)
                st->transfer->bytes_received += n;
            return n;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return os_error(receiving ? "error receiving data from" : "error sending data to", st, errno);
        if (wait_ready(st, receiving ? POLLIN : POLLOUT, limit, SEDIMENT_GIT_TRANSFER_STALLED, receiving ? "from" : "taken by") < 0)
            return -1;
    }
}

static ssize_t stream_read(git_stream *stream, void *data, size_t length) {
    return transfer_bytes((deadline_stream *)stream, 1, data, length);
}

static ssize_t stream_write(git_stream *stream, const char *data, size_t length, int flags) {
    (void)flags;
    return transfer_bytes((deadline_stream *)stream, 0, (void *)data, length);
}

static int stream_close(git_stream *stream) {
    deadline_stream *st = (deadline_stream *)stream;
    if (st->fd >= 0)
        close(st->fd);
    st->fd = -1;
    return 0;
}

static void stream_free(git_stream *stream) {
    deadline_stream *st = (deadline_stream *)stream;
    if (st->fd >= 0)
        close(st->fd);
    free(st->host);
    free(st->port);
    free(st);
}

static int stream_init(git_stream **out, const char *host, const char *port) {
    deadline_stream *st = calloc(1, sizeof *st);
    if (!st) {
        git_error_set_oom();
        return -1;
    }
    st->host = strdup(host);
    st->port = strdup(port ? port : "");
    if (!st->host || !st->port) {
        free(st->host);
        free(st->port);
        free(st);
        git_error_set_oom();
        return -1;
    }
    st->fd = -1;
    st->transfer = current;
    st->connect_ms = current ? current->connect_timeout_ms : __atomic_load_n(&default_connect_ms, __ATOMIC_RELAXED);
    st->stall_ms = current ? current->stall_timeout_ms : __atomic_load_n(&default_stall_ms, __ATOMIC_RELAXED);
    st->parent.version = GIT_STREAM_VERSION;
    st->parent.encrypted = 0;
    st->parent.proxy_support = 0;
    st->parent.connect = stream_connect;
    st->parent.read = stream_read;
    st->parent.write = stream_write;
    st->parent.close = stream_close;
    st->parent.free = stream_free;
    *out = &st->parent;
    return 0;
}

int sediment_git_stream_register(void) {
    git_stream_registration registration;
    memset(&registration, 0, sizeof registration);
    registration.version = GIT_STREAM_VERSION;
    registration.init = stream_init;
    registration.wrap = NULL;
    return git_stream_register(GIT_STREAM_STANDARD, &registration);
}
