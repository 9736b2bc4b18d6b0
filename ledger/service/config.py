"""The service's settings, from `ledger serve`'s options or the environment (uvicorn's worker
processes read them from the environment `ledger serve` sets).

| variable | what |
|---|---|
| `LEDGER_DATABASE_URL` | the ledger (as `--db`) |
| `LEDGER_JWT_ISSUER` | the trusted issuer (`iss`) |
| `LEDGER_JWT_AUDIENCE` | this service's audience (`aud`) |
| `LEDGER_JWT_KEYS` | the issuer's public keys: a JWKS file, a PEM file, or a JWKS URL |
| `LEDGER_JWT_PUBLIC_KEY` | the issuer's public key as PEM text (instead of, or as well as, the above) |
| `LEDGER_MAX_BODY_BYTES` | the largest request body (default 10 MB) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.errors import InvalidInput

if TYPE_CHECKING:
    from ledger.service.auth import Authenticator

DEFAULT_MAX_BODY = 10_000_000


@dataclass(frozen=True)
class ServiceConfig:
    db: str
    issuer: str
    audience: str
    keys: str | None = None
    public_key_pem: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY
    leeway: float = 30.0

    @classmethod
    def from_env(cls) -> ServiceConfig:
        env = os.environ
        try:
            limit = int(env.get("LEDGER_MAX_BODY_BYTES", DEFAULT_MAX_BODY))
        except ValueError:
            raise InvalidInput("LEDGER_MAX_BODY_BYTES is not a number of bytes") from None
        return cls(
            db=env.get("LEDGER_DATABASE_URL", "ledger.db"),
            issuer=env.get("LEDGER_JWT_ISSUER", ""),
            audience=env.get("LEDGER_JWT_AUDIENCE", ""),
            keys=env.get("LEDGER_JWT_KEYS") or None,
            public_key_pem=env.get("LEDGER_JWT_PUBLIC_KEY") or None,
            max_body_bytes=limit,
        )

    def check(self) -> None:
        if not self.issuer:
            raise InvalidInput("no token issuer: pass --issuer or set LEDGER_JWT_ISSUER")
        if not self.audience:
            raise InvalidInput("no audience: pass --audience or set LEDGER_JWT_AUDIENCE")
        if not self.keys and not self.public_key_pem:
            raise InvalidInput("no issuer key: pass --keys FILE|URL or set LEDGER_JWT_KEYS or LEDGER_JWT_PUBLIC_KEY")
        if not 1_000 <= self.max_body_bytes <= 1_000_000_000:
            raise InvalidInput("the body limit must be between 1,000 bytes and 1 GB")

    def authenticator(self) -> Authenticator:
        from ledger.service.auth import Authenticator, load_keys

        self.check()
        keys = []
        try:
            if self.keys:
                keys.extend(load_keys(self.keys))
            if self.public_key_pem:
                keys.extend(load_keys(self.public_key_pem))
        except (ValueError, OSError) as error:
            raise InvalidInput(f"cannot read the issuer's keys: {error}") from None
        return Authenticator(keys, issuer=self.issuer, audience=self.audience, leeway=self.leeway)
