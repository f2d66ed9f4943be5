"""Independent EPP clients against the sandbox, beside pyepp (test_pyepp.py): Perl's
Net::EPP::Simple (Debian's libnet-epp-perl) and epptools (PyPI). Each runs a whole scenario;
every answer they get is valid EPP (epptools' answers are validated here, and the sandbox
checks each response it sends against the schemas: an invalid one would be logged)."""

from __future__ import annotations

import subprocess

import epptools
import pytest
from programs import require_program
from sandbox_client import EppClient

from bureau.epp.schema import validate
from bureau.sandbox.testing import Sandbox

NET_EPP_SCENARIO = r"""
use strict; use warnings; use Net::EPP::Simple;
my ($port, $ca, $cert, $key, $user, $pass) = @ARGV;
my $epp = Net::EPP::Simple->new(host => 'localhost', port => $port, user => $user,
    pass => $pass, verify => 1, ca_file => $ca, cert => $cert, key => $key, timeout => 30,
    load_config => 0) or die "login failed: $Net::EPP::Simple::Error\n";
sub report {
    my ($step, $result) = @_;
    printf "%s %s %s\n", $step, (defined $result ? $result : 'undef'),
        ($Net::EPP::Simple::Code // '');
}
my $holder = {id => 'perl-holder', voice => '+33.123456789', email => 'camille@example.org',
    authInfo => 'perl-contact-pw', fax => '',
    postalInfo => {int => {name => 'Camille Martin', org => 'Cooperative',
        addr => {street => ['1 rue de la Paix'], city => 'Paris', pc => '75001', cc => 'FR'}}}};
my $domain = {name => 'perl-epp.test', period => 2, registrant => 'perl-holder',
    contacts => {admin => 'perl-holder', tech => 'perl-holder'}, authInfo => 'perl-pw-1'};
report('check', $epp->check_domain('perl-epp.test'));
report('contact', $epp->create_contact($holder));
report('create', $epp->create_domain($domain));
report('taken', $epp->create_domain($domain));
report('recheck', $epp->check_domain('perl-epp.test'));
report('trailing_dot', $epp->check_domain('perl-epp.test.'));
my $info = $epp->domain_info('perl-epp.test');
print "registrant $info->{registrant}\n";
report('hold', $epp->update_domain({name => 'perl-epp.test',
    add => {status => {clientHold => 'Payment overdue.'}}}));
$info = $epp->domain_info('perl-epp.test');
print "status ", join(',', sort @{$info->{status}}), "\n";
report('renew', $epp->renew_domain({name => 'perl-epp.test',
    cur_exp_date => substr($info->{exDate}, 0, 10), period => 1}));
report('host', $epp->create_host({name => 'ns1.perl-epp.test',
    addrs => [{ip => '192.0.2.53', version => 'v4'}]}));
report('delete_blocked', $epp->delete_domain('perl-epp.test'));
report('delete_host', $epp->delete_host('ns1.perl-epp.test'));
report('delete', $epp->delete_domain('perl-epp.test'));
my $transfer = $epp->domain_transfer_request('perl-arriving.test', 'arriving-pw', 1);
print "transfer ", ($transfer ? $transfer->{trStatus} : "undef $Net::EPP::Simple::Code"), "\n";
report('transfer_again', $epp->domain_transfer_request('perl-arriving.test', 'arriving-pw', 1));
report('ping', $epp->ping);
$epp->logout;
"""


def test_net_epp_simple_scenario(sandbox: Sandbox, client: EppClient,
                                 caplog: pytest.LogCaptureFixture) -> None:
    perl = require_program("perl", "perl")
    account = sandbox.registrars["bureau"]
    rival = EppClient(sandbox, "rival")
    assert rival.login().code == 1000
    assert rival.domain_create("perl-arriving.test", pw="arriving-pw").code == 1000
    out = subprocess.run(
        [perl, "-e", NET_EPP_SCENARIO, str(sandbox.port), str(sandbox.ca_file),
         str(account.cert_file), str(account.key_file), account.clid, account.password],
        capture_output=True, text=True, timeout=120, check=False)
    if "Can't locate Net/EPP/Simple.pm" in out.stderr:
        pytest.fail("Net::EPP is missing: install Debian's libnet-epp-perl "
                    "(scripts/system-deps does)", pytrace=False)
    assert out.returncode == 0, out.stderr
    steps = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    assert steps["check"].startswith("1 1000")
    assert steps["contact"].startswith("1 1000")
    assert steps["create"].startswith("1 1000")
    assert steps["taken"] == "undef 2302"
    assert steps["recheck"].startswith("0 1000")
    assert steps["trailing_dot"] == "undef 2005"
    assert steps["registrant"] == "perl-holder"
    assert steps["hold"].startswith("1 1000")
    assert steps["status"] == "clientHold,inactive"
    assert steps["renew"].startswith("1 1000")
    assert steps["host"].startswith("1 1000")
    assert steps["delete_blocked"] == "undef 2305"
    assert steps["delete_host"].startswith("1 1000")
    assert steps["delete"].startswith("1 1000")
    assert steps["transfer"] == "pending"
    assert steps["transfer_again"] == "undef 2300"
    assert steps["ping"].startswith("1")
    assert rival.domain_transfer("query", "perl-arriving.test").text("//domain:reID") == "bureau"
    rival.close()
    # Deleted within its add grace period: gone at once.
    assert client.domain_check("perl-epp.test").xpath("//domain:name/@avail") == ["1"]
    assert [r.getMessage() for r in caplog.records if "invalid response" in r.getMessage()] == []


def test_epptools_scenario(sandbox: Sandbox, client: EppClient,
                           caplog: pytest.LogCaptureFixture) -> None:
    account = sandbox.registrars["bureau"]
    long_password = "an epptools passphrase longer than sixteen"

    def connect(password: str) -> epptools.Client:
        tools = epptools.Client(epptools.Config(
            host="localhost", port=sandbox.port, clid=account.clid, password=password,
            ca_file=str(sandbox.ca_file), client_cert=str(account.cert_file),
            client_key=str(account.key_file)))
        validate(tools.connect().raw.encode())
        return tools

    def valid(response: epptools.Response) -> epptools.Response:
        validate(response.raw.encode())
        return response

    def drain() -> list[epptools.Response]:
        messages = []
        while (message := valid(tools.poll.request())).code() == 1301:
            messages.append(message)
            assert valid(tools.poll.ack(str(message.message_id()))).code() == 1000
        return messages

    # RFC 8807 from another implementation: a long password set through loginSec:newPW...
    tools = connect(account.password)
    assert valid(tools.login(new_password=long_password)).code() == 1000
    valid(tools.logout())
    tools.disconnect()
    # ... is the password from now on.
    tools = connect(long_password)
    assert valid(tools.login()).code() == 1000
    tools.throw_on_failure(False)
    check = valid(tools.domain.check(["tools.test", "shop.test"], fee={"create": [1, 2]}))
    assert check.availability() == {"tools.test": True, "shop.test": True}
    fees = check.fees()
    assert fees["shop.test"]["commands"]["create"]["fee"] == "250.00"  # type: ignore[index]
    assert valid(tools.contact.create("tools-holder", name="Camille Martin", city="Paris",
                                      cc="FR", email="camille@example.org",
                                      auth_info="tools-c-pw")).code() == 1000
    created = valid(tools.domain.create("tools.test", years=1, registrant="tools-holder",
                                        auth_info="tools-pw-1"))
    assert created.code() == 1000
    assert valid(tools.domain.create("tools.test", years=1, registrant="tools-holder",
                                     auth_info="tools-pw-1")).code() == 2302
    info = valid(tools.domain.info("tools.test"))
    assert "ok" in info.statuses() or "inactive" in info.statuses()
    expiry = info.root.findtext(".//{urn:ietf:params:xml:ns:domain-1.0}exDate")
    assert expiry
    assert valid(tools.domain.renew("tools.test", expiry[:10], 1)).code() == 1000
    assert valid(tools.domain.delete("tools.test")).code() == 1000
    assert valid(tools.domain.check(["tools.test."])).code() == 2005
    # A transfer from the other registrar: requested here, approved there, heard by poll.
    rival = EppClient(sandbox, "rival")
    assert rival.login().code == 1000
    assert rival.domain_create("arriving.test", pw="arriving-pw").code == 1000
    drain()  # earlier messages out of the way
    assert valid(tools.domain.transfer("request", "arriving.test", auth_info="wrong-pw")
                 ).code() == 2202
    requested = valid(tools.domain.transfer("request", "arriving.test",
                                            auth_info="arriving-pw"))
    assert requested.code() == 1001 and requested.transfer_status() == "pending"
    assert rival.domain_transfer("approve", "arriving.test").code == 1000
    rival.close()
    assert [m.transfer_status() for m in drain()] == ["pending", "clientApproved"]
    info = valid(tools.domain.info("arriving.test"))
    assert info.root.findtext(".//{urn:ietf:params:xml:ns:domain-1.0}clID") == "bureau"
    assert valid(tools.logout()).code() == 1500
    tools.disconnect()
    assert client.domain_check("tools.test").xpath("//domain:name/@avail") == ["1"]
    assert [r.getMessage() for r in caplog.records if "invalid response" in r.getMessage()] == []
