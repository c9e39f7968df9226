"""The customer domain: accounts, service plans, contacts, usage; no framework imports."""
