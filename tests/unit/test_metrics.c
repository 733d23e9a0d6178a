/* SPDX-License-Identifier: Apache-2.0 */
/* metricsd/metrics.c: readiness and exposition from snapshots. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "testutil.h"

START_TEST(t_ready_and_render)
{
	struct metrics_state st;
	char why[128], *page;
	size_t len;
	json_t *procs, *gauges;

	metrics_init(&st);
	ck_assert(!metrics_ready(&st, 100, why, sizeof(why)));
	ck_assert_str_eq(why, "no process report from the supervisor");
	procs = json_loads("{\"procs\":[{\"role\":\"supervisor\",\"instance\":0,"
	    "\"pid\":1,\"up\":true,\"ready\":true,\"restarts\":0},"
	    "{\"role\":\"watcher\",\"instance\":0,\"pid\":2,\"up\":true,"
	    "\"ready\":false,\"restarts\":3,\"rss_bytes\":1000,\"cpu_ms\":1500,"
	    "\"fds\":7}]}", 0, NULL);
	metrics_set_procs(&st, procs, 100);
	ck_assert(!metrics_ready(&st, 100, why, sizeof(why)));
	ck_assert_str_eq(why, "watcher is not ready");
	json_object_set_new(json_array_get(json_object_get(procs, "procs"), 1),
	    "ready", json_true());
	metrics_set_procs(&st, procs, 100);
	ck_assert(!metrics_ready(&st, 100, why, sizeof(why)));
	ck_assert_str_eq(why, "no state from the allocator");
	gauges = json_pack("{s:b,s:b,s:{}}", "synced", 0, "leader", 1, "data");
	metrics_set_gauges(&st, gauges, 100);
	ck_assert(!metrics_ready(&st, 101, why, sizeof(why)));
	json_object_set_new(gauges, "synced", json_true());
	metrics_set_gauges(&st, gauges, 101);
	ck_assert(metrics_ready(&st, 102, why, sizeof(why)));
	/* Stale process reports make the pod unready. */
	ck_assert(!metrics_ready(&st, 200, why, sizeof(why)));

	page = metrics_render(&st, &len);
	ck_assert_uint_eq(strlen(page), len);
	ck_assert_ptr_nonnull(strstr(page,
	    "eipam_worker_restarts_total{role=\"watcher\",instance=\"0\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(page,
	    "eipam_process_cpu_seconds_total{role=\"watcher\",instance=\"0\"} 1.5\n"));
	ck_assert_ptr_nonnull(strstr(page, "# TYPE eipam_leader gauge\neipam_leader 1\n"));
	free(page);
	json_decref(procs);
	json_decref(gauges);
	metrics_clear(&st);
}
END_TEST

static const char full_gauges[] =
    "{\"synced\":true,\"leader\":true,\"data\":{\"ipams\":[{\"name\":"
    "\"egressipam-aws\",\"namespaces\":3,\"waiting\":1,\"cidrs\":[{\"cidr\":"
    "\"10.0.128.0/20\",\"size\":\"4096\",\"allocated\":3,\"reserved\":9,"
    "\"free\":\"4084\"},{\"cidr\":\"fd00::/64\",\"size\":"
    "\"18446744073709551616\",\"allocated\":0,\"reserved\":1,\"free\":"
    "\"18446744073709551615\"}],\"nodes\":[{\"node\":\"ip-10-0-128-10\","
    "\"capacity\":10,\"allocated\":4},{\"node\":\"we\\\"ird\","
    "\"capacity\":-1,\"allocated\":1}]}],\"latency\":{\"le\":[0.005,0.05,"
    "0.5],\"counts\":[1,2,3],\"count\":3,\"sum\":0.2},\"reconciles\":"
    "{\"ok\":5,\"error\":1}}}";

static const char full_procs[] =
    "{\"procs\":[{\"role\":\"watcher\",\"instance\":0,\"pid\":2,\"up\":true,"
    "\"ready\":true,\"restarts\":0,\"metrics\":{\"kube_requests\":[{\"verb\":"
    "\"PATCH\",\"code\":409,\"count\":2}]}},{\"role\":\"cloudworker\","
    "\"instance\":0,\"pid\":3,\"up\":true,\"ready\":true,\"restarts\":1,"
    "\"metrics\":{\"cloud_calls\":[{\"provider\":\"aws\",\"action\":"
    "\"AssignPrivateIpAddresses\",\"outcome\":\"ok\",\"count\":7}]}}]}";

START_TEST(t_full_page_lints)
{
	struct metrics_state st;
	json_t *g = json_loads(full_gauges, 0, NULL);
	json_t *p = json_loads(full_procs, 0, NULL);
	char path[] = "/tmp/eip-metrics-XXXXXX", cmd[256], *page;
	size_t len;
	FILE *fp;
	int fd, rc;

	ck_assert_ptr_nonnull(g);
	ck_assert_ptr_nonnull(p);
	metrics_init(&st);
	metrics_set_gauges(&st, g, 1);
	metrics_set_procs(&st, p, 1);
	page = metrics_render(&st, &len);
	ck_assert_ptr_nonnull(strstr(page, "egressip_ip_capacity{egressipam="
	    "\"egressipam-aws\",node=\"ip-10-0-128-10\"} 10\n"));
	/* Unknown capacity: no series rather than a misleading 0. */
	ck_assert_ptr_null(strstr(page, "egressip_ip_capacity{egressipam="
	    "\"egressipam-aws\",node=\"we"));
	ck_assert_ptr_nonnull(strstr(page, "node=\"we\\\"ird\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(page, "egressip_cidr_free{egressipam="
	    "\"egressipam-aws\",cidr=\"fd00::/64\"} 1.8446744073709552e+19\n"));
	ck_assert_ptr_nonnull(strstr(page,
	    "egressip_assign_latency_seconds_bucket{le=\"+Inf\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(page, "eipam_kube_requests_total{verb="
	    "\"PATCH\",code=\"409\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(page, "eipam_cloud_calls_total{provider="
	    "\"aws\",action=\"AssignPrivateIpAddresses\",outcome=\"ok\"} 7\n"));
	/* promtool (Debian's prometheus package) lints the whole page. */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fwrite(page, 1, len, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	rc = system(cmd);
	unlink(path);
	ck_assert_msg(rc == 0, "promtool check metrics failed (%d)", rc);
	free(page);
	json_decref(g);
	json_decref(p);
	metrics_clear(&st);
}
END_TEST

START_TEST(t_per_bucket_histogram)
{
	struct metrics_state st;
	json_t *g = json_loads("{\"synced\":true,\"leader\":true,\"data\":"
	    "{\"ipams\":[],\"assign_latency_seconds\":{\"le\":[0.01,0.1],"
	    "\"counts\":[2,3,1],\"count\":6,\"sum\":1.5},\"counters\":"
	    "{\"reconciles\":9,\"conflicts\":1}}}", 0, NULL);
	char *page;
	size_t len;

	metrics_init(&st);
	metrics_set_gauges(&st, g, 1);
	page = metrics_render(&st, &len);
	/* Per-bucket counts become cumulative buckets. */
	ck_assert_ptr_nonnull(strstr(page,
	    "egressip_assign_latency_seconds_bucket{le=\"0.01\"} 2\n"
	    "egressip_assign_latency_seconds_bucket{le=\"0.1\"} 5\n"
	    "egressip_assign_latency_seconds_bucket{le=\"+Inf\"} 6\n"));
	ck_assert_ptr_nonnull(strstr(page, "eipam_write_conflicts_total 1\n"));
	ck_assert_ptr_null(strstr(page, "eipam_writes_total"));
	free(page);
	json_decref(g);
	metrics_clear(&st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_ready_and_render);
	tcase_add_test(tc, t_full_page_lints);
	tcase_add_test(tc, t_per_bucket_histogram);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
