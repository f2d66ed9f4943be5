"""The bank file parsers (bureau.banking, no Django) refuse in English templates; they are
listed here so that they are translated with the payments catalogue (``describe``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bureau.banking.statement import Problem

TEMPLATES = [
    gettext_noop('%(found)s columns, the header has %(expected)s'),
    gettext_noop('CdtDbtInd is “%(value)s”, not CRDT or DBIT'),
    gettext_noop('a movement comes before the opening balance (:60F:) that names the currency'),
    gettext_noop('a transaction of a batch entry has no amount'),
    gettext_noop("a transaction's currency differs from its entry's"),
    gettext_noop('the :61: field “%(value)s” is not value date, C/D mark, amount, type'),
    gettext_noop('the CSV file is not UTF-8'),
    gettext_noop('the CSV header lacks the column(s) %(columns)s'),
    gettext_noop('the XML is malformed: %(reason)s'),
    gettext_noop('the amount %(amount)s is not positive'),
    gettext_noop('the amount is zero'),
    gettext_noop('the entry has no amount (Amt)'),
    gettext_noop('the entry has no bank reference (AcctSvcrRef or NtryRef): it could be '
                 'imported twice'),
    gettext_noop('the file is not a camt.053/camt.054 XML statement, an MT940 statement '
                 'or a CSV statement with a header'),
    gettext_noop('the id column is empty'),
    gettext_noop('this is not a camt.053 or camt.054 statement (element %(name)s, '
                 'namespace %(namespace)s)'),
    gettext_noop('this is not a camt.053 or camt.054 statement (no Document element of '
                 'those namespaces)'),
    gettext_noop('this is not an MT940 statement (no :20:/:61: fields)'),
    gettext_noop('this is not a pain.002 payment status report'),
    gettext_noop('this is not a pain.002 payment status report (element %(name)s, '
                 'namespace %(namespace)s)'),
    gettext_noop('a rejected transaction has no OrgnlEndToEndId: which collection it is '
                 'cannot be known'),
    gettext_noop('no direct-debit file has the message id %(id)s'),
    gettext_noop('no direct debit has the end-to-end id %(id)s'),
    gettext_noop('“%(code)s” is not an ISO 4217 currency code'),
    gettext_noop('“%(text)s” is not an amount'),
    gettext_noop('“%(text)s” is not an amount with at most two decimals'),
]


def describe(problem: Problem, *, with_line: bool = True) -> str:
    """The problem in the active language (its line number first, when it has one)."""
    message = (_(problem.template) % dict(problem.params) if problem.params
               else _(problem.template)) if problem.template else problem.message
    if with_line and problem.line:
        return _("line %(line)s: %(message)s") % {"line": problem.line, "message": message}
    return message
