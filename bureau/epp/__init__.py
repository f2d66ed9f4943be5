"""bureau.epp — an EPP client library (RFC 5730-5734 and the extensions Bureau needs).

Pure Python and lxml, no Django. Commands are dataclasses with `to_xml(cltrid)`; responses
are parsed into `Response` objects whose `data` and `extensions` are typed dataclasses.

    config = ClientConfig("epp.registry.example", 700, "bureau", "s3cret-pw",
                          cafile="ca.pem", certfile="client.pem", keyfile="client.key")
    with SessionPool(config, size=4) as pool:
        check = pool.execute(DomainCheck(["bücher.example"], fee=FeeCheck(currency="EUR")))
        check.data["bücher.example"].available               # DomainCheckData
        check.extension(FeeCheckData).for_name("bücher.example").premium
        await pool.aexecute(DomainInfo("bücher.example"))     # from asyncio

Errors: `CommandFailed` (code >= 2000, with `.code`, `.reason`, `.response`);
`OutcomeUnknown` (sent, answer lost: reconcile with an info, never resend blindly);
`EPPConnectionError` (certainly not sent); `FrameError` (unreadable server frame).
Extensions ride on commands (`secdns=`, `fee=`, `bundle=`, `restore=`, or any object with
`to_element(verb)` in `extensions=`); their response parts come back in
`Response.extensions`, and parts nobody parses stay in `Response.unknown_extensions`.
Login security (RFC 8807) is used when the server offers it: the user agent goes along, a
password longer than 16 characters travels in the extension, and the login's security events
(a password about to expire) are in `Session.login_events` and logged as warnings; a refused
login's are in `EPPConnectionError.events`.
"""

from bureau.epp.base import Command, CommandExtension, Period, RawExtension, Status
from bureau.epp.config import ClientConfig
from bureau.epp.contact import (
    Address,
    ContactAvailability,
    ContactCheck,
    ContactCheckData,
    ContactCreate,
    ContactCreateData,
    ContactDelete,
    ContactInfo,
    ContactInfoData,
    ContactTransfer,
    ContactUpdate,
    Disclose,
    Phone,
    PostalInfo,
)
from bureau.epp.core import Greeting, Hello, Login, Logout, PollAck, PollRequest
from bureau.epp.domain import (
    DomainAvailability,
    DomainCheck,
    DomainCheckData,
    DomainContact,
    DomainCreate,
    DomainCreateData,
    DomainDelete,
    DomainInfo,
    DomainInfoData,
    DomainRenew,
    DomainRenewData,
    DomainRestore,
    DomainTransfer,
    DomainUpdate,
    HostAttr,
    PendingActionData,
    TransferData,
    generate_auth_info,
)
from bureau.epp.errors import (
    CommandFailed,
    EPPConnectionError,
    EPPError,
    ExtensionNotLoggedIn,
    FrameError,
    OutcomeUnknown,
    ResponseUnreadable,
)
from bureau.epp.extensions.bdn import BundleCreate, BundleData, BundledName
from bureau.epp.extensions.changepoll import CaseId, ChangeData
from bureau.epp.extensions.fee import (
    Credit,
    Fee,
    FeeCheck,
    FeeCheckData,
    FeeCheckResult,
    FeeCommand,
    FeeOffer,
    FeeQuote,
    FeeTransformData,
)
from bureau.epp.extensions.loginsec import LoginEvent, LoginSecData, UserAgent
from bureau.epp.extensions.rgp import RestoreReport, RestoreRequest, RgpStatusData
from bureau.epp.extensions.secdns import DSData, KeyData, SecDNSData, SecDNSUpdate
from bureau.epp.host import (
    HostAvailability,
    HostCheck,
    HostCheckData,
    HostCreate,
    HostCreateData,
    HostDelete,
    HostInfo,
    HostInfoData,
    HostUpdate,
)
from bureau.epp.idn import IDNError, to_alabel, to_ulabel
from bureau.epp.poll import PollMessage
from bureau.epp.pool import PoolClosed, PoolTimeout, SessionPool
from bureau.epp.response import (
    ExtValue,
    MessageQueue,
    Response,
    Result,
    parse_frame,
    parse_response,
)
from bureau.epp.schema import SchemaError, validate
from bureau.epp.session import Session
from bureau.epp.trid import TransactionIds, new_cltrid

__all__ = [
    "Address",
    "BundleCreate",
    "BundleData",
    "BundledName",
    "CaseId",
    "ChangeData",
    "ClientConfig",
    "Command",
    "CommandExtension",
    "CommandFailed",
    "ContactAvailability",
    "ContactCheck",
    "ContactCheckData",
    "ContactCreate",
    "ContactCreateData",
    "ContactDelete",
    "ContactInfo",
    "ContactInfoData",
    "ContactTransfer",
    "ContactUpdate",
    "Credit",
    "DSData",
    "Disclose",
    "DomainAvailability",
    "DomainCheck",
    "DomainCheckData",
    "DomainContact",
    "DomainCreate",
    "DomainCreateData",
    "DomainDelete",
    "DomainInfo",
    "DomainInfoData",
    "DomainRenew",
    "DomainRenewData",
    "DomainRestore",
    "DomainTransfer",
    "DomainUpdate",
    "EPPConnectionError",
    "EPPError",
    "ExtValue",
    "ExtensionNotLoggedIn",
    "Fee",
    "FeeCheck",
    "FeeCheckData",
    "FeeCheckResult",
    "FeeCommand",
    "FeeOffer",
    "FeeQuote",
    "FeeTransformData",
    "FrameError",
    "Greeting",
    "Hello",
    "HostAttr",
    "HostAvailability",
    "HostCheck",
    "HostCheckData",
    "HostCreate",
    "HostCreateData",
    "HostDelete",
    "HostInfo",
    "HostInfoData",
    "HostUpdate",
    "IDNError",
    "KeyData",
    "Login",
    "LoginEvent",
    "LoginSecData",
    "Logout",
    "MessageQueue",
    "OutcomeUnknown",
    "PendingActionData",
    "Period",
    "Phone",
    "PollAck",
    "PollMessage",
    "PollRequest",
    "PoolClosed",
    "PoolTimeout",
    "PostalInfo",
    "RawExtension",
    "Response",
    "ResponseUnreadable",
    "RestoreReport",
    "RestoreRequest",
    "Result",
    "RgpStatusData",
    "SchemaError",
    "SecDNSData",
    "SecDNSUpdate",
    "Session",
    "SessionPool",
    "Status",
    "TransactionIds",
    "TransferData",
    "UserAgent",
    "generate_auth_info",
    "new_cltrid",
    "parse_frame",
    "parse_response",
    "to_alabel",
    "to_ulabel",
    "validate",
]
