"""Encrypted backups of the register (the database and the uploaded files) and their restore.

An archive is one file made of

* a header: the bytes ``RGBACKUP``, the container's format version (one byte), then one length-prefixed
  Fernet token holding a random archive id; it tells a wrong key from a damaged archive;
* chunks: each a 4-byte big-endian length and a Fernet token. The plaintext of a token starts with
  the archive id, the chunk's index and a flag marking the last chunk, followed by up to
  ``CHUNK_SIZE`` bytes of a gzip-compressed tar.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) authenticates every token, and the id,
index and flag inside it make a chunk that was moved, dropped, borrowed from another archive or cut
off at the end fail the check as surely as a changed byte. Chunks keep memory use bounded however
large the archive grows.

The tar holds the database snapshot (``database.sqlite3`` from SQLite's online backup API, or
``database.pgdump`` from ``pg_dump --format=custom``), the uploaded files under ``media/``, and last
``manifest.json``: format, creation time (UTC), database vendor, applied migrations, and the size and
SHA-256 of every other member. A ``.sha256`` file beside the archive (``sha256sum -c`` reads it)
tells at a glance whether a copy arrived whole.

A restore reads the whole archive into a private temporary folder and checks every token and every
checksum before it touches the target database or ``MEDIA_ROOT``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

MAGIC = b"RGBACKUP"
CONTAINER_VERSION = 1
MANIFEST_FORMAT = 1
CHUNK_SIZE = 4 * 1024 * 1024
# A reader accepts chunks up to this size, so a later version may write larger ones; anything larger
# is a damaged length field, refused before it is read into memory.
MAX_CHUNK_SIZE = 64 * 1024 * 1024
_MAX_TOKEN = MAX_CHUNK_SIZE * 4 // 3 + 4096
_LENGTH = struct.Struct(">I")
_CHUNK_HEAD = struct.Struct(">16sQ?")
_KEY_CHECK = b"register-backup-archive-id:"

ARCHIVE_NAME = re.compile(r"^register-(\d{8}T\d{6}Z)\.backup$")
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

DAMAGED = "The archive is damaged: a part of it fails its authentication check."
TRUNCATED = "The archive is incomplete: it ends before its last part (was the copy cut short?)."


class BackupError(Exception):
    """A backup or restore cannot go on; the message is one line for the person running it."""


def first_line(error: Exception) -> str:
    """Return the first line of an error's message (drivers' messages often run to several)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else error.__class__.__name__


# Keys --------------------------------------------------------------------------------------------


def fernet_from_setting(value: str) -> MultiFernet:
    """Return the keys of ``BACKUP_KEY`` (comma-separated, the first one encrypts) as a MultiFernet."""
    keys = [key.strip() for key in (value or "").split(",") if key.strip()]
    if not keys:
        raise BackupError(
            "BACKUP_KEY is not set; generate a key with "
            '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.'
        )
    fernets = []
    for number, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            raise BackupError(
                f"BACKUP_KEY is malformed: key {number} of {len(keys)} is not a Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None
    return MultiFernet(fernets)


# The encrypted container ------------------------------------------------------------------------


class EncryptingWriter:
    """A write-only binary stream that encrypts what is written, chunk by chunk, into ``raw``.

    ``close()`` writes the last chunk (flagged as last, possibly empty); without it the archive is
    incomplete and a reader refuses it. ``sha256`` and ``size`` describe the bytes written to ``raw``.
    """

    def __init__(self, raw, fernet: MultiFernet, *, chunk_size: int = CHUNK_SIZE):
        if not 0 < chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError("chunk_size out of range")
        self._raw = raw
        self._fernet = fernet
        self._chunk_size = chunk_size
        self._archive_id = os.urandom(16)
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        self.sha256 = hashlib.sha256()
        self.size = 0
        self._put(MAGIC + bytes([CONTAINER_VERSION]))
        self._put_token(fernet.encrypt(_KEY_CHECK + self._archive_id))

    def write(self, data: bytes) -> int:
        if self._closed:
            raise ValueError("write to a closed archive")
        self._buffer += data
        # Strictly more than one chunk: whatever remains at close() goes into the last chunk.
        while len(self._buffer) > self._chunk_size:
            self._put_chunk(bytes(self._buffer[: self._chunk_size]), last=False)
            del self._buffer[: self._chunk_size]
        return len(data)

    def flush(self) -> None:
        """Write nothing early: a chunk goes out when it is full, the last one at ``close()``."""

    def close(self) -> None:
        if not self._closed:
            self._put_chunk(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True

    def _put_chunk(self, data: bytes, *, last: bool) -> None:
        head = _CHUNK_HEAD.pack(self._archive_id, self._index, last)
        self._put_token(self._fernet.encrypt(head + data))
        self._index += 1

    def _put_token(self, token: bytes) -> None:
        self._put(_LENGTH.pack(len(token)) + token)

    def _put(self, data: bytes) -> None:
        self._raw.write(data)
        self.sha256.update(data)
        self.size += len(data)


class DecryptingReader:
    """A read-only binary stream of what an ``EncryptingWriter`` encrypted into ``raw``.

    Every chunk is authenticated before any of its bytes is returned; a wrong key, a changed, moved
    or missing chunk, or bytes after the last chunk raise ``BackupError``.
    """

    def __init__(self, raw, fernet: MultiFernet):
        self._raw = raw
        self._fernet = fernet
        self._buffer = b""
        self._position = 0
        self._index = 0
        self._finished = False
        start = raw.read(len(MAGIC) + 1)
        if start[: len(MAGIC)] != MAGIC:
            raise BackupError("The file is not an archive made by the backup command (or its start is damaged).")
        if len(start) <= len(MAGIC):
            raise BackupError(TRUNCATED)
        if start[len(MAGIC)] != CONTAINER_VERSION:
            raise BackupError(f"The archive's format version {start[len(MAGIC)]} is not known to this version.")
        token = self._read_token()
        if token is None:
            raise BackupError(TRUNCATED)
        try:
            check = fernet.decrypt(token)
        except InvalidToken:
            raise BackupError(
                "The archive cannot be decrypted with BACKUP_KEY: it was made with another key "
                "(or its start is damaged)."
            ) from None
        if not check.startswith(_KEY_CHECK) or len(check) != len(_KEY_CHECK) + 16:
            raise BackupError(DAMAGED)
        self._archive_id = check[len(_KEY_CHECK) :]

    def read(self, size: int = -1) -> bytes:
        parts = []
        wanted = size if size is not None and size >= 0 else None
        while wanted is None or wanted > 0:
            if self._position >= len(self._buffer):
                if self._finished:
                    break
                self._next_chunk()
                continue
            end = len(self._buffer) if wanted is None else min(len(self._buffer), self._position + wanted)
            parts.append(self._buffer[self._position : end])
            if wanted is not None:
                wanted -= end - self._position
            self._position = end
        return b"".join(parts)

    def _next_chunk(self) -> None:
        token = self._read_token()
        if token is None:
            raise BackupError(TRUNCATED)
        try:
            plain = self._fernet.decrypt(token)
        except InvalidToken:
            raise BackupError(DAMAGED) from None
        if len(plain) < _CHUNK_HEAD.size:
            raise BackupError(DAMAGED)
        archive_id, index, last = _CHUNK_HEAD.unpack_from(plain)
        if archive_id != self._archive_id or index != self._index:
            raise BackupError("The archive is damaged: its parts are out of order or come from another archive.")
        self._buffer = plain[_CHUNK_HEAD.size :]
        self._position = 0
        self._index += 1
        if last:
            self._finished = True
            if self._raw.read(1):
                raise BackupError("The archive is damaged: there are bytes after its last part.")

    def _read_token(self) -> bytes | None:
        length = self._raw.read(_LENGTH.size)
        if not length:
            return None
        if len(length) < _LENGTH.size:
            raise BackupError(TRUNCATED)
        (size,) = _LENGTH.unpack(length)
        if not 0 < size <= _MAX_TOKEN:
            raise BackupError(DAMAGED)
        token = self._raw.read(size)
        if len(token) < size:
            raise BackupError(TRUNCATED)
        return token


# Making a backup ---------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    size: int
    media_files: int


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def archives_in(directory: Path) -> list[Path]:
    """Return the archives of this kind in ``directory``, newest first (their names hold the time)."""
    if not directory.is_dir():
        return []
    found = [path for path in directory.iterdir() if ARCHIVE_NAME.match(path.name) and path.is_file()]
    return sorted(found, key=lambda path: path.name, reverse=True)


def prune(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``directory`` (with their checksum files)."""
    removed = []
    for path in archives_in(directory)[keep:]:
        path.unlink()
        sidecar = path.with_name(path.name + ".sha256")
        if sidecar.exists():
            sidecar.unlink()
        removed.append(path)
    return removed


def make_backup(
    *, connection, media_root: Path, output_dir: Path, fernet: MultiFernet, work_dir: Path
) -> BackupResult:
    """Write an encrypted archive of the database and ``media_root`` into ``output_dir``.

    The creation time is taken before the snapshot starts, so that an erasure committed while the
    backup runs is re-applied after a restore rather than missed.
    """
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.display_name}.")
    created_at = datetime.now(UTC).replace(microsecond=0)
    output_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = output_dir / f"register-{created_at:%Y%m%dT%H%M%SZ}.backup"
    if path.exists():
        raise BackupError(f"{path} already exists; wait a second and run the backup again.")

    migrations = _applied_migrations(connection)
    snapshot = work_dir / DATABASE_MEMBERS[vendor]
    if vendor == "sqlite":
        _snapshot_sqlite(connection, snapshot)
    else:
        _snapshot_postgresql(connection.settings_dict, snapshot)

    partial = output_dir / f".{path.name}.partial"
    members: dict[str, dict] = {}
    media_files = 0
    try:
        # Made readable to its owner only from the first moment, not changed to that afterwards.
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw:
            writer = EncryptingWriter(raw, fernet)
            # tarfile's own streaming gzip always uses the slowest level; most uploads (PDFs, images)
            # do not compress anyway, so a middle level keeps the nightly run short.
            compressor = gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=writer, mtime=0)
            with tarfile.open(fileobj=compressor, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                members[snapshot.name] = _add_file(tar, snapshot, snapshot.name)
                for source, name in _media_files(media_root, skip=output_dir):
                    members[name] = _add_file(tar, source, name)
                    media_files += 1
                manifest = {
                    "format": MANIFEST_FORMAT,
                    "created_at": utc_stamp(created_at),
                    "vendor": vendor,
                    "database": snapshot.name,
                    "migrations": migrations,
                    "members": members,
                }
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(created_at.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
            compressor.close()
            writer.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    sidecar = path.with_name(path.name + ".sha256")
    sidecar.write_text(f"{writer.sha256.hexdigest()}  {path.name}\n", encoding="ascii")
    _fsync_directory(output_dir)
    return BackupResult(path=path, size=writer.size, media_files=media_files)


def _applied_migrations(connection) -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _snapshot_sqlite(connection, destination: Path) -> None:
    try:
        if connection.is_in_memory_db():
            # A memory database exists only inside Django's own connection.
            connection.ensure_connection()
            source = connection.connection
            close_source = False
        else:
            # A connection of its own reads what is committed, whatever Django's connection is doing.
            uri = Path(connection.settings_dict["NAME"]).resolve().as_uri() + "?mode=ro"
            source = sqlite3.connect(uri, uri=True)
            close_source = True
        target = sqlite3.connect(destination)
        try:
            # One step: the copy holds a read lock throughout and is a consistent snapshot.
            source.backup(target)
        finally:
            target.close()
            if close_source:
                source.close()
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite snapshot failed: {error}.") from None


def _postgres_command(program: str, settings_dict: dict, options: list[str]) -> tuple[list[str], dict]:
    """Return the command line and environment of a PostgreSQL client program for ``settings_dict``.

    The password, service and TLS files go into the environment (never onto the command line, where
    other users of the machine could read them), as Django's ``dbshell`` does.
    """
    from django.db.backends.postgresql.client import DatabaseClient

    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} was not found; install the PostgreSQL client (apt-get install postgresql-client)."
        )
    name = settings_dict.get("NAME")
    if not name:
        raise BackupError("The database settings name no database (NAME is empty).")
    _args, extra = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    args = [executable]
    for flag, key in (("--username", "USER"), ("--host", "HOST"), ("--port", "PORT")):
        if settings_dict.get(key):
            args.append(f"{flag}={settings_dict[key]}")
    args += [*options, f"--dbname={name}"]
    return args, {**os.environ, **(extra or {})}


def _run(program: str, args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {result.returncode}"
        raise BackupError(f"{program} failed: {reason}")


def _snapshot_postgresql(settings_dict: dict, destination: Path) -> None:
    # pg_dump reads everything in one repeatable-read transaction: a consistent snapshot.
    args, env = _postgres_command("pg_dump", settings_dict, ["--format=custom", f"--file={destination}"])
    _run("pg_dump", args, env)


class _HashingReader:
    def __init__(self, source):
        self._source = source
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self._source.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, source: Path, name: str) -> dict:
    with open(source, "rb") as handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _HashingReader(handle)
        # A file that shrinks while it is read makes tarfile raise: better no archive than a wrong one.
        tar.addfile(info, reader)
    return {"size": info.size, "sha256": reader.sha256.hexdigest()}


def _media_files(media_root: Path, *, skip: Path):
    """Yield (path, member name) for each regular file under ``media_root``, in a stable order."""
    if not media_root.is_dir():
        return
    skip = skip.resolve()
    for directory, subdirectories, files in os.walk(media_root):
        here = Path(directory)
        # Archives kept under MEDIA_ROOT by mistake must not end up inside the next archive.
        subdirectories[:] = sorted(d for d in subdirectories if (here / d).resolve() != skip)
        for file_name in sorted(files):
            path = here / file_name
            if path.is_symlink() or not path.is_file():
                continue
            yield path, "media/" + path.relative_to(media_root).as_posix()


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# Restoring ---------------------------------------------------------------------------------------


@dataclass
class VerifiedArchive:
    """An archive whose every part and checksum has been verified, unpacked into ``folder``."""

    folder: Path
    manifest: dict
    created_at: datetime
    vendor: str
    database: Path
    media: list[str]


def check_sidecar(path: Path) -> bool:
    """Compare the archive with its ``.sha256`` file; return False when there is no such file."""
    sidecar = path.with_name(path.name + ".sha256")
    if not sidecar.exists():
        return False
    expected = sidecar.read_text(encoding="ascii", errors="replace").split()
    if not expected or not re.fullmatch(r"[0-9a-f]{64}", expected[0]):
        raise BackupError(f"{sidecar.name} is not a SHA-256 checksum file.")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    if digest.hexdigest() != expected[0]:
        raise BackupError(
            f"The archive does not match its checksum in {sidecar.name}: the file is damaged or incomplete."
        )
    return True


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    allowed = name == MANIFEST or name in DATABASE_MEMBERS.values() or (path.parts[:1] == ("media",))
    if not allowed or path.is_absolute() or ".." in path.parts or len(path.parts) > 64 or name.endswith("/"):
        raise BackupError(f"The archive holds an unexpected member {name!r}; it was not made by the backup command.")
    return path


def verify_archive(path: Path, *, fernet: MultiFernet, folder: Path) -> VerifiedArchive:
    """Decrypt ``path`` into ``folder`` and check every member against the manifest."""
    seen: dict[str, dict] = {}
    manifest = None
    try:
        with open(path, "rb") as raw:
            reader = DecryptingReader(raw, fernet)
            # A stream ("r|") is read with read() alone; typeshed asks every file object for seek() and
            # write() too, which a one-way decrypting stream has no use for.
            with tarfile.open(fileobj=reader, mode="r|gz") as tar:  # type: ignore[call-overload]
                for member in tar:
                    name = member.name
                    relative = _member_path(name)
                    if not member.isfile() or name in seen or manifest is not None:
                        raise BackupError(f"The archive's member {name!r} is out of place.")
                    source = tar.extractfile(member)
                    if name == MANIFEST:
                        manifest = json.loads(source.read(1024 * 1024 * 16))
                        continue
                    target = folder.joinpath(*relative.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    digest, size = hashlib.sha256(), 0
                    with open(target, "wb") as output:
                        while block := source.read(1024 * 1024):
                            digest.update(block)
                            size += len(block)
                            output.write(block)
                    seen[name] = {"size": size, "sha256": digest.hexdigest()}
            # tarfile stops reading at its end-of-archive blocks. The rest (gzip's trailer and padding)
            # is read too, so that every chunk up to the one flagged last is authenticated.
            while reader.read(1024 * 1024):
                pass
    except (tarfile.TarError, EOFError, zlib.error, json.JSONDecodeError, UnicodeDecodeError):
        raise BackupError("The archive's content cannot be read although it decrypts: it is damaged.") from None
    if not isinstance(manifest, dict):
        raise BackupError("The archive has no manifest: it is incomplete or was not made by the backup command.")
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"The archive's manifest format {manifest.get('format')!r} is not known to this version.")
    expected = manifest.get("members") or {}
    for name in sorted(set(expected) | set(seen)):
        if expected.get(name) != seen.get(name):
            raise BackupError(f"The archive's member {name!r} does not match the checksum in its manifest.")
    vendor = manifest.get("vendor")
    database = manifest.get("database")
    if vendor not in DATABASE_MEMBERS or database != DATABASE_MEMBERS[vendor] or database not in seen:
        raise BackupError("The archive's manifest names no database snapshot that this version can restore.")
    try:
        created_at = datetime.fromisoformat(manifest["created_at"])
    except (KeyError, TypeError, ValueError):
        raise BackupError("The archive's manifest has no valid creation time.") from None
    return VerifiedArchive(
        folder=folder,
        manifest=manifest,
        created_at=created_at,
        vendor=vendor,
        database=folder / database,
        media=sorted(name[len("media/") :] for name in seen if name.startswith("media/")),
    )


def check_target(archive: VerifiedArchive, *, connection, media_root: Path) -> list[tuple[str, str]]:
    """Refuse a target that cannot take the archive; return the migrations the code adds to it.

    The target must be of the archive's vendor and empty: no user account and no row in any model
    declared as holding personal data (the organisation's single record, which a migration creates,
    does not count), and no file under ``media_root``. A database that was only migrated is empty by
    this rule; the restore replaces what the migrations put in it.
    """
    if connection.vendor != archive.vendor:
        archived, target = VENDOR_NAMES[archive.vendor], VENDOR_NAMES.get(connection.vendor, connection.display_name)
        raise BackupError(
            f"The archive holds a {archived} database but the target is {target}; restore it into {archived}."
        )
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    archived_migrations = {
        (app, name) for app, names in archive.manifest.get("migrations", {}).items() for name in names
    }
    unknown = sorted(archived_migrations - set(loader.disk_migrations))
    if unknown:
        app, name = unknown[0]
        raise BackupError(
            f"The archive was made by a newer version of the code ({len(unknown)} unknown migrations, "
            f"such as {app}.{name}); restore it with that version."
        )
    missing = sorted(set(loader.graph.nodes) - archived_migrations)

    tables = set(connection.introspection.table_names())
    reasons = [f"{model._meta.label} has rows" for model in _guarded_models() if _has_rows(model, tables)]
    if media_root.is_dir() and any(path.is_file() for path in media_root.rglob("*")):
        reasons.append(f"{media_root} holds files")
    if reasons:
        raise BackupError(
            "The target is not empty (" + "; ".join(reasons[:3]) + ("; ..." if len(reasons) > 3 else "") + "); "
            "restore only into a new database and an empty MEDIA_ROOT."
        )
    if connection.vendor == "postgresql" and tables and missing:
        # pg_restore replaces the archive's tables only: tables of later migrations would stay behind.
        raise BackupError(
            "The target database was migrated by a newer version of the code than the archive's; "
            "restore into a newly created database without running migrate first."
        )
    return missing


def _guarded_models():
    from django.contrib.auth import get_user_model
    from django.db.models import Model

    from register.declarations import declarations
    from register.models import Organisation

    models: list[type[Model]] = [get_user_model()]
    models += [d.model for d in declarations() if d.model is not Organisation and d.model not in models]
    return models


def _has_rows(model, tables: set[str]) -> bool:
    from django.db import DatabaseError

    if model._meta.db_table not in tables:
        return False
    try:
        return model._base_manager.exists()
    except DatabaseError:
        # A table this version of the code cannot read may well hold rows: not provably empty.
        return True


def restore_database(archive: VerifiedArchive, *, connection) -> None:
    """Replace the target database with the archive's snapshot."""
    from django.db import connections

    # Django's connections must not hold the database open while it is replaced under them.
    connections.close_all()
    if archive.vendor == "sqlite":
        if connection.is_in_memory_db():
            raise BackupError("The target is an in-memory SQLite database; restore into a database file.")
        target_path = Path(connection.settings_dict["NAME"])
        target_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            source = sqlite3.connect(archive.database.resolve().as_uri() + "?mode=ro", uri=True)
            target = sqlite3.connect(target_path)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        except sqlite3.Error as error:
            raise BackupError(f"Copying the snapshot into {target_path} failed: {error}.") from None
    else:
        # One transaction: when pg_restore fails, the target stays as it was.
        options = [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        ]
        args, env = _postgres_command("pg_restore", connection.settings_dict, options)
        _run("pg_restore", [*args, str(archive.database)], env)


def restore_media(archive: VerifiedArchive, *, media_root: Path) -> int:
    """Copy the archive's uploaded files under ``media_root``; return how many."""
    for name in archive.media:
        source = archive.folder / "media" / name
        target = media_root.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return len(archive.media)
