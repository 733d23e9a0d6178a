# SPDX-License-Identifier: Apache-2.0
# Oracle for tests/unit/test_sigv4.c: signs each request of a JSON list
# (stdin) with botocore's SigV4Auth at a fixed clock, and prints what it
# sent and computed (JSON, stdout).  Run with /usr/bin/python3.
import datetime
import json
import sys
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(c):
    req = AWSRequest(method=c['method'], url=c['url'],
                     headers=c.get('headers') or {},
                     data=c.get('body', '').encode('utf-8'),
                     params=c.get('params') or {})
    now = datetime.datetime.strptime(c['amzdate'], '%Y%m%dT%H%M%SZ')
    with mock.patch('botocore.auth.datetime') as d:
        d.datetime.utcnow.return_value = now
        auth = SigV4Auth(Credentials(c['ak'], c['sk'], c.get('token')),
                         c['service'], c['region'])
        auth.add_auth(req)
        authz = req.headers['Authorization']
        del req.headers['Authorization']
        creq = auth.canonical_request(req)
        sts = auth.string_to_sign(req, creq)
    url = req.prepare().url
    parts = urlsplit(url)
    return {
        'path': parts.path,
        'query': parts.query,
        'host': parts.netloc,
        'headers': [[k, v] for k, v in req.headers.items()],
        'authorization': authz,
        'creq': creq,
        'sts': sts,
    }


json.dump([sign(c) for c in json.load(sys.stdin)], sys.stdout)
