/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for what the cloudworker reads from ARM and AAD: the
 * input as a NIC (and its ENSURE transformation, whose result must be
 * stable when applied twice), a VM, a VNet, a token, an error and an
 * operation status.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "azjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data;
	struct ensure_plan p, p2;
	struct az_nic_info ni;
	struct eip_cidr owned;
	struct eip_ip want[2], *used;
	enum az_lro st;
	json_t *j, *put, *again;
	char err[256], code[64], msg[256], sc[64], *s;
	size_t n;
	long exp;
	int changed;

	if (aad_parse_token(b, size, &s, &exp, err, sizeof(err)) == 0)
		free(s);
	(void)aad_parse_error(b, size, code, sizeof(code), msg, sizeof(msg));
	(void)arm_parse_error(b, size, code, sizeof(code), msg, sizeof(msg));
	(void)az_lro_parse(b, size, &st, code, sizeof(code), msg, sizeof(msg));
	j = json_loadb(b, size, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return 0;
	cidr_parse("10.0.1.0/24", &owned);
	ip_parse("10.0.1.50", &want[0]);
	ip_parse("10.0.1.51", &want[1]);
	if (az_nic_info(j, &ni, err, sizeof(err)) == 0)
		az_nic_info_clear(&ni);
	put = az_nic_transform(j, &owned, 1, want, 2, AZ_LB_SAME_AS_PRIMARY,
	    &changed, &p, err, sizeof(err));
	if (put != NULL) {
		/* What we would PUT must already be what we want. */
		again = az_nic_transform(put, &owned, 1, want, 2,
		    AZ_LB_SAME_AS_PRIMARY, &changed, &p2, err, sizeof(err));
		if (again == NULL || changed || p2.nadd != 0 ||
		    p2.nremove != 0)
			abort();
		json_decref(again);
		ensure_plan_clear(&p2);
		ensure_plan_clear(&p);
		json_decref(put);
	}
	if ((s = az_vm_primary_nic(j, err, sizeof(err))) != NULL)
		free(s);
	if (az_vnet_used(j, &owned, &used, &n, sc, sizeof(sc), err,
	    sizeof(err)) == 0)
		free(used);
	json_decref(j);
	return 0;
}
