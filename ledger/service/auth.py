"""Who is asking: bearer tokens (OpenID Connect ID or access tokens, JWTs) verified against the
configured issuer's public keys, and the four roles.

A token is accepted only if it is signed with RS256, ES256 or EdDSA by one of the configured keys
(the algorithm is the key's own, never the token header's choice), names the configured issuer and
audience, and is within its `exp` and `nbf` (a small leeway for clocks). `sub` is required.

Roles (the claim `roles`, a list or one string; names as below):

* `sagsbehandler`: records decisions for their own Socialtilsyn only (the claim `region`), reads all;
* `revisor`: reads everything and verifies the chain; records nothing;
* `klagesag`: reads and builds complaint case files; records nothing;
* `offentlig`: only the public Tilbudsportal view (which needs no token at all).
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

SAGSBEHANDLER = "sagsbehandler"
REVISOR = "revisor"
KLAGESAG = "klagesag"
OFFENTLIG = "offentlig"
ROLES = (SAGSBEHANDLER, REVISOR, KLAGESAG, OFFENTLIG)

# What each role may do. Reading a case, the radar and the statistics; building a complaint
# case file; verifying the chain; recording.
READ = frozenset({SAGSBEHANDLER, REVISOR, KLAGESAG})
COMPLAINT_FILE = frozenset({KLAGESAG, REVISOR})
VERIFY = frozenset({REVISOR})
DIGEST = frozenset({SAGSBEHANDLER, REVISOR, KLAGESAG})
RECORD = frozenset({SAGSBEHANDLER})

ALGORITHMS = ("RS256", "ES256", "EdDSA")


class Unauthenticated(Exception):
    """No token, or one that cannot be trusted (HTTP 401). The message never quotes the token."""


class Forbidden(Exception):
    """A trusted identity whose roles do not allow this (HTTP 403)."""


@dataclass(frozen=True)
class Identity:
    subject: str
    name: str | None
    roles: frozenset[str]
    region: str | None
    issuer: str

    @property
    def recorder(self) -> str:
        """What the ledger stores as who recorded: the token's subject, with its name when it has one."""
        return f"{self.name} <{self.subject}>" if self.name and self.name != self.subject else self.subject

    def require(self, allowed: frozenset[str], what: str) -> None:
        if not self.roles & allowed:
            held = ", ".join(sorted(self.roles)) or "no role"
            raise Forbidden(f"{what} needs the role {' or '.join(sorted(allowed))}; this token has {held}")


@dataclass(frozen=True)
class VerifyingKey:
    key: Any
    algorithm: str
    kid: str | None


def _algorithm_of(key: Any) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name != "secp256r1":
            raise ValueError(f"an EC key must be on P-256 for ES256, not {key.curve.name}")
        return "ES256"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "EdDSA"
    raise ValueError(f"unsupported key type {type(key).__name__}: use RSA (RS256), EC P-256 (ES256) or Ed25519 (EdDSA)")


def keys_from_pem(pem: bytes) -> list[VerifyingKey]:
    """Public keys (or certificates) in PEM, one or more."""
    found: list[VerifyingKey] = []
    blocks = [b"-----BEGIN" + part for part in pem.split(b"-----BEGIN")[1:]]
    for block in blocks:
        key: Any
        if b"PRIVATE KEY" in block.split(b"\n", 1)[0]:
            raise ValueError("a private key was given where the issuer's public key belongs")
        if b"CERTIFICATE" in block.split(b"\n", 1)[0]:
            from cryptography import x509

            key = x509.load_pem_x509_certificate(block).public_key()
        else:
            key = serialization.load_pem_public_key(block)
        found.append(VerifyingKey(key, _algorithm_of(key), None))
    if not found:
        raise ValueError("no PEM public key found")
    return found


def keys_from_jwks(data: dict[str, Any]) -> list[VerifyingKey]:
    found: list[VerifyingKey] = []
    for entry in data.get("keys", []):
        if entry.get("use", "sig") != "sig":
            continue
        jwk = jwt.PyJWK(entry)
        algorithm = _algorithm_of(jwk.key)
        if entry.get("alg") and entry["alg"] != algorithm:
            raise ValueError(f"JWK {entry.get('kid')!r} says alg {entry['alg']} but is a key for {algorithm}")
        found.append(VerifyingKey(jwk.key, algorithm, entry.get("kid")))
    if not found:
        raise ValueError("the JWKS holds no signing key")
    return found


def load_keys(source: str) -> list[VerifyingKey]:
    """Keys from a JWKS file, a PEM file, PEM text, or a JWKS URL (fetched once at start)."""
    text: bytes
    if source.lstrip().startswith("-----BEGIN"):
        return keys_from_pem(source.encode())
    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=10) as response:  # noqa: S310 - the configured issuer's JWKS
            text = response.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"no key file at {source}")
        text = path.read_bytes()
    if text.lstrip().startswith(b"{"):
        return keys_from_jwks(json.loads(text))
    return keys_from_pem(text)


class Authenticator:
    def __init__(
        self, keys: list[VerifyingKey], *, issuer: str, audience: str, leeway: float = 30.0,
        roles_claim: str = "roles", region_claim: str = "region",
    ) -> None:
        if not keys:
            raise ValueError("no issuer key configured")
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.roles_claim = roles_claim
        self.region_claim = region_claim

    def identify(self, authorization: str | None) -> Identity:
        if not authorization:
            raise Unauthenticated("no bearer token: send the header Authorization: Bearer <token>")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("the Authorization header is not a bearer token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the token is not a JWT") from None
        kid = header.get("kid")
        candidates = [k for k in self.keys if kid is None or k.kid is None or k.kid == kid]
        if not candidates:
            raise Unauthenticated("the token was signed by a key this service does not trust")
        claims: dict[str, Any] | None = None
        problem = "the token's signature does not match any trusted key"
        for candidate in candidates:
            try:
                claims = jwt.decode(
                    token, candidate.key, algorithms=[candidate.algorithm], audience=self.audience,
                    issuer=self.issuer, leeway=self.leeway,
                    options={"require": ["exp", "iss", "aud", "sub"], "verify_nbf": True},
                )
                break
            except jwt.InvalidSignatureError:
                continue
            except jwt.InvalidAlgorithmError:
                problem = "the token's algorithm is not the trusted key's"
                continue
            except jwt.ExpiredSignatureError:
                raise Unauthenticated("the token has expired") from None
            except jwt.ImmatureSignatureError:
                raise Unauthenticated("the token is not valid yet (nbf)") from None
            except jwt.InvalidAudienceError:
                raise Unauthenticated("the token is not meant for this service (aud)") from None
            except jwt.InvalidIssuerError:
                raise Unauthenticated("the token was not issued by the trusted issuer (iss)") from None
            except jwt.MissingRequiredClaimError as error:
                raise Unauthenticated(f"the token lacks the claim {error.claim!r}") from None
            except jwt.PyJWTError as error:
                raise Unauthenticated(f"the token is not valid: {type(error).__name__}") from None
        if claims is None:
            raise Unauthenticated(problem)
        return self._identity(claims)

    def _identity(self, claims: dict[str, Any]) -> Identity:
        from ledger.events.vocab import Region

        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip() or len(subject) > 200:
            raise Unauthenticated("the token's sub is not a name")
        raw = claims.get(self.roles_claim, [])
        roles = frozenset([raw] if isinstance(raw, str) else [r for r in raw if isinstance(r, str)] if isinstance(raw, list) else [])
        roles = roles & frozenset(ROLES)
        region_claim = claims.get(self.region_claim)
        region: str | None = None
        if isinstance(region_claim, str):
            try:
                region = Region(region_claim).value
            except ValueError:
                region = None
        name = claims.get("name")
        name = name.strip() if isinstance(name, str) and name.strip() and len(name) <= 200 else None
        if name is not None and any(ord(c) < 32 for c in name):
            name = None
        return Identity(subject=subject.strip(), name=name, roles=roles, region=region, issuer=self.issuer)
