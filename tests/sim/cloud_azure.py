# SPDX-License-Identifier: Apache-2.0
# Fidelity of eipam-sim's Azure (AAD + ARM), judged by Debian's
# python3-azure (azure-identity, azure-mgmt-network, azure-mgmt-compute):
# client-secret and workload-identity tokens, VM paging, NIC GET and
# begin_create_or_update through the long-running operation, a 429 the
# SDK retries after Retry-After, IP errors, a failed operation, the VNet
# with $expand, and models that deserialize with nothing left over; plus
# scripted HTTPS checks of what the SDK does not show (If-Match 412, 409,
# AAD error bodies).  Run with /usr/bin/python3; TAP.
import json
import os
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.environ.get('top_srcdir', '.'),
                                'tests', 'sim'))
from cloudsim import Sim, Tap, count  # noqa: E402

tap = Tap()
try:
    from azure.core.exceptions import (ClientAuthenticationError,
                                       HttpResponseError)
    from azure.identity import ClientAssertionCredential, \
        ClientSecretCredential
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.network.models import NetworkInterfaceIPConfiguration
except ImportError as e:
    tap.skip('python3-azure', 'not installed: %s' % e)
    tap.done()

SCOPE = 'https://management.azure.com/.default'
SCENARIO = {
    'platform': 'Azure', 'credentials': 'secret', 'networkType':
    'OpenShiftSDN', 'infrastructureName': 'sim-aztest', 'zoneLabels': True,
    'region': 'westeurope',
    'zones': [{'name': 'westeurope-%d' % i, 'cidr': '10.0.32.0/19'}
              for i in (1, 2, 3)],
    'masterCidr': '10.0.0.0/19', 'masters': 3, 'workers': 3,
    'cloud': {'vmPageSize': 2},
}


def leftovers(model):
    """Properties a model did not know (additional_properties), deep."""
    out = []
    extra = getattr(model, 'additional_properties', None) or {}
    out += ['%s.%s' % (type(model).__name__, k) for k in extra]
    for v in vars(model).values():
        for x in v if isinstance(v, list) else [v]:
            if hasattr(x, 'additional_properties'):
                out += leftovers(x)
    return out


def clients(sim, cred):
    sub = sim.cred('azure_subscription_id')
    net = NetworkManagementClient(cred, sub, base_url=sim.base + '/azure/arm',
                                  credential_scopes=[SCOPE])
    comp = ComputeManagementClient(cred, sub, base_url=sim.base +
                                   '/azure/arm', credential_scopes=[SCOPE])
    return net, comp


def egress_cfg(nic, ip, pools=True):
    p = nic.ip_configurations[0]
    return NetworkInterfaceIPConfiguration(
        name='EgressIP' + ip, private_ip_address=ip,
        private_ip_allocation_method='Static', subnet=p.subnet,
        primary=False, load_balancer_backend_address_pools=(
            p.load_balancer_backend_address_pools if pools else None))


def arm_raw(sim, cred, method, path, body=None, headers=None):
    tok = cred.get_token(SCOPE).token
    h = {'Authorization': 'Bearer ' + tok,
         'Content-Type': 'application/json'}
    h.update(headers or {})
    return sim.http(method, '/azure/arm' + path, body, h)


def secret_scenario():
    fd, path = tempfile.mkstemp(suffix='.json')
    with os.fdopen(fd, 'w') as f:
        json.dump(SCENARIO, f)
    sim = Sim(path)
    os.unlink(path)
    os.environ['REQUESTS_CA_BUNDLE'] = sim.ca
    try:
        rg = sim.cred('azure_resourcegroup')
        tenant = sim.cred('azure_tenant_id')
        cred = ClientSecretCredential(
            tenant, sim.cred('azure_client_id'),
            sim.cred('azure_client_secret'),
            authority=sim.base + '/azure/aad', instance_discovery=False)
        net, comp = clients(sim, cred)

        vms = list(comp.virtual_machines.list(rg))
        tap.check(len(vms) == 6 and count(sim.stats(), 'arm:vm.list') == 3,
                  'ComputeManagementClient lists 6 VMs over 3 nextLink pages')
        tap.check(vms[3].zones == ['1'] and
                  vms[3].network_profile.network_interfaces[0].primary,
                  'VM zones and primary NIC reference')
        nics = list(net.network_interfaces.list(rg))
        tap.check(len(nics) == 6, 'NetworkManagementClient lists 6 NICs')
        name = 'sim-aztest-worker-westeurope-1-0-nic'
        nic = net.network_interfaces.get(rg, name)
        tap.check(nic.ip_configurations[0].primary and
                  nic.provisioning_state == 'Succeeded' and
                  len(nic.ip_configurations[0]
                      .load_balancer_backend_address_pools) == 2,
                  'NIC GET with its primary ipConfiguration and pools')
        tap.check(not leftovers(nic), 'the NIC model has no unknown fields',
                  leftovers(nic))

        before = sim.stats()
        nic.ip_configurations.append(egress_cfg(nic, '10.0.40.10'))
        r = net.network_interfaces.begin_create_or_update(rg, name,
                                                          nic).result()
        after = sim.stats()
        polls = count(after, 'arm:op.get') - count(before, 'arm:op.get')
        tap.check(r.provisioning_state == 'Succeeded' and
                  [c.name for c in r.ip_configurations] ==
                  ['pipConfig', 'EgressIP10.0.40.10'] and polls >= 1,
                  'begin_create_or_update polls the LRO (%d polls) to '
                  'Succeeded' % polls)
        tap.check(len(r.ip_configurations[1]
                      .load_balancer_backend_address_pools) == 2 and
                  not leftovers(r), 'the pools are kept on the new config')

        # The SDK rides out a 429 by waiting Retry-After.
        sim.control('throttle', {'class': 'write', 'rate': 0.5, 'burst': 1})
        other = 'sim-aztest-worker-westeurope-2-1-nic'
        n2 = net.network_interfaces.get(rg, other)
        n2.ip_configurations.append(egress_cfg(n2, '10.0.40.11', False))
        t0 = time.time()
        p1 = net.network_interfaces.begin_create_or_update(rg, other, n2)
        n3 = net.network_interfaces.get(rg, name)
        n3.ip_configurations.append(egress_cfg(n3, '10.0.40.12', False))
        p2 = net.network_interfaces.begin_create_or_update(rg, name, n3)
        ok = (p1.result().provisioning_state == 'Succeeded' and
              p2.result().provisioning_state == 'Succeeded')
        thr = count(sim.stats(), 'arm:nic.put',
                    'SubscriptionRequestsThrottled')
        tap.check(ok and thr >= 1, 'a 429 with Retry-After is retried by '
                  'azure-core (%d throttled, %.1fs)' % (thr, time.time() - t0))
        sim.control('throttle', {'class': 'write', 'rate': 0})

        # Errors the SDK surfaces.
        n4 = net.network_interfaces.get(rg, other)
        n4.ip_configurations.append(egress_cfg(n4, '10.0.40.10', False))
        try:
            net.network_interfaces.begin_create_or_update(rg, other,
                                                          n4).result()
            got = None
        except HttpResponseError as e:
            got = e.error.code if e.error else str(e)
        tap.check(got == 'PrivateIPAddressIsAllocated',
                  'an address on another NIC: PrivateIPAddressIsAllocated',
                  got)
        n4.ip_configurations[-1] = egress_cfg(n4, '10.0.32.2', False)
        try:
            net.network_interfaces.begin_create_or_update(rg, other,
                                                          n4).result()
            got = None
        except HttpResponseError as e:
            got = e.error.code if e.error else str(e)
        tap.check(got == 'PrivateIPAddressInReservedRange',
                  'a reserved address: PrivateIPAddressInReservedRange', got)
        sim.control('fail-next-lro', {'code': 'InternalServerError',
                                      'message': 'injected'})
        n4.ip_configurations[-1] = egress_cfg(n4, '10.0.40.20', False)
        try:
            net.network_interfaces.begin_create_or_update(rg, other,
                                                          n4).result()
            got = None
        except HttpResponseError as e:
            got = str(e)
        back = net.network_interfaces.get(rg, other)
        tap.check(got is not None and 'injected' in got and
                  back.provisioning_state == 'Failed' and
                  '10.0.40.20' not in [c.private_ip_address for c in
                                       back.ip_configurations],
                  'a failed LRO raises and leaves the NIC unchanged', got)

        vnet = net.virtual_networks.get(rg, 'sim-aztest-vnet',
                                        expand='subnets/ipConfigurations')
        ips = {c.id.split('/')[-1]: c.private_ip_address
               for s in vnet.subnets for c in s.ip_configurations}
        tap.check(ips.get('EgressIP10.0.40.10') == '10.0.40.10' and
                  ips.get('ingress-ip') == '10.0.32.4' and
                  ips.get('internal-lb-ip-v4') == '10.0.0.4' and
                  all(ips.values()), 'VNet $expand lists every '
                  'ipConfiguration, load balancers included')

        # What the SDK hides: If-Match, 409, AAD and ARM error bodies.
        path = '/subscriptions/%s/resourceGroups/%s/providers/' \
            'Microsoft.Network/networkInterfaces/%s?api-version=2022-07-01' % (
                sim.cred('azure_subscription_id'), rg, name)
        st, h, body = arm_raw(sim, cred, 'GET', path)
        doc = json.loads(body)
        st, h, body = arm_raw(sim, cred, 'PUT', path, json.dumps(doc).encode(),
                              {'If-Match': 'W/"stale"'})
        tap.check(st == 412 and json.loads(body)['error']['code'] ==
                  'PreconditionFailed', 'If-Match mismatch: 412')
        st, h, body = arm_raw(sim, cred, 'PUT', path, json.dumps(doc).encode(),
                              {'If-Match': doc['etag']})
        st2, h2, body2 = arm_raw(sim, cred, 'PUT', path,
                                 json.dumps(doc).encode())
        tap.check(st == 200 and 'Azure-AsyncOperation' in h and
                  st2 == 409 and json.loads(body2)['error']['code'] ==
                  'AnotherOperationInProgress',
                  'PUT starts an operation; a second one is 409')
        st, h, body = sim.http('POST', '/azure/aad/%s/oauth2/v2.0/token' %
                               tenant, urllib.parse.urlencode({
                                   'client_id': sim.cred('azure_client_id'),
                                   'client_secret': 'wrong',
                                   'grant_type': 'client_credentials',
                                   'scope': SCOPE}).encode())
        j = json.loads(body)
        tap.check(st == 401 and j['error'] == 'invalid_client' and
                  j['error_codes'] == [7000215],
                  'AAD: a wrong secret is 401 invalid_client 7000215')
        bad = ClientSecretCredential(tenant, sim.cred('azure_client_id'),
                                     'wrong', authority=sim.base +
                                     '/azure/aad', instance_discovery=False)
        try:
            bad.get_token(SCOPE)
            got = None
        except ClientAuthenticationError as e:
            got = str(e)
        tap.check(got is not None and 'AADSTS7000215' in got,
                  'azure-identity reports the AAD error')
    finally:
        sim.stop()


def wi_scenario():
    sim = Sim('azure-wi')
    os.environ['REQUESTS_CA_BUNDLE'] = sim.ca
    try:
        tokfile = sim.cred('azure_federated_token_file')
        tap.check(os.path.exists(tokfile) and not os.path.exists(
            os.path.join(sim.dir, 'cloud-credentials', 'azure_client_secret')),
            'workload identity: a token file and no secret')
        reads = []

        def assertion():
            reads.append(1)
            return open(tokfile).read()
        # azure-identity 1.13.0b2 cannot take keyword arguments here (it
        # passes them on to object.__init__), so the authority comes from
        # the environment, as it does in a pod.
        os.environ['AZURE_AUTHORITY_HOST'] = sim.base + '/azure/aad'
        cred = ClientAssertionCredential(
            sim.cred('azure_tenant_id'), sim.cred('azure_client_id'),
            assertion)
        net, comp = clients(sim, cred)
        rg = sim.cred('azure_resourcegroup')
        tap.check(len(list(net.network_interfaces.list(rg))) == 6 and reads,
                  'ClientAssertionCredential with the federated token')
        sim.control('rotate-token', {'expireOld': True})
        sim.control('aad-expire')
        cred2 = ClientAssertionCredential(
            sim.cred('azure_tenant_id'), sim.cred('azure_client_id'),
            assertion)
        net2, comp2 = clients(sim, cred2)
        tap.check(len(list(comp2.virtual_machines.list(rg))) == 6,
                  'after rotation the re-read token still works')
    finally:
        sim.stop()


tap.run('Azure secret scenario', secret_scenario)
tap.run('Azure workload identity scenario', wi_scenario)
tap.done()
