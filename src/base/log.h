/* SPDX-License-Identifier: MIT */
/*
 * base/log: the library logs through a callback, never straight to stderr
 * (HOUSE-STYLE rule 17).  With no callback set the library prints
 * nothing; tools install a stderr sink.
 */
#ifndef ZV_BASE_LOG_H
#define ZV_BASE_LOG_H

enum zv_log_level {
    ZV_LOG_ERR = 3,
    ZV_LOG_WARNING = 4,
    ZV_LOG_INFO = 6,
    ZV_LOG_DEBUG = 7,
};

typedef void (*zv_log_fn)(void *arg, enum zv_log_level level, const char *msg);

/* Process-wide sink: the one piece of global state, set once by a tool. */
void zv_log_set_sink(zv_log_fn fn, void *arg, enum zv_log_level max);
void zv_log(enum zv_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A ready-made sink that writes "zvfio: <level>: msg\n" to stderr. */
void zv_log_stderr(void *arg, enum zv_log_level level, const char *msg);

#endif
