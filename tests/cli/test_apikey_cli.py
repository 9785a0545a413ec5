"""``aftercare apikey``, run as a real process against a real SQLite file in a data directory.

One installation serves the module (migrating a new database takes seconds): the harbour
clinic, whose keys the tests create, and the cove clinic, which must never reach them.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.web.live import aftercare_command, environment


@dataclass(frozen=True)
class Installation:
    data_dir: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            aftercare_command(*args),
            env=environment(self.data_dir),
            capture_output=True,
            text=True,
            check=False,
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert (result.returncode, result.stderr) == (0, ""), result.stderr
        return result.stdout

    def rows(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        with closing(sqlite3.connect(self.data_dir / "aftercare.sqlite3")) as database:
            return list(database.execute(sql, params))

    def create(self, name: str, *flags: str) -> str:
        return self.ok("apikey", "create", "--clinic", "harbour", "--name", name, *flags)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    installation = Installation(tmp_path_factory.mktemp("apikey-data"))
    for slug in ("harbour", "cove"):
        installation.ok(
            "add-clinic", "--slug", slug, "--name", f"{slug.title()} Clinic",
            "--phone", "020 7946 0100", "--urgent-phone", "020 7946 0101",
            "--admin", f"{slug}-admin",
        )  # fmt: skip
    yield installation


def test_it_prints_the_key_alone_on_the_last_line_and_the_key_works(site: Installation) -> None:
    out = site.create("Booking system")
    *told, raw = out.splitlines()
    assert told == [
        "API key 'Booking system' created for clinic 'harbour' (read only).",
        "It is shown once, on the next line; it cannot be looked up later.",
    ]
    assert re.fullmatch(r"ak_[A-Za-z0-9_-]{43}", raw)
    found = site.ok(
        "manage", "shell", "-c",
        "from aftercare.web.clinic.models import ApiKey; "
        f"key = ApiKey.find({raw!r}); print(key.clinic.slug, key.access, key.revoked_at)",
    )  # fmt: skip
    assert found.splitlines()[-1] == "harbour read None"
    [(prefix, key_hash, created_by)] = site.rows(
        "SELECT prefix, key_hash, created_by_id FROM clinic_apikey WHERE name = ?",
        "Booking system",
    )
    assert raw.startswith(str(prefix))
    assert key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(key_hash)
    assert created_by is None


def test_it_creates_read_write_keys_and_audits_with_the_system_as_actor(
    site: Installation,
) -> None:
    out = site.create("Record system", "--access", "read-write")
    raw = out.splitlines()[-1]
    assert "(read and write)" in out
    [(key_id, access)] = site.rows(
        "SELECT id, access FROM clinic_apikey WHERE name = ?", "Record system"
    )
    assert access == "read_write"
    events = site.rows(
        "SELECT actor_kind, actor_staff_id, object_type, outcome FROM clinic_auditevent"
        " WHERE action = 'apikey.create' AND object_id = ?",
        str(key_id),
    )
    assert events == [("system", None, "apikey", "allowed")]
    everything = site.rows("SELECT * FROM clinic_auditevent")
    assert raw not in repr(everything)


def test_the_list_names_keys_and_never_shows_one(site: Installation) -> None:
    raw = site.create("Listed key").splitlines()[-1]
    listing = site.ok("apikey", "list", "--clinic", "harbour").splitlines()
    assert listing[0] == "PREFIX\tNAME\tACCESS\tCREATED\tLAST USED\tREVOKED"
    [row] = [line.split("\t") for line in listing if "\tListed key\t" in line]
    assert row[:3] == [raw[:10], "Listed key", "read"]
    # On the clinic's clock (Europe/London), to the minute.
    [(stored,)] = site.rows("SELECT created_at FROM clinic_apikey WHERE name = 'Listed key'")
    created = datetime.fromisoformat(str(stored)).replace(tzinfo=UTC)
    local = created.astimezone(ZoneInfo("Europe/London"))
    assert row[3] == local.isoformat(timespec="minutes")
    assert row[4:] == ["never", "no"]
    assert raw not in "\n".join(listing)
    assert site.ok("apikey", "list", "--clinic", "cove") == "Clinic 'cove' has no API keys.\n"


def test_it_revokes_by_prefix_once_and_only_in_its_clinic(site: Installation) -> None:
    prefix = site.create("To revoke").splitlines()[-1][:10]
    other = site.run("apikey", "revoke", "--clinic", "cove", prefix)
    assert (other.returncode, other.stdout) == (2, "")
    assert (
        other.stderr
        == f"aftercare: error: clinic 'cove' has no API key with the prefix {prefix!r}\n"
    )
    assert site.rows("SELECT revoked_at FROM clinic_apikey WHERE prefix = ?", prefix) == [(None,)]
    first = site.ok("apikey", "revoke", "--clinic", "harbour", prefix + "…")
    assert first == f"API key To revoke ({prefix}…) revoked; it no longer works.\n"
    [(revoked_at,)] = site.rows("SELECT revoked_at FROM clinic_apikey WHERE prefix = ?", prefix)
    assert revoked_at is not None
    again = site.ok("apikey", "revoke", "--clinic", "harbour", prefix)
    assert again == f"API key To revoke ({prefix}…) was already revoked.\n"
    assert site.rows("SELECT revoked_at FROM clinic_apikey WHERE prefix = ?", prefix) == [
        (revoked_at,)
    ]
    [key_id] = site.rows("SELECT id FROM clinic_apikey WHERE prefix = ?", prefix)[0]
    events = site.rows(
        "SELECT actor_kind FROM clinic_auditevent WHERE action = 'apikey.revoke' AND object_id = ?",
        str(key_id),
    )
    assert events == [("system",)]
    listed = site.ok("apikey", "list", "--clinic", "harbour")
    [row] = [line for line in listed.splitlines() if line.startswith(prefix)]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d[+-]\d\d:\d\d", row.split("\t")[-1])


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["create", "--clinic", "nowhere", "--name", "Bad"],
            "aftercare: error: --clinic: no clinic has the slug 'nowhere'",
        ),
        (
            ["create", "--clinic", "harbour", "--name", "   "],
            "aftercare: error: --name: Give the key a name.",
        ),
        (
            ["create", "--clinic", "harbour", "--name", "Bad\u202ename"],
            "aftercare: error: --name: Please remove the invisible character "
            "(right-to-left override) from this text.",
        ),
        (
            ["create", "--clinic", "harbour", "--name", "Bad\x1bname"],
            "aftercare: error: --name: Please remove the invisible character (u+001b) "
            "from this text.",
        ),
        (
            ["create", "--clinic", "harbour", "--name", "Bad\nname"],
            "aftercare: error: --name: Please write the name on one line, without tabs.",
        ),
        (
            ["create", "--clinic", "harbour", "--name", "B" * 101],
            "aftercare: error: --name: Keep the name to 100 characters (it has 101).",
        ),
        (
            ["create", "--clinic", "harbour", "--name", "Bad", "--access", "admin"],
            "aftercare apikey create: error: argument --access: invalid choice: 'admin' "
            "(choose from 'read', 'read-write')",
        ),
        (
            ["revoke", "--clinic", "harbour", "ak_unknown"],
            "aftercare: error: clinic 'harbour' has no API key with the prefix 'ak_unknown'",
        ),
        (["list"], "aftercare apikey list: error: the following arguments are required: --clinic"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(
    site: Installation, args: list[str], error: str
) -> None:
    before = site.rows("SELECT count(*) FROM clinic_apikey")
    result = site.run("apikey", *args)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", error + "\n")
    assert site.rows("SELECT count(*) FROM clinic_apikey") == before
