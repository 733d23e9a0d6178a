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
