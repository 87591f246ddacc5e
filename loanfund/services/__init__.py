"""Use cases: load, call the domain, write, commit once. Views, the API and the CLI call these, nothing lower."""
