"""Server frames modelled on the RFC examples (RFC 5730-5733, 5910, 3915, 8748, 8590, 9095)."""

EPP = 'xmlns="urn:ietf:params:xml:ns:epp-1.0"'
D = 'xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"'
TR = "<trID><clTRID>ABC-12345</clTRID><svTRID>54322-XYZ</svTRID></trID>"
OK = '<result code="1000"><msg>Command completed successfully</msg></result>'


def frame(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="no"?><epp {EPP}>{body}</epp>'.encode()


GREETING = frame(
    "<greeting><svID>Example EPP server epp.example.com</svID>"
    "<svDate>2000-06-08T22:00:00.0Z</svDate><svcMenu><version>1.0</version>"
    "<lang>en</lang><lang>fr</lang>"
    "<objURI>urn:ietf:params:xml:ns:obj1</objURI>"
    "<objURI>urn:ietf:params:xml:ns:domain-1.0</objURI>"
    "<objURI>urn:ietf:params:xml:ns:contact-1.0</objURI>"
    "<svcExtension><extURI>http://custom/obj1ext-1.0</extURI>"
    "<extURI>urn:ietf:params:xml:ns:secDNS-1.1</extURI></svcExtension></svcMenu>"
    "<dcp><access><all/></access><statement><purpose><admin/><prov/></purpose>"
    "<recipient><ours/><public/></recipient><retention><stated/></retention></statement>"
    "</dcp></greeting>"
)

DOMAIN_CHECK = frame(
    f"<response>{OK}<resData><domain:chkData {D}>"
    '<domain:cd><domain:name avail="1">example.com</domain:name></domain:cd>'
    '<domain:cd><domain:name avail="0">example.net</domain:name>'
    "<domain:reason>In use</domain:reason></domain:cd>"
    '<domain:cd><domain:name avail="1">xn--bcher-kva.example</domain:name></domain:cd>'
    f"</domain:chkData></resData>{TR}</response>"
)

DOMAIN_INFO = frame(
    f"<response>{OK}<resData><domain:infData {D}>"
    "<domain:name>example.com</domain:name><domain:roid>EXAMPLE1-REP</domain:roid>"
    '<domain:status s="ok"/><domain:status s="clientHold" lang="fr">Impayé</domain:status>'
    "<domain:registrant>jd1234</domain:registrant>"
    '<domain:contact type="admin">sh8013</domain:contact>'
    '<domain:contact type="tech">sh8013</domain:contact>'
    "<domain:ns><domain:hostAttr><domain:hostName>ns1.example.com</domain:hostName>"
    '<domain:hostAddr ip="v4">192.0.2.2</domain:hostAddr>'
    '<domain:hostAddr ip="v6">1080::8:800:200C:417A</domain:hostAddr></domain:hostAttr>'
    "<domain:hostAttr><domain:hostName>ns2.example.net</domain:hostName></domain:hostAttr>"
    "</domain:ns>"
    "<domain:host>ns1.example.com</domain:host><domain:host>ns2.example.com</domain:host>"
    "<domain:clID>ClientX</domain:clID><domain:crID>ClientY</domain:crID>"
    "<domain:crDate>1999-04-03T22:00:00.0Z</domain:crDate><domain:upID>ClientX</domain:upID>"
    "<domain:upDate>1999-12-03T09:00:00.0Z</domain:upDate>"
    "<domain:exDate>2005-04-03T22:00:00.0Z</domain:exDate>"
    "<domain:trDate>2000-04-08T09:00:00.0Z</domain:trDate>"
    "<domain:authInfo><domain:pw>2fooBAR</domain:pw></domain:authInfo>"
    "</domain:infData></resData>"
    '<extension><secDNS:infData xmlns:secDNS="urn:ietf:params:xml:ns:secDNS-1.1">'
    "<secDNS:maxSigLife>604800</secDNS:maxSigLife>"
    "<secDNS:dsData><secDNS:keyTag>12345</secDNS:keyTag><secDNS:alg>3</secDNS:alg>"
    "<secDNS:digestType>1</secDNS:digestType>"
    "<secDNS:digest>49FD46E6C4B45C55D4AC</secDNS:digest></secDNS:dsData>"
    "</secDNS:infData>"
    '<rgp:infData xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0">'
    '<rgp:rgpStatus s="redemptionPeriod"/></rgp:infData>'
    '<b-dn:infData xmlns:b-dn="urn:ietf:params:xml:ns:epp:b-dn"><b-dn:bundle>'
    '<b-dn:rdn uLabel="实例.example">xn--fsq270a.example</b-dn:rdn>'
    '<b-dn:bdn uLabel="實例.example">xn--fsqz41a.example</b-dn:bdn>'
    "</b-dn:bundle></b-dn:infData>"
    '<acme:trademark xmlns:acme="urn:example:acme-1.0"><acme:mark>ACME</acme:mark>'
    "</acme:trademark>"
    f"</extension>{TR}</response>"
)

DOMAIN_CREATE = frame(
    f"<response>{OK}<resData><domain:creData {D}>"
    "<domain:name>xn--fsq270a.example</domain:name>"
    "<domain:crDate>1999-04-03T22:00:00.0Z</domain:crDate>"
    "<domain:exDate>2001-04-03T22:00:00.0Z</domain:exDate></domain:creData></resData>"
    '<extension><fee:creData xmlns:fee="urn:ietf:params:xml:ns:epp:fee-1.0">'
    "<fee:currency>USD</fee:currency>"
    '<fee:fee description="Registration Fee" refundable="1" grace-period="P5D">5.00</fee:fee>'
    "<fee:balance>-5.00</fee:balance><fee:creditLimit>1000.00</fee:creditLimit>"
    "</fee:creData>"
    '<b-dn:creData xmlns:b-dn="urn:ietf:params:xml:ns:epp:b-dn"><b-dn:bundle>'
    '<b-dn:rdn uLabel="实例.example">xn--fsq270a.example</b-dn:rdn>'
    '<b-dn:bdn uLabel="實例.example">xn--fsqz41a.example</b-dn:bdn>'
    f"</b-dn:bundle></b-dn:creData></extension>{TR}</response>"
)

DOMAIN_RENEW = frame(
    f"<response>{OK}<resData><domain:renData {D}><domain:name>example.com</domain:name>"
    "<domain:exDate>2005-04-03T22:00:00.0Z</domain:exDate></domain:renData></resData>"
    f"{TR}</response>"
)

DOMAIN_TRANSFER = frame(
    '<response><result code="1001"><msg>Command completed successfully; action pending</msg>'
    f"</result><resData><domain:trnData {D}><domain:name>example.com</domain:name>"
    "<domain:trStatus>pending</domain:trStatus><domain:reID>ClientX</domain:reID>"
    "<domain:reDate>2000-06-08T22:00:00.0Z</domain:reDate><domain:acID>ClientY</domain:acID>"
    "<domain:acDate>2000-06-13T22:00:00.0Z</domain:acDate>"
    "<domain:exDate>2002-09-08T22:00:00.0Z</domain:exDate></domain:trnData></resData>"
    f"{TR}</response>"
)

FEE_CHECK = frame(
    f"<response>{OK}<resData><domain:chkData {D}>"
    '<domain:cd><domain:name avail="1">example.com</domain:name></domain:cd>'
    '<domain:cd><domain:name avail="1">premium.example</domain:name></domain:cd>'
    '<domain:cd><domain:name avail="0">taken.example</domain:name>'
    "<domain:reason>In use</domain:reason></domain:cd>"
    "</domain:chkData></resData>"
    '<extension><fee:chkData xmlns:fee="urn:ietf:params:xml:ns:epp:fee-1.0">'
    "<fee:currency>USD</fee:currency>"
    '<fee:cd avail="1"><fee:objID>example.com</fee:objID><fee:class>standard</fee:class>'
    '<fee:command name="create" standard="1"><fee:period unit="y">2</fee:period>'
    '<fee:fee description="Registration Fee" refundable="1" grace-period="P5D">10.00</fee:fee>'
    "</fee:command>"
    '<fee:command name="renew" standard="1"><fee:period unit="y">1</fee:period>'
    '<fee:fee description="Renewal Fee" refundable="1" grace-period="P5D">5.00</fee:fee>'
    "</fee:command>"
    '<fee:command name="restore"><fee:fee description="Redemption Fee">5.00</fee:fee>'
    '<fee:fee description="Renewal Fee" refundable="1" grace-period="P5D">5.00</fee:fee>'
    "</fee:command></fee:cd>"
    '<fee:cd avail="1"><fee:objID>premium.example</fee:objID><fee:class>premium</fee:class>'
    '<fee:command name="create" phase="sunrise"><fee:period unit="y">1</fee:period>'
    '<fee:fee description="Registration Fee" refundable="1" grace-period="P5D">100.00'
    '</fee:fee><fee:credit description="Promotion">-10.00</fee:credit></fee:command></fee:cd>'
    '<fee:cd avail="0"><fee:objID>taken.example</fee:objID>'
    "<fee:reason>Only sunrise applications accepted</fee:reason></fee:cd>"
    f"</fee:chkData></extension>{TR}</response>"
)

POLL_CHANGE = frame(
    '<response><result code="1301"><msg lang="en-US">Command completed successfully; '
    'ack to dequeue</msg></result><msgQ count="1" id="201">'
    "<qDate>2013-10-22T14:25:57.0Z</qDate><msg>Registry initiated update of domain.</msg>"
    f"</msgQ><resData><domain:infData {D}><domain:name>domain.example</domain:name>"
    '<domain:roid>EXAMPLE1-REP</domain:roid><domain:status s="ok"/>'
    "<domain:registrant>jd1234</domain:registrant>"
    "<domain:clID>ClientX</domain:clID></domain:infData></resData>"
    '<extension><changePoll:changeData xmlns:changePoll="urn:ietf:params:xml:ns:changePoll-1.0"'
    ' state="before"><changePoll:operation op="lock">custom</changePoll:operation>'
    "<changePoll:date>2013-10-22T14:25:57.0Z</changePoll:date>"
    "<changePoll:svTRID>12345-XYZ</changePoll:svTRID>"
    "<changePoll:who>URS Admin</changePoll:who>"
    '<changePoll:caseId type="urs">urs123</changePoll:caseId>'
    "<changePoll:reason>URS Lock</changePoll:reason></changePoll:changeData>"
    f"</extension>{TR}</response>"
)

POLL_TRANSFER = frame(
    '<response><result code="1301"><msg>Command completed successfully; ack to dequeue</msg>'
    '</result><msgQ count="5" id="12345"><qDate>2000-06-08T22:00:00.0Z</qDate>'
    "<msg>Transfer requested.</msg></msgQ>"
    f"<resData><domain:trnData {D}><domain:name>example.com</domain:name>"
    "<domain:trStatus>pending</domain:trStatus><domain:reID>ClientX</domain:reID>"
    "<domain:reDate>2000-06-08T22:00:00.0Z</domain:reDate><domain:acID>ClientY</domain:acID>"
    "<domain:acDate>2000-06-13T22:00:00.0Z</domain:acDate></domain:trnData></resData>"
    f"{TR}</response>"
)

POLL_PENDING = frame(
    '<response><result code="1301"><msg>Command completed successfully; ack to dequeue</msg>'
    '</result><msgQ count="1" id="9"><qDate>2000-06-08T22:00:00.0Z</qDate>'
    "<msg>Pending action completed successfully.</msg></msgQ>"
    f'<resData><domain:panData {D}><domain:name paResult="1">example.com</domain:name>'
    "<domain:paTRID><clTRID>ABC-12345</clTRID><svTRID>54321-XYZ</svTRID></domain:paTRID>"
    "<domain:paDate>2000-06-08T22:00:00.0Z</domain:paDate></domain:panData></resData>"
    f"{TR}</response>"
)

POLL_EMPTY = frame(
    '<response><result code="1300"><msg>Command completed successfully; no messages</msg>'
    f"</result>{TR}</response>"
)

ERROR_EXTVALUE = frame(
    '<response><result code="2004"><msg>Parameter value range error</msg>'
    '<value><domain:period xmlns:domain="urn:ietf:params:xml:ns:domain-1.0" unit="y">'
    "15</domain:period></value>"
    '<extValue><value><domain:name xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">'
    "example.com</domain:name></value>"
    "<reason>Maximum registration period is 10 years.</reason></extValue>"
    f"</result>{TR}</response>"
)

CONTACT_INFO = frame(
    f'<response>{OK}<resData><contact:infData xmlns:contact="urn:ietf:params:xml:ns:contact-1.0">'
    "<contact:id>sh8013</contact:id><contact:roid>SH8013-REP</contact:roid>"
    '<contact:status s="linked"/><contact:status s="clientDeleteProhibited"/>'
    '<contact:postalInfo type="int"><contact:name>John Doe</contact:name>'
    "<contact:org>Example Inc.</contact:org><contact:addr>"
    "<contact:street>123 Example Dr.</contact:street><contact:street>Suite 100</contact:street>"
    "<contact:city>Dulles</contact:city><contact:sp>VA</contact:sp>"
    "<contact:pc>20166-6503</contact:pc><contact:cc>US</contact:cc></contact:addr>"
    "</contact:postalInfo>"
    '<contact:voice x="1234">+1.7035555555</contact:voice>'
    "<contact:fax>+1.7035555556</contact:fax><contact:email>jdoe@example.com</contact:email>"
    "<contact:clID>ClientY</contact:clID><contact:crID>ClientX</contact:crID>"
    "<contact:crDate>1999-04-03T22:00:00.0Z</contact:crDate>"
    "<contact:upID>ClientX</contact:upID><contact:upDate>1999-12-03T09:00:00.0Z</contact:upDate>"
    "<contact:trDate>2000-04-08T09:00:00.0Z</contact:trDate>"
    "<contact:authInfo><contact:pw>2fooBAR</contact:pw></contact:authInfo>"
    '<contact:disclose flag="0"><contact:voice/><contact:email/></contact:disclose>'
    f"</contact:infData></resData>{TR}</response>"
)

HOST_INFO = frame(
    f'<response>{OK}<resData><host:infData xmlns:host="urn:ietf:params:xml:ns:host-1.0">'
    "<host:name>ns1.example.com</host:name><host:roid>NS1_EXAMPLE1-REP</host:roid>"
    '<host:status s="linked"/><host:status s="clientUpdateProhibited"/>'
    '<host:addr ip="v4">192.0.2.2</host:addr><host:addr ip="v4">192.0.2.29</host:addr>'
    '<host:addr ip="v6">1080::8:800:200C:417A</host:addr>'
    "<host:clID>ClientY</host:clID><host:crID>ClientX</host:crID>"
    "<host:crDate>1999-04-03T22:00:00.0Z</host:crDate>"
    f"</host:infData></resData>{TR}</response>"
)

RESTORE_UPDATE = frame(
    f"<response>{OK}<extension>"
    '<rgp:upData xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0">'
    '<rgp:rgpStatus s="pendingRestore"/></rgp:upData>'
    '<fee:updData xmlns:fee="urn:ietf:params:xml:ns:epp:fee-1.0"><fee:currency>EUR</fee:currency>'
    '<fee:fee description="Restore">40.00</fee:fee><fee:balance>960.00</fee:balance>'
    f"</fee:updData></extension>{TR}</response>"
)

BUNDLE_DELETE = frame(
    f"<response>{OK}<extension>"
    '<b-dn:delData xmlns:b-dn="urn:ietf:params:xml:ns:epp:b-dn"><b-dn:bundle>'
    '<b-dn:rdn uLabel="实例.example">xn--fsq270a.example</b-dn:rdn>'
    '<b-dn:bdn uLabel="實例.example">xn--fsqz41a.example</b-dn:bdn>'
    f"</b-dn:bundle></b-dn:delData></extension>{TR}</response>"
)

ALL = {
    "greeting": GREETING,
    "domain-check": DOMAIN_CHECK,
    "domain-info": DOMAIN_INFO,
    "domain-create": DOMAIN_CREATE,
    "domain-renew": DOMAIN_RENEW,
    "domain-transfer": DOMAIN_TRANSFER,
    "fee-check": FEE_CHECK,
    "poll-change": POLL_CHANGE,
    "poll-transfer": POLL_TRANSFER,
    "poll-pending": POLL_PENDING,
    "poll-empty": POLL_EMPTY,
    "error-extvalue": ERROR_EXTVALUE,
    "contact-info": CONTACT_INFO,
    "host-info": HOST_INFO,
    "restore-update": RESTORE_UPDATE,
    "bundle-delete": BUNDLE_DELETE,
}
