"""The daemon: sessions on one loop, a JSON line protocol, subscribers with back-pressure."""
