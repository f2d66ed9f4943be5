-- Bureau's policy for RFC 2136 dynamic updates (PowerDNS lua-dnsupdate-policy-script).
-- Only Bureau's ACME keys may update, and each only the TXT records of the one challenge
-- name its key name carries: the key "<random>._bureau-acme.<name>" may add and remove the
-- TXT records of "_acme-challenge.<name>" (which serves <name> and *.<name>), in the zone
-- holding <name>, nothing else. An unknown or revoked key never gets here: PowerDNS refuses
-- a TSIG it cannot verify (NOTAUTH) before asking this policy.
function updatepolicy(request)
  local key = request:getTsigName():toString():lower()
  local name = key:match("^[^.]+%._bureau%-acme%.(.+)$")
  if name == nil then
    return false
  end
  if not request:getTsigName():isPartOf(request:getZoneName()) then
    return false
  end
  if request:getQName():toString():lower() ~= "_acme-challenge." .. name then
    return false
  end
  local qtype = request:getQType()
  return qtype == pdns.TXT or qtype == pdns.ANY
end
