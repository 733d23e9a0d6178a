/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The allocator's benchmark (never run by make check; prints one JSON
 * object): (1) random and lowest picks per second in a /16 that is 0%,
 * 90% and 99.9% full, the fill held constant by releasing each pick;
 * (2) the model's work per event with 100 and with 10,000 namespaces:
 * time and decisions to take one namespace from opt-in to written and
 * placed, against the fake cluster of the unit tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc_fake.h"
#include "ipaddr.h"
#include "log.h"
#include "pool.h"
#include "rng.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Picks per second at a fill level; each pick is marked and released. */
static double
picks_per_s(double fill, enum pool_sel sel, long iters)
{
	struct eip_cidr c;
	struct eip_pool *p;
	struct eip_rng rng;
	struct eip_ip ip;
	u128 i, target;
	double t0, t;
	long k;

	cidr_parse("10.20.0.0/16", &c);
	p = pool_new(&c);
	rng_init(&rng, 42);
	target = (u128)((double)(u128)65534 * fill);
	/* Fill with random addresses, as a long-running cluster would be. */
	for (i = 0; i < target; i++) {
		pool_pick(p, POOL_SEL_RANDOM, &rng, &ip);
		pool_mark(p, &ip, POOL_HELD);
	}
	t0 = now_s();
	for (k = 0; k < iters; k++) {
		if (pool_pick(p, sel, &rng, &ip) == -1)
			abort();
		pool_mark(p, &ip, POOL_HELD);
		pool_unmark(p, &ip, POOL_HELD);
	}
	t = now_s() - t0;
	pool_free(p);
	return (double)iters / t;
}

struct per_event {
	const char *network;
	size_t	 namespaces;
	double	 us_per_event;
	double	 model_us_per_event;
	double	 decisions_per_event;
	double	 writes_per_event;
	double	 setup_s;
};

/* One namespace in, settled, out again: repeated, over a converged base. */
static struct per_event
work_per_event(const char *network, size_t n, int events)
{
	struct eip_model_config cfg;
	struct per_event r;
	struct fake *f;
	json_t *g;
	char ns[32];
	double t0;
	uint64_t d0, d1;
	size_t w0, k;
	int i;

	memset(&r, 0, sizeof(r));
	r.network = network;
	r.namespaces = n;
	model_config_default(&cfg);
	cfg.seed = 7;
	f = fake_new(network, "BareMetal", &cfg);
	f->sdn_master = 0;
	/* Three zones, two nodes each, explicit placement (capacity set). */
	for (k = 0; k < 6; k++) {
		char name[16], labels[128], ip[32];

		snprintf(name, sizeof(name), "w%zu", k);
		snprintf(labels, sizeof(labels), "{\"zone\":\"%c\"}",
		    (int)('a' + k / 2));
		snprintf(ip, sizeof(ip), "192.168.0.%zu", 10 + k);
		fake_node(f, name, labels, "True", ip, 100000);
	}
	fake_ipam(f, "e", "{\"cidrAssignments\":["
	    "{\"labelValue\":\"a\",\"CIDR\":\"10.30.0.0/16\"},"
	    "{\"labelValue\":\"b\",\"CIDR\":\"10.31.0.0/16\"},"
	    "{\"labelValue\":\"c\",\"CIDR\":\"10.32.0.0/16\"}],"
	    "\"topologyLabel\":\"zone\"}", NULL);
	for (k = 0; k < n; k++) {
		snprintf(ns, sizeof(ns), "base-%zu", k);
		fake_ns(f, ns, "e", NULL);
	}
	t0 = now_s();
	fake_start(f);
	r.setup_s = now_s() - t0;
	g = model_gauges(f->m);
	d0 = (uint64_t)json_integer_value(json_object_get(json_object_get(
	    json_object_get(g, "data"), "counters"), "decisions"));
	json_decref(g);
	w0 = f->writes;
	f->model_s = 0;
	t0 = now_s();
	for (i = 0; i < events; i++) {
		snprintf(ns, sizeof(ns), "new-%d", i);
		fake_ns(f, ns, "e", NULL);
		fake_settle(f);
		if (fake_annot(f, ns) == NULL)
			abort();
		fake_ns_delete(f, ns);
		fake_settle(f);
	}
	r.us_per_event = (now_s() - t0) * 1e6 / (2.0 * events);
	r.model_us_per_event = f->model_s * 1e6 / (2.0 * events);
	g = model_gauges(f->m);
	d1 = (uint64_t)json_integer_value(json_object_get(json_object_get(
	    json_object_get(g, "data"), "counters"), "decisions"));
	json_decref(g);
	r.decisions_per_event = (double)(d1 - d0) / (2.0 * events);
	r.writes_per_event = (double)(f->writes - w0) / (2.0 * events);
	fake_free(f);
	return r;
}

int
main(int argc, char **argv)
{
	static const double fills[] = { 0.0, 0.9, 0.999 };
	struct per_event r[4];
	long iters = argc > 1 ? atol(argv[1]) : 2000000;
	int events = argc > 2 ? atoi(argv[2]) : 200;
	size_t i;

	log_init("bench", LOG_FMT_TEXT, LOG_LVL_WARN);
	printf("{\"benchmark\": \"allocator\", \"pool\": [");
	for (i = 0; i < 3; i++) {
		printf("%s{\"cidr\": \"/16\", \"fill\": %.3f, "
		    "\"random_picks_per_s\": %.0f, \"lowest_picks_per_s\": %.0f}",
		    i > 0 ? ", " : "", fills[i],
		    picks_per_s(fills[i], POOL_SEL_RANDOM, iters),
		    picks_per_s(fills[i], POOL_SEL_LOWEST, iters));
		fflush(stdout);
	}
	if (getenv("ALLOC_BENCH_ONE") != NULL) {	/* for profiling */
		work_per_event(getenv("ALLOC_BENCH_ONE"), 10000, events);
		return 0;
	}
	r[0] = work_per_event("OVNKubernetes", 100, events);
	r[1] = work_per_event("OVNKubernetes", 10000, events);
	r[2] = work_per_event("OpenShiftSDN", 100, events);
	r[3] = work_per_event("OpenShiftSDN", 10000, events);
	printf("], \"per_event\": [");
	for (i = 0; i < 4; i++)
		printf("%s{\"network\": \"%s\", \"namespaces\": %zu, "
		    "\"us_per_event\": %.1f, \"model_us_per_event\": %.1f, "
		    "\"decisions_per_event\": %.2f, \"writes_per_event\": %.2f, "
		    "\"initial_sync_s\": %.2f}", i > 0 ? ", " : "",
		    r[i].network, r[i].namespaces, r[i].us_per_event,
		    r[i].model_us_per_event, r[i].decisions_per_event,
		    r[i].writes_per_event, r[i].setup_s);
	printf("]}\n");
	return 0;
}
