"""Bureau: the free-software platform of a cooperative domain-name registrar."""
