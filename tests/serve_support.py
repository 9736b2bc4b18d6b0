"""Tokens for the HTTP service's tests: the tests are their own issuer, with keys made here."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

ISSUER = "https://login.test.socialtilsyn.dk"
AUDIENCE = "supervision-ledger"


class Issuer:
    """A token issuer with an RSA, an EC P-256 and an Ed25519 key, published as a JWKS file."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {
            "rsa-1": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "ec-1": ec.generate_private_key(ec.SECP256R1()),
            "ed-1": ed25519.Ed25519PrivateKey.generate(),
        }
        self.algorithms = {"rsa-1": "RS256", "ec-1": "ES256", "ed-1": "EdDSA"}

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, private in self.keys.items():
            algorithm = jwt.get_algorithm_by_name(self.algorithms[kid])
            jwk = json.loads(algorithm.to_jwk(private.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": self.algorithms[kid]})
        return {"keys": keys}

    def write_jwks(self, folder: Path) -> Path:
        path = folder / "issuer-jwks.json"
        path.write_text(json.dumps(self.jwks()), encoding="utf-8")
        return path

    def public_pem(self, kid: str = "rsa-1") -> str:
        return self.keys[kid].public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def token(self, sub: str = "anne@nord", *, roles: Any = ("sagsbehandler",), region: str | None = "Nord",
              name: str | None = "Anne Jensen", kid: str = "rsa-1", expires_in: float = 600, key: Any = None,
              **claims: Any) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": now, "nbf": now - 5,
                                   "exp": now + int(expires_in), "roles": list(roles) if not isinstance(roles, str) else roles}
        if region is not None:
            payload["region"] = region
        if name is not None:
            payload["name"] = name
        payload.update(claims)
        signing = key if key is not None else self.keys[kid]
        return jwt.encode(payload, signing, algorithm=self.algorithms[kid], headers={"kid": kid})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
