/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process figures of every role from /proc, for metricsd (PROC_STATS):
 * resident memory, CPU time, open descriptors, restarts, up/ready.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "supervisor.h"

static long long
rss_bytes(pid_t pid)
{
	char path[64];
	long long pages = -1, size;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	if (fscanf(fp, "%lld %lld", &size, &pages) != 2)
		pages = -1;
	fclose(fp);
	return pages < 0 ? -1 : pages * sysconf(_SC_PAGESIZE);
}

static long long
cpu_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* The command name may hold spaces; fields resume after its ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	    &ut, &st) != 2)
		return -1;
	return (long long)((ut + st) * 1000ULL /
	    (unsigned long long)sysconf(_SC_CLK_TCK));
}

static long long
open_fds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	long long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static json_t *
proc_entry(const char *role, int instance, pid_t pid, int up, int ready,
    unsigned long restarts, const json_t *detail)
{
	json_t *p = json_pack("{s:s,s:i,s:i,s:b,s:b,s:I}", "role", role,
	    "instance", instance, "pid", (int)pid, "up", up, "ready", ready,
	    "restarts", (json_int_t)restarts);
	long long v;

	if (pid > 0) {
		if ((v = rss_bytes(pid)) >= 0)
			json_object_set_new(p, "rss_bytes", json_integer(v));
		if ((v = cpu_ms(pid)) >= 0)
			json_object_set_new(p, "cpu_ms", json_integer(v));
		if ((v = open_fds(pid)) >= 0)
			json_object_set_new(p, "fds", json_integer(v));
	}
	/* Counters a worker reports in its heartbeat, for metricsd. */
	if (json_object_get(detail, "metrics") != NULL)
		json_object_set(p, "metrics", json_object_get(detail, "metrics"));
	return p;
}

json_t *
procstat_collect(const struct supervisor *s)
{
	json_t *procs = json_array();
	int i;

	json_array_append_new(procs, proc_entry("supervisor", 0, getpid(), 1,
	    1, 0, NULL));
	for (i = 0; i < s->nchildren; i++) {
		const struct child *c = &s->children[i];

		json_array_append_new(procs, proc_entry(eip_role_name(c->role),
		    c->instance, c->pid, c->pid > 0, c->state == CHILD_READY,
		    c->restarts, c->detail));
	}
	return json_pack("{s:o}", "procs", procs);
}
