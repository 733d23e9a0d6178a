/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metricsd's state and the Prometheus text exposition, as pure functions
 * of what the supervisor (PROC_STATS) and the allocator (GAUGES) sent, so
 * tests can render and lint a scrape without sockets.
 */
#ifndef EIP_METRICS_H
#define EIP_METRICS_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct metrics_state {
	json_t	*procs;		/* PROC_STATS body */
	time_t	 procs_at;
	json_t	*gauges;	/* GAUGES body */
	time_t	 gauges_at;
};

void	 metrics_init(struct metrics_state *);
void	 metrics_clear(struct metrics_state *);
void	 metrics_set_procs(struct metrics_state *, const json_t *, time_t);
void	 metrics_set_gauges(struct metrics_state *, const json_t *, time_t);
/* Ready = every role up and READY, the allocator synced. */
int	 metrics_ready(const struct metrics_state *, time_t now, char *why,
	    size_t whylen);
/* The whole /metrics page, malloc'ed. */
char	*metrics_render(const struct metrics_state *, size_t *len);

#endif
