"""`ledger serve`: the ledger over HTTP (FastAPI on uvicorn), with identities and roles."""
