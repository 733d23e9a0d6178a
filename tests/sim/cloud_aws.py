# SPDX-License-Identifier: Apache-2.0
# Fidelity of eipam-sim's EC2 and STS, judged by clients nobody here wrote:
# boto3 end to end over TLS (its SigV4 accepted, a tampered signature
# refused, every action the operator uses, errors, pagination, throttling
# with botocore's retries, STS web identity and expiry), and every raw
# response checked element by element against botocore's EC2 model and
# parsed with botocore's own parsers.  Run with /usr/bin/python3; TAP.
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.environ.get('top_srcdir', '.'),
                                'tests', 'sim'))
from cloudsim import Sim, Tap, count  # noqa: E402

import boto3  # noqa: E402
import botocore.parsers  # noqa: E402
import botocore.session  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

tap = Tap()
MODEL = botocore.session.get_session().get_service_model('ec2')
raw = []          # (operation name, status, body) of every response


def capture(http_response, operation_name=None, **kw):
    raw.append((kw.get('model').name if kw.get('model') else '?',
                http_response.status_code, http_response.content))


def client(sim, ak, sk, token=None, retries=None):
    cfg = Config(retries=retries or {'mode': 'standard',
                                     'total_max_attempts': 1})
    c = boto3.client('ec2', endpoint_url=sim.base + '/aws/ec2/',
                     verify=sim.ca, region_name='eu-central-1',
                     aws_access_key_id=ak, aws_secret_access_key=sk,
                     aws_session_token=token, config=cfg)
    c.meta.events.register('after-call.ec2', lambda **kw: capture(
        kw['http_response'], model=kw.get('model')))
    return c


def code_of(fn):
    try:
        fn()
    except ClientError as e:
        return e.response['Error']['Code'], \
            e.response['ResponseMetadata']['HTTPStatusCode']
    return None, 200


def strip(tag):
    return tag.split('}', 1)[-1]


def walk(elem, shape, path, errors):
    """Every element of a response must be a member of the model."""
    t = shape.type_name
    if t == 'structure':
        members = {m.serialization.get('name', n): m
                   for n, m in shape.members.items()}
        for child in elem:
            tag = strip(child.tag)
            if tag == 'requestId' and path.count('/') == 0:
                continue
            if tag not in members:
                errors.append('%s/%s is not in %s' % (path, tag, shape.name))
                continue
            walk(child, members[tag], path + '/' + tag, errors)
    elif t == 'list':
        want = shape.member.serialization.get('name', 'item')
        for child in elem:
            if strip(child.tag) != want:
                errors.append('%s/%s: list items are <%s>' % (
                    path, strip(child.tag), want))
            walk(child, shape.member, path + '/' + want, errors)
    else:
        if len(elem):
            errors.append('%s: scalar %s has children' % (path, t))
        text = elem.text or ''
        if t == 'boolean' and text not in ('true', 'false'):
            errors.append('%s: boolean %r' % (path, text))
        if t in ('integer', 'long'):
            try:
                int(text)
            except ValueError:
                errors.append('%s: integer %r' % (path, text))


def check_raw(sim):
    """Raw bodies: strict against the model, then botocore's parsers."""
    seen = set()
    for op, status, body in raw:
        root = ET.fromstring(body)
        if status == 200:
            om = MODEL.operation_model(op)
            errors = []
            if om.output_shape is not None:
                walk(root, om.output_shape, strip(root.tag), errors)
            tap.check(strip(root.tag) == op + 'Response' and not errors,
                      'raw %s response fits the botocore model' % op,
                      '\n'.join(errors))
            parsed = botocore.parsers.create_parser('ec2').parse(
                {'status_code': 200, 'headers': {}, 'body': body},
                om.output_shape)
            tap.check(len(parsed['ResponseMetadata']['RequestId']) == 36,
                      'botocore parser reads %s with its request id' % op)
            seen.add(op)
        else:
            parsed = botocore.parsers.create_parser('ec2').parse(
                {'status_code': status, 'headers': {}, 'body': body}, None)
            err = parsed.get('Error', {})
            tap.check(strip(root.tag) == 'Response' and err.get('Code') and
                      err.get('Message') is not None and
                      len(parsed['ResponseMetadata']['RequestId']) == 36,
                      'error %s %s parses (%s)' % (op, status,
                                                   err.get('Code')),
                      body.decode())
    want = {'DescribeInstances', 'DescribeInstanceTypes', 'DescribeSubnets',
            'DescribeNetworkInterfaces', 'AssignPrivateIpAddresses',
            'UnassignPrivateIpAddresses'}
    tap.check(want <= seen, 'every action the operator uses was parsed',
              sorted(want - seen))


def aws_static():
    sim = Sim('aws')
    try:
        ak = sim.cred('aws_access_key_id')
        sk = sim.cred('aws_secret_access_key')
        ec2 = client(sim, ak, sk)
        r = ec2.describe_instances()
        insts = [i for res in r['Reservations'] for i in res['Instances']]
        tap.check(len(insts) == 6 and all(
            i['State']['Name'] == 'running' and
            i['NetworkInterfaces'][0]['Attachment']['DeviceIndex'] == 0
            for i in insts), 'boto3 DescribeInstances: 6 running instances')
        byname = {t['Value']: i for i in insts for t in i['Tags']
                  if t['Key'] == 'Name'}
        worker = byname['sim-aws-5tq8v-worker-eu-central-1c-2']
        tap.check(worker['InstanceType'] == 't3.medium' and
                  worker['Placement']['AvailabilityZone'] ==
                  'eu-central-1c', 'instance type and zone of a worker')

        # A signature that was changed on the way is refused.
        bad = client(sim, ak, sk)

        def tamper(request, **kw):
            a = request.headers['Authorization']
            if isinstance(a, bytes):
                a = a.decode()
            request.headers['Authorization'] = a[:-1] + (
                '0' if a[-1] != '0' else '1')
        bad.meta.events.register('before-send.ec2', tamper)
        tap.check(code_of(bad.describe_instances) == ('AuthFailure', 401),
                  'tampered signature: AuthFailure 401')
        tap.check(code_of(client(sim, ak, 'x' * 40).describe_subnets) ==
                  ('AuthFailure', 401), 'wrong secret: AuthFailure 401')

        t = ec2.describe_instance_types(InstanceTypes=['m5.large',
                                                       't3.medium'])
        caps = {x['InstanceType']: x['NetworkInfo'][
            'Ipv4AddressesPerInterface'] for x in t['InstanceTypes']}
        tap.check(caps == {'m5.large': 10, 't3.medium': 6},
                  'DescribeInstanceTypes capacities', caps)
        p = ec2.get_paginator('describe_instance_types')
        n = sum(len(pg['InstanceTypes']) for pg in
                p.paginate(PaginationConfig={'PageSize': 5}))
        tap.check(n >= 11, 'DescribeInstanceTypes paginated: %d types' % n)

        sub = ec2.describe_subnets(Filters=[
            {'Name': 'cidr-block', 'Values': ['10.0.160.0/20']}])['Subnets']
        tap.check(len(sub) == 1 and sub[0]['AvailabilityZone'] ==
                  'eu-central-1c', 'DescribeSubnets by cidr-block')
        p = ec2.get_paginator('describe_network_interfaces')
        enis = [e for pg in p.paginate(
            Filters=[{'Name': 'subnet-id', 'Values': [sub[0]['SubnetId']]}],
            PaginationConfig={'PageSize': 5}) for e in pg['NetworkInterfaces']]
        kinds = sorted(e['InterfaceType'] for e in enis)
        tap.check(kinds == ['interface', 'interface', 'interface',
                            'network_load_balancer'],
                  'DescribeNetworkInterfaces paginated with subnet filter',
                  kinds)
        eni = worker['NetworkInterfaces'][0]['NetworkInterfaceId']
        mine = ec2.describe_network_interfaces(Filters=[
            {'Name': 'attachment.instance-id',
             'Values': [worker['InstanceId']]}])['NetworkInterfaces']
        tap.check([e['NetworkInterfaceId'] for e in mine] == [eni],
                  'DescribeNetworkInterfaces by attachment.instance-id')

        a = ec2.assign_private_ip_addresses(
            NetworkInterfaceId=eni, AllowReassignment=False,
            PrivateIpAddresses=['10.0.161.10', '10.0.161.11'])
        tap.check(sorted(x['PrivateIpAddress'] for x in
                         a['AssignedPrivateIpAddresses']) ==
                  ['10.0.161.10', '10.0.161.11'], 'AssignPrivateIpAddresses')
        ips = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])[
            'NetworkInterfaces'][0]['PrivateIpAddresses']
        tap.check([(x['PrivateIpAddress'], x['Primary']) for x in ips][1:] ==
                  [('10.0.161.10', False), ('10.0.161.11', False)] and
                  ips[0]['Primary'], 'the ENI lists primary then secondaries')
        tap.check(code_of(lambda: ec2.assign_private_ip_addresses(
            NetworkInterfaceId=eni, PrivateIpAddresses=[
                '10.0.161.%d' % i for i in range(20, 24)])) ==
            ('PrivateIpAddressLimitExceeded', 400),
            't3.medium: a 7th address is PrivateIpAddressLimitExceeded')
        sim.control('take-address', {'ip': '10.0.161.30'})
        tap.check(code_of(lambda: ec2.assign_private_ip_addresses(
            NetworkInterfaceId=eni, PrivateIpAddresses=['10.0.161.30'],
            AllowReassignment=False)) == ('InvalidParameterValue', 400),
            'an address a foreign ENI holds is refused')
        tap.check(code_of(lambda: ec2.assign_private_ip_addresses(
            NetworkInterfaceId=eni, PrivateIpAddresses=['10.0.160.2'])) ==
            ('InvalidParameterValue', 400), 'a reserved address is refused')
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni,
                                          PrivateIpAddresses=['10.0.161.10'])
        left = [x['PrivateIpAddress'] for x in
                ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])[
                    'NetworkInterfaces'][0]['PrivateIpAddresses']]
        tap.check('10.0.161.10' not in left and '10.0.161.11' in left,
                  'UnassignPrivateIpAddresses')
        tap.check(code_of(lambda: ec2.describe_instances(
            InstanceIds=[worker['InstanceId'], 'i-0123456789abcdef0'])) ==
            ('InvalidInstanceID.NotFound', 400),
            'one unknown instance id fails the whole call')

        # Throttling: botocore's standard retries ride out a short storm,
        # and one attempt alone sees 503 RequestLimitExceeded.
        sim.control('throttle', {'class': 'mutate', 'rate': 4, 'burst': 1})
        retrying = client(sim, ak, sk, retries={'mode': 'standard',
                                                'max_attempts': 5})
        attempts = 0
        for i in range(3):
            r = retrying.assign_private_ip_addresses(
                NetworkInterfaceId=eni, PrivateIpAddresses=[
                    '10.0.161.%d' % (40 + i)])
            attempts += r['ResponseMetadata']['RetryAttempts']
        tap.check(attempts >= 1, 'botocore retried throttled calls '
                  '(%d retries) and succeeded' % attempts)
        sim.control('throttle', {'class': 'mutate', 'rate': 0.001,
                                 'burst': 1})
        once = client(sim, ak, sk)
        codes = [code_of(lambda: once.unassign_private_ip_addresses(
            NetworkInterfaceId=eni, PrivateIpAddresses=['10.0.161.4%d' % i]))
            for i in range(2)]
        tap.check(('RequestLimitExceeded', 503) in codes,
                  'a throttled call is 503 RequestLimitExceeded', codes)
        st = sim.stats()
        tap.check(count(st, 'ec2:AssignPrivateIpAddresses',
                        'RequestLimitExceeded') >= 1 and
                  count(st, 'ec2:DescribeInstances', 'ok') >= 1,
                  'statistics count calls by action and outcome')
        sim.control('throttle', {'class': 'mutate', 'rate': 0})
        # A fault injected on one action, with its code.
        sim.control('fault', {'action': 'ec2:DescribeSubnets', 'rate': 1,
                              'status': 500, 'code': 'InternalError',
                              'count': 1})
        got = code_of(once.describe_subnets)
        tap.check(got == ('InternalError', 500), 'injected InternalError',
                  got)
        check_raw(sim)
    finally:
        sim.stop()


def aws_sts():
    sim = Sim('aws-sts')
    try:
        ini = sim.cred('credentials')
        conf = dict(line.split(' = ', 1) for line in ini.splitlines()
                    if ' = ' in line)
        tap.check(ini.startswith('[default]\n') and
                  os.path.exists(conf['web_identity_token_file']),
                  'credentials INI with role_arn and a token file')
        sts = boto3.client('sts', endpoint_url=sim.base + '/aws/sts/',
                           verify=sim.ca, region_name='eu-central-1',
                           aws_access_key_id='unused',
                           aws_secret_access_key='unused')
        tok = open(conf['web_identity_token_file']).read()
        r = sts.assume_role_with_web_identity(
            RoleArn=conf['role_arn'], RoleSessionName='eipam',
            WebIdentityToken=tok, DurationSeconds=900)
        c = r['Credentials']
        tap.check(c['AccessKeyId'].startswith('ASIA') and
                  r['AssumedRoleUser']['Arn'].endswith('/eipam'),
                  'boto3 AssumeRoleWithWebIdentity')
        ec2 = client(sim, c['AccessKeyId'], c['SecretAccessKey'],
                     c['SessionToken'])
        tap.check(len(ec2.describe_instances()['Reservations']) == 6,
                  'EC2 accepts the temporary credentials')
        tap.check(code_of(client(sim, c['AccessKeyId'], c['SecretAccessKey'])
                          .describe_instances) == ('AuthFailure', 401),
                  'without the session token: AuthFailure')
        sim.control('sts-expire')
        tap.check(code_of(ec2.describe_instances) == ('RequestExpired', 400),
                  'expired credentials: RequestExpired')
        try:
            sts.assume_role_with_web_identity(
                RoleArn=conf['role_arn'], RoleSessionName='eipam',
                WebIdentityToken='eyJhbGciOiJSUzI1NiJ9.e30.forged')
            got = None
        except ClientError as e:
            got = e.response['Error']
        tap.check(got is not None and got['Code'] == 'InvalidIdentityToken'
                  and got['Type'] == 'Sender',
                  'STS error shape parsed by boto3', got)
        sim.control('rotate-token', {'expireOld': True})
        got = code_of(lambda: sts.assume_role_with_web_identity(
            RoleArn=conf['role_arn'], RoleSessionName='eipam',
            WebIdentityToken=tok))
        tap.check(got == ('ExpiredTokenException', 400),
                  'a rotated-out token: ExpiredTokenException', got)
        tok = open(conf['web_identity_token_file']).read()
        r = sts.assume_role_with_web_identity(
            RoleArn=conf['role_arn'], RoleSessionName='eipam',
            WebIdentityToken=tok)
        tap.check(r['Credentials']['AccessKeyId'].startswith('ASIA'),
                  'the token re-read from the file works')
    finally:
        sim.stop()


tap.run('AWS static scenario', aws_static)
tap.run('AWS STS scenario', aws_sts)
tap.done()
