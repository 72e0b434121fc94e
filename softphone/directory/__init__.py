"""Who the user can call: the local contact directory and the enterprise (LDAP) directory.

Search and import/export run on any thread; nothing here touches the engine.
"""
