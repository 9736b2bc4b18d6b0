"""A published ledger digest: the chain's position and hash, as `ledger digest` prints it, and
the signed digest (`ledger digest --sign KEY`): the same head with an Ed25519 signature, so that
no one without the private key can publish a digest of a ledger they rewrote.

A digest is read strictly: the position is a whole number from 0 to 2^63 - 1 (the largest
position either store can hold), the hash 64 hexadecimal digits. Anything else is malformed
input (exit 2), never "altered" or "OK".
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.errors import InvalidInput, TamperDetected

_DIGEST = re.compile(r"^(?:ledger-digest:)?v1:([0-9]{1,19}):([0-9a-f]{64})$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
MAX_POSITION = 2**63 - 1
SIGNED_FORMAT = "ledger-signed-digest/v1"
# What is signed: this line, then the digest, then the moment of signing (so neither can be swapped).
_CONTEXT = b"supervision-ledger signed digest v1\n"
MAX_FILE_BYTES = 64_000
PRIVATE_KEY_FILE = "ledger-digest.key"
PUBLIC_KEY_FILE = "ledger-digest.pub"


@dataclass(frozen=True)
class Digest:
    position: int
    ledger_hash: str
    events: int = 0

    def text(self) -> str:
        return f"ledger-digest:v1:{self.position}:{self.ledger_hash}"

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "events": self.events, "ledger_hash": self.ledger_hash, "digest": self.text()}

    @classmethod
    def parse(cls, text: str) -> Digest:
        """A digest as text (ledger-digest:v1:POSITION:HASH) or as JSON; a signed digest's head too."""
        text = text.strip()
        if text.startswith("{"):
            data = _json_object(text, "the digest")
            if data.get("format") == SIGNED_FORMAT:
                return SignedDigest.from_dict(data).digest
            return cls(_position(data.get("position")), _hash(data.get("ledger_hash")))
        match = _DIGEST.match(text.lower())
        if not match:
            shown = text if len(text) <= 120 else text[:100] + f"... ({len(text)} characters)"
            raise InvalidInput(
                f"{shown!r} is not a ledger digest (ledger-digest:v1:POSITION:HASH, as `ledger digest` prints, "
                "with a position of at most 19 digits and a hash of 64 hexadecimal digits)"
            )
        return cls(_position(int(match.group(1))), match.group(2))


def _json_object(text: str, what: str) -> dict[str, Any]:
    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number")

    def refuse_float(value: str) -> Any:
        raise ValueError(f"{value[:40]} is not a whole number")

    try:
        data = json.loads(text, parse_constant=refuse_constant, parse_float=refuse_float)
    except (ValueError, RecursionError) as error:
        raise InvalidInput(f"{what} is not valid JSON: {str(error)[:120]}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{what} must be a JSON object")
    return data


def _position(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"the digest's position must be a whole number (found {str(value)[:40]!r})")
    if not 0 <= value <= MAX_POSITION:
        raise InvalidInput(f"the digest's position {str(value)[:40]} is outside 0-{MAX_POSITION}")
    return value


def _hash(value: Any) -> str:
    if not isinstance(value, str) or not _HASH.match(value.lower()):
        raise InvalidInput(f"the digest's ledger_hash must be 64 hexadecimal digits (found {str(value)[:80]!r})")
    return value.lower()


@dataclass(frozen=True)
class SignedDigest:
    """A digest signed with the Socialtilsyn's Ed25519 key."""

    digest: Digest
    signed_at: str
    public_key: bytes  # the raw 32-byte Ed25519 public key of the signer
    signature: bytes  # 64 bytes

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def message(self) -> bytes:
        return _CONTEXT + self.digest.text().encode() + b"\n" + self.signed_at.encode()

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": SIGNED_FORMAT,
            "digest": self.digest.text(),
            "position": self.digest.position,
            "ledger_hash": self.digest.ledger_hash,
            "signed_at": self.signed_at,
            "algorithm": "Ed25519",
            "key_id": self.key_id,
            "public_key": self.public_key.hex(),
            "signature": base64.b64encode(self.signature).decode(),
        }

    def text(self) -> str:
        return json.dumps(self.as_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignedDigest:
        if data.get("format") != SIGNED_FORMAT:
            raise InvalidInput(f"not a signed digest (its format is not {SIGNED_FORMAT!r})")
        position, ledger_hash = _position(data.get("position")), _hash(data.get("ledger_hash"))
        if data.get("digest") not in (None, Digest(position, ledger_hash).text()):
            raise InvalidInput("the signed digest's 'digest' does not agree with its position and ledger_hash")
        signed_at = data.get("signed_at")
        if not isinstance(signed_at, str) or len(signed_at) > 40:
            raise InvalidInput("the signed digest has no 'signed_at' moment")
        if data.get("algorithm", "Ed25519") != "Ed25519":
            raise InvalidInput(f"the signed digest's algorithm {str(data.get('algorithm'))[:40]!r} is not Ed25519")
        try:
            public_key = bytes.fromhex(str(data.get("public_key", "")))
            signature = base64.b64decode(str(data.get("signature", "")), validate=True)
        except ValueError:
            raise InvalidInput("the signed digest's public_key (hex) or signature (base64) is malformed") from None
        if len(public_key) != 32 or len(signature) != 64:
            raise InvalidInput("the signed digest's public key must be 32 bytes and its signature 64 bytes (Ed25519)")
        return cls(Digest(position, ledger_hash), signed_at, public_key, signature)

    def check(self, public_key_pem: bytes, source: str) -> None:
        """Raise TamperDetected unless this digest was signed by the holder of that public key."""
        from cryptography.exceptions import InvalidSignature

        trusted = load_public_key(public_key_pem, source)
        trusted_raw = _raw_public(trusted)
        try:
            trusted.verify(self.signature, self.message())
        except InvalidSignature:
            other = "" if trusted_raw == self.public_key else (
                f"; it names the key {self.key_id}, not the trusted key {key_id(trusted_raw)}"
            )
            raise TamperDetected(
                f"the signed digest's signature does not verify with the public key {source}{other}: the digest "
                "was forged or altered after it was signed"
            ) from None


def key_id(raw_public_key: bytes) -> str:
    """A short name of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def public_key_id(pem: bytes, source: str) -> str:
    """The key id of an Ed25519 public key in PEM form."""
    return key_id(_raw_public(load_public_key(pem, source)))


def _raw_public(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    raw: bytes = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw


def read_small_file(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            content = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InvalidInput(f"cannot read the {what} {path}: {error.strerror or error}") from None
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(f"the {what} {path} is larger than {MAX_FILE_BYTES} bytes: it is not a {what}")
    return content


def load_digest(value: str) -> tuple[Digest, SignedDigest | None]:
    """A digest given on the command line: its text, or a file holding it (plain, JSON or signed)."""
    text = value
    if not value.strip().lower().startswith(("ledger-digest:", "v1:", "{")) and os.path.isfile(value):
        try:
            text = read_small_file(value, "digest file").decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"the digest file {value} is not UTF-8 text") from None
    elif not value.strip().lower().startswith(("ledger-digest:", "v1:", "{")) and ("/" in value or value.endswith(".json")):
        raise InvalidInput(f"no digest file {value} (a digest is ledger-digest:v1:POSITION:HASH or a file holding one)")
    stripped = text.strip()
    if stripped.startswith("{"):
        data = _json_object(stripped, "the digest")
        if data.get("format") == SIGNED_FORMAT:
            signed = SignedDigest.from_dict(data)
            return signed.digest, signed
    return Digest.parse(stripped), None


def load_public_key(pem: bytes, source: str) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput(f"{source} is not an Ed25519 public key in PEM form (as `ledger digest keygen` writes)")
    return key


def sign(digest: Digest, private_key_path: str, *, now: dt.datetime | None = None) -> SignedDigest:
    """Sign the digest with the Ed25519 private key in that PEM file."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = read_small_file(private_key_path, "private key file")
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise InvalidInput(f"the private key {private_key_path} is encrypted; the ledger reads an unencrypted key file (mode 0600)") from None
    except ValueError:
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{private_key_path} is not an Ed25519 private key in PEM form (as `ledger digest keygen` writes)")
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    unsigned = SignedDigest(digest, moment, _raw_public(key.public_key()), b"")
    return SignedDigest(digest, moment, unsigned.public_key, key.sign(unsigned.message()))


def key_is_exposed(path: str) -> bool:
    """Whether a private key file may be read by others than its owner."""
    try:
        return bool(os.stat(path).st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False


def keygen(folder: Path) -> tuple[Path, Path]:
    """Write a new Ed25519 key pair: the private key readable by its owner only (0600), in a folder
    created 0700 if missing; the public key (0644) is the one to publish. Never overwrites a key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private_path, public_path = folder / PRIVATE_KEY_FILE, folder / PUBLIC_KEY_FILE
    if str(folder).strip() == "":
        raise InvalidInput("--out is empty: name the directory for the key pair")
    for path in (private_path, public_path):
        if path.exists() or path.is_symlink():
            raise InvalidInput(f"{path} already exists: a key is never overwritten (move it away, or choose another --out)")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"cannot create the directory {folder}: {error.strerror or error}") from None
    if not folder.is_dir():
        raise InvalidInput(f"{folder} is not a directory")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for path, content, mode in ((private_path, private_pem, 0o600), (public_path, public_pem, 0o644)):
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        except OSError as error:
            raise InvalidInput(f"cannot write {path}: {error.strerror or error}") from None
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(path, mode)  # whatever the umask
    return private_path, public_path
