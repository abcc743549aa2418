#define _GNU_SOURCE
#include <unistd.h>
#include "cshims.h"

int sediment_syncfs(int fd) {
    return syncfs(fd);
}

/* Crash marker: a fatal signal writes "signal N pid P" at the start of a file opened in
   advance, then lets the signal take its course (the previous handler, or the default
   action: the process dies as it would have). Only async-signal-safe calls here. */

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static int crash_fd = -1;
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS};
#define CRASH_SIGNALS (sizeof crash_signals / sizeof crash_signals[0])
static struct sigaction previous[CRASH_SIGNALS];

static size_t put_number(char *out, long value) {
    char digits[24];
    size_t n = 0, length = 0;
    if (value == 0) digits[n++] = '0';
    while (value > 0 && n < sizeof digits) { digits[n++] = (char)('0' + value % 10); value /= 10; }
    while (n > 0) out[length++] = digits[--n];
    return length;
}

static void on_crash(int sig) {
    if (crash_fd >= 0) {
        char text[64];
        size_t length = 0;
        memcpy(text, "signal ", 7); length = 7;
        length += put_number(text + length, sig);
        memcpy(text + length, " pid ", 5); length += 5;
        length += put_number(text + length, (long)getpid());
        text[length++] = '\n';
        (void)pwrite(crash_fd, text, length, 0);
    }
    for (size_t i = 0; i < CRASH_SIGNALS; i++) {
        if (crash_signals[i] == sig) sigaction(sig, &previous[i], NULL);
    }
    /* A fault recurs when the instruction runs again on return; a raised signal is raised
       again (it stays pending until this handler returns). */
    if (sig == SIGABRT || sig == SIGTRAP || sig == SIGSYS) raise(sig);
}

int sediment_watch_crashes(int fd) {
    crash_fd = fd;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_crash;
    action.sa_flags = SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < CRASH_SIGNALS; i++) {
        if (sigaction(crash_signals[i], &action, &previous[i]) != 0) return -1;
    }
    return 0;
}

static pthread_key_t stack_key;
static pthread_once_t stack_key_once = PTHREAD_ONCE_INIT;

static void release_stack(void *stack) {
    stack_t off;
    memset(&off, 0, sizeof off);
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, NULL);
    free(stack);
}

static void make_stack_key(void) { pthread_key_create(&stack_key, release_stack); }

int sediment_prepare_signal_stack(void) {
    pthread_once(&stack_key_once, make_stack_key);
    if (pthread_getspecific(stack_key) != NULL) return 0;
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return 0;
    size_t size = 64 * 1024;
    void *memory = malloc(size);
    if (memory == NULL) return -1;
    stack_t alternate;
    memset(&alternate, 0, sizeof alternate);
    alternate.ss_sp = memory;
    alternate.ss_size = size;
    if (sigaltstack(&alternate, NULL) != 0) { free(memory); return -1; }
    pthread_setspecific(stack_key, memory);
    return 0;
}
