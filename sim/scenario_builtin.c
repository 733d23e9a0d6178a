/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The built-in scenarios, in the same JSON format as a scenario file
 * (sim/README.md).  Their EgressIPAMs are the upstream README's examples,
 * and their nodes are laid out so that those examples work as written.
 */
#include <string.h>

#include "sim_ctx.h"

#define BM_IPAM \
	"\"egressipam\":{\"apiVersion\":\"redhatcop.redhat.io/v1alpha1\"," \
	"\"kind\":\"EgressIPAM\",\"metadata\":{\"name\":\"example-egressipam\"}," \
	"\"spec\":{\"cidrAssignments\":[{\"labelValue\":\"true\"," \
	"\"CIDR\":\"192.169.0.0/24\",\"reservedIPs\":[\"192.159.0.5\"]}]," \
	"\"topologyLabel\":\"egressGateway\",\"nodeSelector\":{\"matchLabels\":" \
	"{\"node-role.kubernetes.io/worker\":\"\"}}}}"

#define AWS_ZONES \
	"\"region\":\"eu-central-1\",\"zones\":[" \
	"{\"name\":\"eu-central-1a\",\"cidr\":\"10.0.128.0/20\"}," \
	"{\"name\":\"eu-central-1b\",\"cidr\":\"10.0.144.0/20\"}," \
	"{\"name\":\"eu-central-1c\",\"cidr\":\"10.0.160.0/20\"}]," \
	"\"masterInstanceType\":\"m5.xlarge\"," \
	"\"instanceTypes\":[\"m5.large\",\"m5.xlarge\",\"t3.medium\"]"

#define AWS_IPAM \
	"\"egressipam\":{\"apiVersion\":\"redhatcop.redhat.io/v1alpha1\"," \
	"\"kind\":\"EgressIPAM\",\"metadata\":{\"name\":\"egressipam-aws\"}," \
	"\"spec\":{\"cidrAssignments\":[" \
	"{\"labelValue\":\"eu-central-1a\",\"CIDR\":\"10.0.128.0/20\"}," \
	"{\"labelValue\":\"eu-central-1b\",\"CIDR\":\"10.0.144.0/20\"}," \
	"{\"labelValue\":\"eu-central-1c\",\"CIDR\":\"10.0.160.0/20\"}]," \
	"\"topologyLabel\":\"failure-domain.beta.kubernetes.io/zone\"," \
	"\"nodeSelector\":{\"matchLabels\":" \
	"{\"node-role.kubernetes.io/worker\":\"\"}}}}"

#define AZ_ZONES \
	"\"region\":\"westeurope\",\"zones\":[" \
	"{\"name\":\"westeurope-1\",\"cidr\":\"10.0.32.0/19\"}," \
	"{\"name\":\"westeurope-2\",\"cidr\":\"10.0.32.0/19\"}," \
	"{\"name\":\"westeurope-3\",\"cidr\":\"10.0.32.0/19\"}]," \
	"\"masterCidr\":\"10.0.0.0/19\"," \
	"\"masterInstanceType\":\"Standard_D8s_v3\"," \
	"\"instanceTypes\":[\"Standard_D4s_v3\",\"Standard_D2s_v3\"]"

#define AZ_IPAM \
	"\"egressipam\":{\"apiVersion\":\"redhatcop.redhat.io/v1alpha1\"," \
	"\"kind\":\"EgressIPAM\",\"metadata\":{\"name\":\"egressipam-azure\"}," \
	"\"spec\":{\"cidrAssignments\":[{\"labelValue\":\"\"," \
	"\"CIDR\":\"10.0.32.0/19\",\"reservedIPs\":[\"10.0.32.8\"]}]," \
	"\"topologyLabel\":\"node-role.kubernetes.io/worker\"," \
	"\"nodeSelector\":{\"matchLabels\":" \
	"{\"node-role.kubernetes.io/worker\":\"\"}}}}"

static const struct {
	const char	*name;
	const char	*json;
} builtins[] = {
	{ "baremetal", "{\"platform\":\"BareMetal\",\"networkType\":"
	    "\"OpenShiftSDN\",\"infrastructureName\":\"sim-bm-4k2xq\","
	    "\"zones\":[{\"name\":\"\",\"cidr\":\"192.169.0.0/24\"}],"
	    "\"masters\":3,\"workers\":3,\"workerLabels\":{\"egressGateway\":"
	    "\"true\"}," BM_IPAM "}" },
	{ "baremetal-3zone", "{\"platform\":\"BareMetal\",\"networkType\":"
	    "\"OpenShiftSDN\",\"infrastructureName\":\"sim-bm3-9d7wz\","
	    "\"zoneLabels\":true,\"zones\":["
	    "{\"name\":\"zone-a\",\"cidr\":\"192.168.10.0/24\"},"
	    "{\"name\":\"zone-b\",\"cidr\":\"192.168.20.0/24\"},"
	    "{\"name\":\"zone-c\",\"cidr\":\"192.168.30.0/24\"}],"
	    "\"masters\":3,\"workers\":3,"
	    "\"egressipam\":{\"apiVersion\":\"redhatcop.redhat.io/v1alpha1\","
	    "\"kind\":\"EgressIPAM\",\"metadata\":{\"name\":"
	    "\"egressipam-3zone\"},\"spec\":{\"cidrAssignments\":["
	    "{\"labelValue\":\"zone-a\",\"CIDR\":\"192.168.10.0/24\"},"
	    "{\"labelValue\":\"zone-b\",\"CIDR\":\"192.168.20.0/24\"},"
	    "{\"labelValue\":\"zone-c\",\"CIDR\":\"192.168.30.0/24\"}],"
	    "\"topologyLabel\":\"topology.kubernetes.io/zone\","
	    "\"nodeSelector\":{\"matchLabels\":"
	    "{\"node-role.kubernetes.io/worker\":\"\"}}}}}" },
	{ "aws", "{\"platform\":\"AWS\",\"credentials\":\"static\","
	    "\"networkType\":\"OpenShiftSDN\",\"infrastructureName\":"
	    "\"sim-aws-5tq8v\",\"zoneLabels\":true," AWS_ZONES ","
	    "\"masters\":3,\"workers\":3," AWS_IPAM "}" },
	{ "aws-sts", "{\"platform\":\"AWS\",\"credentials\":\"sts\","
	    "\"networkType\":\"OpenShiftSDN\",\"infrastructureName\":"
	    "\"sim-sts-2m6hr\",\"zoneLabels\":true," AWS_ZONES ","
	    "\"masters\":3,\"workers\":3," AWS_IPAM "}" },
	{ "azure", "{\"platform\":\"Azure\",\"credentials\":\"secret\","
	    "\"networkType\":\"OpenShiftSDN\",\"infrastructureName\":"
	    "\"sim-az-8fj3c\",\"zoneLabels\":true," AZ_ZONES ","
	    "\"masters\":3,\"workers\":3," AZ_IPAM "}" },
	{ "azure-wi", "{\"platform\":\"Azure\",\"credentials\":\"wi\","
	    "\"networkType\":\"OpenShiftSDN\",\"infrastructureName\":"
	    "\"sim-azwi-6pz1d\",\"zoneLabels\":true," AZ_ZONES ","
	    "\"masters\":3,\"workers\":3," AZ_IPAM "}" },
	{ "ovn", "{\"platform\":\"BareMetal\",\"networkType\":"
	    "\"OVNKubernetes\",\"infrastructureName\":\"sim-ovn-3h5kd\","
	    "\"zones\":[{\"name\":\"\",\"cidr\":\"192.169.0.0/24\"}],"
	    "\"masters\":3,\"workers\":3,\"workerLabels\":{\"egressGateway\":"
	    "\"true\"}," BM_IPAM "}" },
	{ "ovn-aws", "{\"platform\":\"AWS\",\"credentials\":\"static\","
	    "\"networkType\":\"OVNKubernetes\",\"infrastructureName\":"
	    "\"sim-ovnaws-7c4ne\",\"zoneLabels\":true," AWS_ZONES ","
	    "\"masters\":3,\"workers\":3," AWS_IPAM "}" },
};

json_t *
scenario_builtin(const char *name)
{
	size_t i;
	json_t *j;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		if (strcmp(builtins[i].name, name) != 0)
			continue;
		j = json_loads(builtins[i].json, 0, NULL);
		if (j != NULL)
			json_object_set_new(j, "name", json_string(name));
		return j;
	}
	return NULL;
}
