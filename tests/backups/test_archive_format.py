"""The encrypted container: chunks that are changed, moved, dropped, borrowed or followed by more fail."""

import io
import os
import struct

import pytest
from cryptography.fernet import Fernet, MultiFernet

from ops.backups import MAGIC, BackupError, DecryptingReader, EncryptingWriter, fernet_from_setting

KEY = Fernet.generate_key().decode()
CONTENT = os.urandom(10_000)


def encrypt(content: bytes, *, key: str = KEY, chunk_size: int = 1024) -> bytes:
    raw = io.BytesIO()
    writer = EncryptingWriter(raw, fernet_from_setting(key), chunk_size=chunk_size)
    for start in range(0, len(content), 700):
        writer.write(content[start : start + 700])
    writer.close()
    assert writer.size == len(raw.getvalue())
    return raw.getvalue()


def decrypt(blob: bytes, *, key: str = KEY) -> bytes:
    return DecryptingReader(io.BytesIO(blob), fernet_from_setting(key)).read()


def split(blob: bytes) -> tuple[bytes, list[bytes]]:
    """Return the header (with the key-check token) and the length-prefixed chunks."""
    position = len(MAGIC) + 1
    parts = []
    while position < len(blob):
        (size,) = struct.unpack_from(">I", blob, position)
        parts.append(blob[position : position + 4 + size])
        position += 4 + size
    return blob[: len(MAGIC) + 1] + parts[0], parts[1:]


def test_what_is_written_in_many_chunks_reads_back_the_same():
    blob = encrypt(CONTENT)
    _header, chunks = split(blob)
    assert len(chunks) == 10  # 9 full chunks and the last one
    assert decrypt(blob) == CONTENT
    reader = DecryptingReader(io.BytesIO(blob), fernet_from_setting(KEY))
    assert b"".join(iter(lambda: reader.read(333), b"")) == CONTENT


def test_an_empty_content_is_one_last_chunk():
    assert decrypt(encrypt(b"")) == b""


def test_chunks_in_another_order_are_refused():
    header, chunks = split(encrypt(CONTENT))
    chunks[2], chunks[3] = chunks[3], chunks[2]
    with pytest.raises(BackupError, match="out of order or come from another archive"):
        decrypt(header + b"".join(chunks))


def test_a_missing_last_chunk_is_refused_even_at_a_chunk_boundary():
    header, chunks = split(encrypt(CONTENT))
    with pytest.raises(BackupError, match="incomplete"):
        decrypt(header + b"".join(chunks[:-1]))


def test_a_chunk_from_another_archive_with_the_same_key_is_refused():
    header, chunks = split(encrypt(CONTENT))
    _other_header, other_chunks = split(encrypt(CONTENT))
    chunks[4] = other_chunks[4]
    with pytest.raises(BackupError, match="another archive"):
        decrypt(header + b"".join(chunks))


def test_bytes_after_the_last_chunk_are_refused():
    with pytest.raises(BackupError, match="bytes after its last part"):
        decrypt(encrypt(CONTENT) + b"\x00")


def test_a_wrong_key_is_named_as_such():
    with pytest.raises(BackupError, match="made with another key"):
        decrypt(encrypt(CONTENT), key=Fernet.generate_key().decode())


def test_a_file_that_is_no_archive_is_named_as_such():
    with pytest.raises(BackupError, match="not an archive made by the backup command"):
        decrypt(b"PK\x03\x04 a zip file, say")


def test_a_damaged_length_field_is_refused_before_anything_is_read_into_memory():
    header, chunks = split(encrypt(CONTENT))
    chunks[1] = b"\xff\xff\xff\xff" + chunks[1][4:]
    with pytest.raises(BackupError, match="damaged"):
        decrypt(header + b"".join(chunks))


def test_the_first_key_encrypts_and_every_listed_key_decrypts():
    new = Fernet.generate_key().decode()
    blob = encrypt(CONTENT, key=f"{new},{KEY}")
    assert decrypt(blob, key=new) == CONTENT
    assert decrypt(encrypt(CONTENT), key=f"{new},{KEY}") == CONTENT
    with pytest.raises(BackupError, match="another key"):
        decrypt(blob, key=KEY)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "BACKUP_KEY is not set"),
        (" , ", "BACKUP_KEY is not set"),
        ("short", "key 1 of 1 is not a Fernet key"),
        (f"{KEY},{KEY[:-4]}", "key 2 of 2 is not a Fernet key"),
    ],
)
def test_a_missing_or_malformed_key_setting_is_explained(value, message):
    with pytest.raises(BackupError, match=message):
        fernet_from_setting(value)


def test_the_setting_gives_a_multifernet():
    assert isinstance(fernet_from_setting(f" {KEY} "), MultiFernet)
