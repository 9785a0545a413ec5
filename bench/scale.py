"""Print how the busiest routes grow when a clinic grows from 1,000 to 100,000 patients.

A clinic of 1,000 patients and one of 100,000 are timed route by route; one line a
route: ``ROUTE at_1000_ms=A at_100000_ms=B growth=B/A`` (medians of single requests
through ``django.test.Client``: every middleware, the audit row each read writes).
Target: growth <= 1.5 on every route. Search and the API's filter look for one patient
(by name, by email); ``api_patients_filter_family`` filters by a surname, which a bigger
clinic shares with more patients, so its answer, and its time, grows with them.

The rows are those the project's write paths make, inserted in bulk: about three years of
a clinic's work, where each patient has one to three treatments (the latest within three
years, so a bigger clinic has proportionally more patients in aftercare), each treatment
its reminders (sent before now, scheduled after, a few due now for the worker's claim) and
one in three a check-in (one in ten of those an alert, all but the last few reviewed). A
second clinic of 1,000 patients shares the tables, as a chain's clinics do.

Each size has a database of its own, and the timing rounds alternate between them, so a
change in a shared machine's load falls on both sizes alike. Databases: SQLite files in a
new temporary directory (removed at the end); with DATABASE_URL=postgres://…/NAME, two new
databases on that server, NAME_scale1000_XXXXXX and NAME_scale100000_XXXXXX, which the
bench creates and drops when it ends; it never drops or writes into a database it did not
create.

Run: python bench/scale.py [--small N] [--large N] [--rounds N] [--requests N]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scratch_db import scratch_database

CLAIM_BATCH = 100


def words(text: str) -> list[str]:
    return text.split()


NOW = datetime.now(UTC).replace(microsecond=0)
YEARS_OF_WORK = timedelta(days=3 * 365)
GIVEN = words(
    "Amelia Olivia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Emily Ella"
    " Poppy Evie Charlotte Aria Evelyn Sienna Daisy Harper Sofia Alice Matilda Jack Noah Leo"
    " Oliver Arthur Muhammad George Harry Theo Oscar Archie Henry Charlie Freddie Thomas James"
    " Alfie Jacob William Joshua Zoë Siobhán Chloé Renée"
)
SYLLABLES = words(
    "ash brook carr dal ell fair gold hart ing kent lang mor new oak pen quin ros sand thorn wood"
)
ENDINGS = words("by ton ley well field worth ham ford son man er wick")


def family_name(rng: random.Random) -> str:
    return (rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(ENDINGS)).title()


@contextmanager
def databases(sizes: tuple[int, int]) -> Iterator[tuple[str, dict[int, str]]]:
    """Two new databases of the bench's own, one per size; yields where they are and the
    NAME of each (Django is pointed at one at a time, see ``use``)."""
    url = os.environ.get("DATABASE_URL", "")
    data_dir = Path(tempfile.mkdtemp(prefix="aftercare-bench-scale-"))
    for name in [n for n in os.environ if n.startswith(("AFTERCARE_", "DJANGO_"))]:
        del os.environ[name]
    os.environ["AFTERCARE_DATA_DIR"] = str(data_dir)
    os.environ["AFTERCARE_HTTPS"] = "false"
    try:
        if not url:
            yield "SQLite", {size: str(data_dir / f"scale-{size}.sqlite3") for size in sizes}
            return
        with (
            scratch_database(url, f"scale{sizes[0]}") as small,
            scratch_database(url, f"scale{sizes[1]}") as large,
        ):
            os.environ["DATABASE_URL"] = small
            names = {sizes[0]: _name(small), sizes[1]: _name(large)}
            try:
                yield f"PostgreSQL ({', '.join(names.values())})", names
            finally:
                from django.db import connections

                connections.close_all()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def use(database: str) -> None:
    """Send the app's queries to ``database`` from now on."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = database


def setup() -> None:
    from aftercare.cli.startup import setup_django

    setup_django(create_secret_key=True)


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


class Filler:
    """Adds patients to a clinic, with the rows a clinic's work leaves behind."""

    def __init__(self, clinic: Any, seed: int) -> None:
        from aftercare.protocols.load import load_protocol

        self.clinic = clinic
        self.rng = random.Random(seed)
        self.protocol = load_protocol()
        self.count = 0

    def add(self, patients: int) -> None:
        from django.db.models import F

        from aftercare.web.booking import refresh_clinic_bookings
        from aftercare.web.clinic.models import Clinic, Patient

        for start in range(0, patients, 5000):
            batch = Patient.objects.bulk_create(
                self.patient() for _ in range(min(5000, patients - start))
            )
            self.treat(batch)
        # The clinic's count of patients, as saving each one keeps it: the patient list
        # and the API's pages read their total from it.
        Clinic.objects.filter(pk=self.clinic.pk).update(patient_count=F("patient_count") + patients)
        # Each patient's window to book (a row per procedure), as the write paths keep it.
        refresh_clinic_bookings(self.clinic, self.protocol)

    def patient(self) -> Any:
        from aftercare.web.clinic.models import Patient

        self.count += 1
        given, family = self.rng.choice(GIVEN), family_name(self.rng)
        return Patient(
            clinic=self.clinic,
            given_name=given,
            family_name=family,
            email=f"{given.lower()}.{family.lower()}{self.count}@example.org",
            mobile=f"+4477009{self.count:05d}"[:13],
            preferred_channel="email",
            consent_to_messages=True,
            created_at=NOW - YEARS_OF_WORK,
        )

    def treat(self, patients: list[Any]) -> None:
        from aftercare.web.clinic.models import CheckIn, Treatment

        treatments = Treatment.objects.bulk_create(
            Treatment(
                patient=patient,
                treated_at=NOW - timedelta(minutes=self.rng.randrange(1, 60 * 24 * 365 * 3)),
                time_zone="Europe/London",
                areas=["face"],
                protocol_id=self.protocol.effective_id,
                protocol_version=self.protocol.version,
                created_at=NOW - YEARS_OF_WORK,
            )
            for patient in patients
            for _ in range(self.rng.choice((1, 1, 2, 3)))
        )
        insert_reminders([r for t in treatments for r in self.reminders(t)])
        CheckIn.objects.bulk_create(
            self.check_in(t) for t in treatments if self.rng.random() < 1 / 3
        )

    def reminders(self, treatment: Any) -> Iterator[tuple[Any, ...]]:
        """The rows of REMINDER_COLUMNS the schedule writes for ``treatment``."""
        for hours in (2, 24, 72, 24 * 7, 24 * 28):
            due = treatment.treated_at + timedelta(hours=hours)
            sent = due < NOW - timedelta(minutes=5)
            yield (
                *(treatment.pk, treatment.patient_id, self.clinic.pk),
                *(f"RM-bench:{hours}", "aftercare"),
                *("email", "", due, "A reminder from the clinic."),
                "sent" if sent else "scheduled",
                *(0, None, "", "", f"{treatment.pk}:{hours}", treatment.protocol_version),
                *(NOW - YEARS_OF_WORK, due if sent else None, None, None),
            )

    def check_in(self, treatment: Any) -> Any:
        from aftercare.web.clinic.models import CheckIn

        alert = self.rng.random() < 0.1
        hours = self.rng.uniform(2, 120)
        at = treatment.treated_at + timedelta(hours=hours)
        reviewed = None if alert and at > NOW - timedelta(hours=2) else min(at, NOW)
        return CheckIn(
            treatment=treatment,
            clinic=self.clinic,
            symptoms=[{"symptom": "redness"}],
            trend="stable",
            level="contact_clinic" if alert else "expected",
            hours_after=hours,
            created_at=min(at, NOW),
            reviewed_at=reviewed if alert else None,
        )


REMINDER_COLUMNS = (
    "treatment_id, patient_id, clinic_id, item, kind, channel, recipient, due_at, body, status,"
    " attempts, lease_until, leased_by, last_error, idempotency_key, protocol_version, created_at,"
    " sent_at, cancelled_at, cancelled_by_id"
)


def insert_reminders(rows: list[tuple[Any, ...]]) -> None:
    """Reminder rows as the schedule writes them, inserted without building models (the
    bulk of the rows: about five a treatment)."""
    from django.db import connection, transaction

    adapt = connection.ops.adapt_datetimefield_value
    dates = {7, 11, 16, 17, 18}
    values = [
        tuple(adapt(v) if i in dates and v is not None else v for i, v in enumerate(row))
        for row in rows
    ]
    marks = ", ".join(["%s"] * 20)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO clinic_reminder ({REMINDER_COLUMNS}) VALUES ({marks})",  # noqa: S608
            values,
        )


def routes(clinic: Any, rng: random.Random) -> dict[str, Callable[[], Any]]:
    """Each route as a call that makes one request (or one claim) and checks it worked."""
    from django.contrib.auth.models import User
    from django.test import Client

    from aftercare.web.clinic.models import Access, ApiKey, Patient, Role, StaffMember
    from aftercare.web.reminders.claim import claim, release

    # A practitioner: the administrator would be sent to set up a second factor first.
    user = User.objects.create_user(f"bench-practitioner-{rng.random()}")
    StaffMember.objects.create(user=user, clinic=clinic, role=Role.PRACTITIONER)
    staff = Client(HTTP_HOST="localhost")
    staff.force_login(user)
    _, key = ApiKey.issue(clinic, f"bench-{rng.random()}", Access.READ, NOW)
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {key}")
    count = Patient.objects.filter(clinic=clinic).count()
    people = list(Patient.objects.filter(clinic=clinic).order_by("?")[:50])

    def get(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
        response = client.get(path, data or {})
        assert response.status_code == 200, (path, response.status_code)
        return response

    def search() -> Any:
        person = rng.choice(people)
        return get(staff, "/clinic/patients/", {"q": f"{person.given_name} {person.family_name}"})

    def worker_claim() -> Any:
        claimed = claim(CLAIM_BATCH, "bench", datetime.now(UTC), timedelta(seconds=60))
        assert claimed, "nothing due to claim"
        release(claimed, "bench")

    last = (count + 49) // 50
    return {
        "dashboard": lambda: get(staff, "/clinic/"),
        "patients_first_page": lambda: get(staff, "/clinic/patients/"),
        "patients_last_page": lambda: get(staff, "/clinic/patients/", {"page": last}),
        "search": search,
        "api_patients": lambda: get(api, "/api/v1/patients", {"limit": 50}),
        "api_patients_filter": lambda: get(
            api, "/api/v1/patients", {"email": rng.choice(people).email}
        ),
        "api_patients_filter_family": lambda: get(
            api, "/api/v1/patients", {"family_name": rng.choice(people).family_name}
        ),
        "worker_claim": worker_claim,
    }


def timed(call: Callable[[], Any], requests: int) -> list[float]:
    """Milliseconds of each of ``requests`` calls, after a warm-up."""
    for _ in range(3):
        call()
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def make_clinic(slug: str) -> Any:
    from aftercare.web.clinics import create_clinic

    created = create_clinic(
        slug=slug,
        name=slug.title(),
        phone="01632 960000",
        urgent_phone="01632 960001",
        email="",
        time_zone="Europe/London",
        admin_username=f"{slug}-admin",
    )
    return created.clinic


def due_now() -> None:
    """More reminders due now than a claim takes: a worker that is behind, the most a
    claim ever finds at any size of clinic."""
    from aftercare.web.clinic.models import Reminder

    ids = Reminder.objects.filter(status="sent").order_by("-pk").values_list("pk", flat=True)
    chosen = list(ids[: CLAIM_BATCH * 2])
    Reminder.objects.filter(pk__in=chosen).update(
        status="scheduled", sent_at=None, due_at=NOW - timedelta(minutes=1)
    )


def fill(size: int) -> Any:
    """Migrate the current database and fill its clinic to ``size`` patients."""
    migrate()
    clinic = make_clinic("bench")
    Filler(make_clinic("neighbour"), seed=2).add(1000)
    Filler(clinic, seed=1).add(size)
    due_now()
    _analyse()
    return clinic


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[3:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--small", type=int, default=1000, help="patients (1000)")
    parser.add_argument("--large", type=int, default=100_000, help="patients (100000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    parser.add_argument("--requests", type=int, default=15, help="requests a route a round (15)")
    args = parser.parse_args()
    sizes = (args.small, args.large)
    with databases(sizes) as (where, names):
        setup()
        calls = {}
        for size in sizes:
            use(names[size])
            start = time.perf_counter()
            calls[size] = routes(fill(size), random.Random(size))
            print(f"{where}: {size:,} patients filled in {time.perf_counter() - start:.0f} s")
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"load average {load} on {os.cpu_count()} CPUs (the machine is shared)", flush=True)
        times: dict[tuple[int, str], list[float]] = {}
        # Rounds alternate the sizes, so a change in the machine's load falls on both.
        for _ in range(args.rounds):
            for size in sizes:
                use(names[size])
                for route, call in calls[size].items():
                    times.setdefault((size, route), []).extend(timed(call, args.requests))
        for route in calls[args.small]:
            small = statistics.median(times[args.small, route])
            large = statistics.median(times[args.large, route])
            print(
                f"{route} at_{args.small}_ms={small:.2f} at_{args.large}_ms={large:.2f}"
                f" growth={large / small:.2f}",
                flush=True,
            )


def _analyse() -> None:
    """Refresh the planner's statistics, as autovacuum or a deployment's ANALYZE would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


if __name__ == "__main__":
    main()
