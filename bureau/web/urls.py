"""Portal routes, mounted at the site root by bureau/urls.py (namespace "web")."""

from django.urls import path

from . import source
from .views import account, billing, contacts, domains, home, legal, orgs, search, tokens, transfers

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("source/", source.source, name="source"),
    path("favicon.ico", home.favicon),  # browsers ask for it even when pages name the icon
    path("organisations/switch/", home.switch_organisation, name="switch_organisation"),
    path("organisations/new/", orgs.create, name="organisation_new"),
    path("organisation/", orgs.detail, name="organisation"),
    path("organisation/invite/", orgs.invite, name="invite"),
    path("organisation/invitations/<int:pk>/withdraw/", orgs.withdraw_invitation,
         name="withdraw_invitation"),
    path("organisation/people/<int:pk>/", orgs.membership, name="membership"),
    path("organisation/security/", orgs.security, name="organisation_security"),
    path("organisation/audit/", orgs.audit_log, name="audit_log"),
    path("invitations/<str:token>/", orgs.accept_invitation, name="accept_invitation"),
    path("account/", account.settings_page, name="account"),
    path("account/language/", account.language, name="account_language"),
    path("account/data.json", account.data_export, name="data_export"),
    path("account/close/", account.close, name="close_account"),
    path("account/tokens/", tokens.token_list, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", tokens.revoke, name="token_revoke"),
    path("dns/zones/<int:zone>/acme/tokens/", tokens.challenge_token, name="challenge_token"),
    path("search/", search.search, name="search"),
    path("cart/", search.cart, name="cart"),
    path("cart/add/", search.cart_add, name="cart_add"),
    path("cart/remove/", search.cart_remove, name="cart_remove"),
    path("cart/checkout/", search.checkout, name="checkout"),
    path("legal/", legal.notice, name="legal_notice"),
    path("legal/terms/", legal.terms, name="terms"),
    path("legal/privacy/", legal.privacy, name="privacy"),
    path("legal/cooperative/", legal.cooperative, name="cooperative_rules"),
    path("contact/", legal.contact, name="contact"),
    path("help/", legal.help_page, name="help"),
    path("transfer/", transfers.transfer_in, name="transfer_in"),
    path("domains/", domains.domain_list, name="domains"),
    path("domains/<int:pk>/", domains.detail, name="domain"),
    path("domains/<int:pk>/nameservers/", domains.nameservers, name="domain_nameservers"),
    path("domains/<int:pk>/locks/", domains.locks, name="domain_locks"),
    path("domains/<int:pk>/dnssec/", domains.dnssec, name="domain_dnssec"),
    path("domains/<int:pk>/contacts/", domains.domain_contacts, name="domain_contacts"),
    path("domains/<int:pk>/holder/", domains.holder, name="domain_holder"),
    path("domains/<int:pk>/auth-code/", domains.auth_code, name="domain_auth_code"),
    path("domains/<int:pk>/renew/", domains.renew, name="domain_renew"),
    path("domains/<int:pk>/delete/", domains.delete, name="domain_delete"),
    path("domains/<int:pk>/transfer-out/", domains.transfer_out, name="domain_transfer_out"),
    path("domains/<int:pk>/restore/", domains.restore, name="domain_restore"),
    path("contacts/", contacts.contact_list, name="contacts"),
    path("contacts/new/", contacts.edit, name="contact_new"),
    path("contacts/<int:pk>/", contacts.edit, name="contact"),
    path("contacts/<int:pk>/delete/", contacts.delete, name="contact_delete"),
    path("balance/", billing.billing, name="billing"),
    path("balance/mandate/", billing.mandate, name="mandate"),
    path("balance/card/", billing.card_top_up, name="card"),
]
