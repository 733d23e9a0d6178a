# SPDX-License-Identifier: Apache-2.0
"""Independent views of the simulated clouds, through real clients:
boto3 for EC2 (botocore signs, eipam-sim verifies) and plain HTTPS with an
AAD token for Azure.  Returns {node: set(private IPs on its primary NIC)}."""
import json
import os
import urllib.parse
import urllib.request


def _creds(state):
    d = os.path.join(state, "cloud-credentials")
    out = {}
    for f in os.listdir(d):
        with open(os.path.join(d, f)) as fh:
            out[f] = fh.read().strip()
    return out


def aws_nics(sim):
    import boto3
    flags = dict(l.split("=", 1) for l in sim.flags() if "=" in l)
    c = _creds(sim.state)
    if "aws_access_key_id" in c:
        session = boto3.session.Session(
            aws_access_key_id=c["aws_access_key_id"],
            aws_secret_access_key=c["aws_secret_access_key"],
            region_name="eu-central-1")
    else:
        # STS mode: exchange the web-identity token ourselves.
        ini = dict(l.split("=", 1) for l in c["credentials"].splitlines()
                   if "=" in l)
        ini = {k.strip(): v.strip() for k, v in ini.items()}
        with open(ini["web_identity_token_file"]) as f:
            token = f.read().strip()
        sts = boto3.client("sts", endpoint_url=flags["--aws-sts-endpoint"],
                           region_name="eu-central-1",
                           verify=flags["--ca-bundle"])
        r = sts.assume_role_with_web_identity(
            RoleArn=ini["role_arn"], RoleSessionName="e2e-checker",
            WebIdentityToken=token)["Credentials"]
        session = boto3.session.Session(
            aws_access_key_id=r["AccessKeyId"],
            aws_secret_access_key=r["SecretAccessKey"],
            aws_session_token=r["SessionToken"], region_name="eu-central-1")
    ec2 = session.client("ec2", endpoint_url=flags["--aws-ec2-endpoint"],
                         verify=flags["--ca-bundle"])
    node_of = {}
    for n in sim.items("/api/v1/nodes"):
        pid = n.get("spec", {}).get("providerID", "")
        node_of[pid.rsplit("/", 1)[-1]] = n["metadata"]["name"]
    out = {}
    for page in ec2.get_paginator("describe_network_interfaces").paginate():
        for eni in page["NetworkInterfaces"]:
            att = eni.get("Attachment") or {}
            if att.get("DeviceIndex") != 0 or att.get("InstanceId") not in \
                    node_of:
                continue
            out[node_of[att["InstanceId"]]] = {
                p["PrivateIpAddress"] for p in eni["PrivateIpAddresses"]}
    return out, ec2


def azure_nics(sim):
    """node -> private IPs of its primary NIC, through AAD and ARM over
    HTTPS (the simulator's own API, not the operator's client)."""
    import ssl
    flags = dict(l.split("=", 1) for l in sim.flags() if "=" in l)
    c = _creds(sim.state)
    ctx = ssl.create_default_context(cafile=flags["--ca-bundle"])
    form = {"grant_type": "client_credentials", "client_id":
            c["azure_client_id"], "scope":
            "https://management.azure.com/.default"}
    if "azure_client_secret" in c:
        form["client_secret"] = c["azure_client_secret"]
    else:
        with open(c["azure_federated_token_file"]) as f:
            form["client_assertion"] = f.read().strip()
        form["client_assertion_type"] = \
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    req = urllib.request.Request(
        flags["--azure-authority"].rstrip("/") + "/" + c["azure_tenant_id"] +
        "/oauth2/v2.0/token", data=urllib.parse.urlencode(form).encode(),
        method="POST")
    with urllib.request.urlopen(req, context=ctx, timeout=20) as r:
        token = json.loads(r.read())["access_token"]
    arm = flags["--azure-arm-endpoint"].rstrip("/")

    def get(path, ver):
        sep = "&" if "?" in path else "?"
        rq = urllib.request.Request(arm + path + sep + "api-version=" + ver)
        rq.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(rq, context=ctx, timeout=20) as r:
            return json.loads(r.read())

    infra = sim.get("/apis/config.openshift.io/v1/infrastructures/cluster")
    rg = infra["status"]["platformStatus"]["azure"]["resourceGroupName"]
    path = "/subscriptions/%s/resourceGroups/%s/providers/" \
        "Microsoft.Compute/virtualMachines" % (c["azure_subscription_id"], rg)
    out = {}
    while path:
        page = get(path, "2023-03-01")
        for vm in page.get("value", []):
            nics = vm["properties"]["networkProfile"]["networkInterfaces"]
            prim = [n for n in nics if (n.get("properties") or {}).get(
                "primary")] or nics[:1]
            nic = get(prim[0]["id"], "2023-09-01")
            out[vm["name"]] = {
                ip["properties"]["privateIPAddress"] for ip in
                nic["properties"]["ipConfigurations"]}
        nxt = page.get("nextLink")
        path = nxt[len(arm):] if nxt and nxt.startswith(arm) else None
    return out
