# SPDX-License-Identifier: Apache-2.0
# Oracle for tests/unit/test_cloud_ec2.c, run with /usr/bin/python3:
# botocore's own EC2/STS serializer and parsers.  stdin: {"requests":
# [{op, params, body}], "responses": [{service, op, status, xml}]};
# stdout: for each request whether our form body decodes to exactly what
# botocore serializes, and each response as botocore parses it.
import datetime
import json
import sys
from urllib.parse import parse_qsl

import botocore.parsers
import botocore.serialize
import botocore.session

session = botocore.session.get_session()


def default(o):
    if isinstance(o, datetime.datetime):
        return o.strftime('%Y-%m-%dT%H:%M:%SZ')
    if isinstance(o, bytes):
        return o.decode()
    raise TypeError(type(o))


def main():
    inp = json.load(sys.stdin)
    out = {"requests": [], "responses": []}
    for r in inp.get("requests", []):
        svc = r.get("service", "ec2")
        model = session.get_service_model(svc)
        ser = botocore.serialize.create_serializer(model.metadata['protocol'])
        want = ser.serialize_to_request(r["params"],
                                        model.operation_model(r["op"]))
        want = {k: str(v) for k, v in want["body"].items()}
        got = dict(parse_qsl(r["body"], keep_blank_values=True,
                             strict_parsing=True))
        out["requests"].append({"equal": want == got, "want": want,
                                "got": got})
    for r in inp.get("responses", []):
        svc = r.get("service", "ec2")
        model = session.get_service_model(svc)
        parser = botocore.parsers.create_parser(model.metadata['protocol'])
        om = model.operation_model(r["op"])
        parsed = parser.parse({"status_code": r.get("status", 200),
                               "headers": {}, "body": r["xml"].encode()},
                              om.output_shape)
        parsed.pop("ResponseMetadata", None)
        out["responses"].append(parsed)
    json.dump(out, sys.stdout, default=default)


main()
