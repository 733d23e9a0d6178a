/* SPDX-License-Identifier: Apache-2.0 */
/* Restart policy (see restart.h): pure, clock given by the caller. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "restart.h"

void
restart_policy_default(struct restart_policy *p)
{
	p->backoff_min = 0.2;
	p->backoff_max = 30.0;
	p->recent = 30.0;
	p->throttle = 30.0;
	p->window = 300.0;
	p->max_deaths = 60;
	p->max_early = 5;
}

int
restart_count(const struct restart_state *s, double now, double span,
    int early_only)
{
	int i, idx, c = 0;

	for (i = 0; i < s->n; i++) {
		idx = (s->head - 1 - i + RESTART_RING) % RESTART_RING;
		if (now - s->deaths[idx] > span)
			break;		/* older entries are older still */
		if (!early_only || s->early[idx])
			c++;
	}
	return c;
}

double
restart_on_death(struct restart_state *s, const struct restart_policy *p,
    double now, int was_ready, int external_kill, double jitter01,
    char *why, size_t whylen)
{
	int early = !was_ready && !external_kill, recent, total;
	double delay;

	s->deaths[s->head] = now;
	s->early[s->head] = early;
	s->head = (s->head + 1) % RESTART_RING;
	if (s->n < RESTART_RING)
		s->n++;
	s->total++;

	total = restart_count(s, now, p->window, 0);
	if (total > p->max_deaths) {
		if (why != NULL)
			snprintf(why, whylen, "%d deaths in %.0f s", total,
			    p->window);
		return -1;
	}
	if (early) {
		int e = restart_count(s, now, p->window, 1);

		if (e > p->max_early) {
			if (why != NULL)
				snprintf(why, whylen, "%d deaths before READY "
				    "in %.0f s", e, p->window);
			return -1;
		}
		if (why != NULL)
			snprintf(why, whylen, "died before READY: throttled");
		return p->throttle;
	}
	recent = restart_count(s, now, p->recent, 0);
	delay = p->backoff_min * ldexp(1.0, recent > 30 ? 30 : recent - 1);
	if (delay > p->backoff_max)
		delay = p->backoff_max;
	delay *= 0.8 + 0.4 * jitter01;
	if (why != NULL)
		snprintf(why, whylen, "death %d in %.0f s: backoff", recent,
		    p->recent);
	return delay;
}
