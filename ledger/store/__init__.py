"""Storage: the eventsourcing-sqlalchemy recorder with a hash chain, and the pydantic mapper."""
