/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging for every process: one line per event (text or JSON), under
 * 4 KiB so that one write(2) keeps lines whole on a shared pipe, with the
 * level changeable at run time and secrets redacted before anything is
 * written.
 */
#ifndef EIP_LOG_H
#define EIP_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
	LOG_LVL_TRACE,
};

enum log_format {
	LOG_FMT_TEXT = 0,
	LOG_FMT_JSON,
};

#define LOG_LINE_MAX	4096

void	 log_init(const char *role, enum log_format fmt, enum log_level lvl);
void	 log_set_role(const char *role);
void	 log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
void	 log_set_format(enum log_format fmt);
enum log_format log_get_format(void);
void	 log_set_fd(int fd);
int	 log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level lvl);
int	 log_format_parse(const char *s, enum log_format *out);

/* Values that must never reach a log line (credentials, tokens). */
int	 log_register_secret(const char *value);
void	 log_forget_secrets(void);

/* Rewrites secrets in buf in place; returns the new length. */
size_t	 log_redact(char *buf, size_t len, size_t cap);

/* Formats one complete line (with '\n') into out; returns its length. */
size_t	 log_format_line(char *out, size_t cap, enum log_level lvl,
	    const char *msg);

void	 log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_msg(enum log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
/* fatal() appends strerror(errno); fatalx() does not. */
void	 fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#define log_enabled(lvl)	((lvl) <= log_get_level())

#endif
