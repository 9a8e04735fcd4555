/* SPDX-License-Identifier: MIT */
/*
 * base/log: one process-wide sink (the single piece of global state the
 * design allows, HOUSE-STYLE rule 17).  It is read under a mutex so a tool
 * may install it while library threads already log.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "base/log.h"

#define LOG_BUFLEN 512

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static zv_log_fn log_fn;
static void *log_arg;
static enum zv_log_level log_max = ZV_LOG_INFO;

void
zv_log_set_sink(zv_log_fn fn, void *arg, enum zv_log_level max)
{
    pthread_mutex_lock(&log_lock);
    log_fn = fn;
    log_arg = arg;
    log_max = max;
    pthread_mutex_unlock(&log_lock);
}

void
zv_log(enum zv_log_level level, const char *fmt, ...)
{
    char buf[LOG_BUFLEN];
    zv_log_fn fn;
    void *arg;
    va_list ap;

    pthread_mutex_lock(&log_lock);
    fn = log_fn;
    arg = log_arg;
    if (level > log_max)
        fn = NULL;
    pthread_mutex_unlock(&log_lock);
    if (!fn)
        return;
    /* Long messages are truncated: a log line is for humans. */
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    fn(arg, level, buf);
}

static const char *
log_level_name(enum zv_log_level level)
{
    switch (level) {
    case ZV_LOG_ERR:
        return "error";
    case ZV_LOG_WARNING:
        return "warning";
    case ZV_LOG_INFO:
        return "info";
    case ZV_LOG_DEBUG:
        return "debug";
    }
    return "log";
}

void
zv_log_stderr(void *arg, enum zv_log_level level, const char *msg)
{
    fprintf(stderr, "zvfio: %s: %s\n", log_level_name(level), msg);
}
