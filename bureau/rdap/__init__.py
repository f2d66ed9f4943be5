"""Bureau's RDAP service (RFC 7480-7481, 9082-9083, 9537; ICANN gTLD RDAP profile, 2024)."""
