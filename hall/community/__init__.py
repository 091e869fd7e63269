"""The community registry: subdistricts, communities, buildings, units, people, ownership,
accounts, who is asking, and the roles granted at a scope; the roster import."""
