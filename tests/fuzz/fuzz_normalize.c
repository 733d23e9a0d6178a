/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for watch-event normalization: the first byte picks the
 * kind, the rest is parsed as JSON (as a watch line is) and normalized.
 * Whatever comes out must be a body the protocol accepts, or NULL with a
 * reason; never a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "eip_proto.h"
#include "normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct wkind_info *ki;
	enum wkind k;
	json_t *in, *out, *ev;
	char err[512];

	if (size < 1)
		return 0;
	k = (enum wkind)(data[0] % WK_MAX);
	ki = wkind_info(k);
	in = json_loadb((const char *)data + 1, size - 1,
	    JSON_REJECT_DUPLICATES, NULL);
	if (in == NULL)
		return 0;
	/* A watch line wraps the object: {"type":..,"object":{..}}. */
	ev = json_object_get(in, "object");
	out = normalize_object(k, ev != NULL ? ev : in, err, sizeof(err));
	if (out != NULL) {
		if (eip_validate(out, eip_msg_schema(ki->msg), err,
		    sizeof(err)) != 0)
			abort();
		json_decref(out);
	}
	json_decref(in);
	return 0;
}
