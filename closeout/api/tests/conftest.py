"""Fixtures for the API tests: clients signed in as any user of the `world`."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

import pytest
from django.test import Client

from closeout.ledger import services
from closeout.ledger.access import Actor


def tiny_png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def as_user(world) -> Callable[[str], Client]:
    """`as_user("unit_env")` → a test client with that user's session."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(world.users[name])
        return client

    return make


@pytest.fixture
def bearer(world) -> Callable[[str], Client]:
    """`bearer("office")` → a client sending a fresh API token of that user."""

    def make(name: str) -> Client:
        user = world.users[name]
        _, key = services.token_create(actor=Actor.of(user), user=user, name="test")
        return Client(headers={"authorization": f"Bearer {key}"})

    return make
