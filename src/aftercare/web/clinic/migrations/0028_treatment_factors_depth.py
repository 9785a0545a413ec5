# Migration.operations and .dependencies are lists by convention.
# ruff: noqa: RUF012
"""Move a treatment's needle depth into its factors, where each protocol's factors live.

The depth was a column of its own, empty for every procedure but microneedling. It is now
the ``needle_depth_mm`` factor, kept as a number (1.5) in ``Treatment.factors``. A peel's
factors also lose the microneedling yes-or-no answers it was recorded with, all "no", which
a peel never asked. Reversible: going back puts the depth in its column again.

The packaged protocols' versions change with this release (their modifiers now name factors
by id); a treatment recorded before shows its page's "the protocol has changed" notice, and
its plan, which follows the protocol in force, says what it said before.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import migrations

DEPTH = "needle_depth_mm"
# What every treatment was stored with before factors came from the protocol.
MICRONEEDLING_ONLY = ("sensitive_skin", "fitzpatrick", "platelet_medication", "anticoagulant")


# Rows are read and written a batch at a time: a chain's million treatments take a
# thousand updates of a thousand rows, not a million round trips.
BATCH = 1000


def depth_into_factors(apps: Any, schema_editor: Any) -> None:
    def moved(treatment: Any) -> None:
        factors = dict(treatment.factors) if isinstance(treatment.factors, dict) else {}
        if treatment.needle_depth_mm is not None:
            factors[DEPTH] = float(treatment.needle_depth_mm)
        if not treatment.protocol_id.startswith("microneedling"):
            for name in MICRONEEDLING_ONLY:
                if factors.get(name) in (False, None):
                    factors.pop(name, None)
        treatment.factors = factors

    _each_batch(apps, moved, ["factors"])


def depth_into_column(apps: Any, schema_editor: Any) -> None:
    def moved(treatment: Any) -> None:
        factors = dict(treatment.factors) if isinstance(treatment.factors, dict) else {}
        depth = factors.pop(DEPTH, None)
        for name in MICRONEEDLING_ONLY:
            factors.setdefault(name, None if name == "fitzpatrick" else False)
        treatment.needle_depth_mm = None if depth is None else Decimal(str(depth))
        treatment.factors = factors

    _each_batch(apps, moved, ["factors", DEPTH])


def _each_batch(apps: Any, change: Any, fields: list[str]) -> None:
    treatment_model = apps.get_model("clinic", "Treatment")
    rows = treatment_model.objects.only("pk", "protocol_id", "factors", DEPTH).order_by("pk")
    batch: list[Any] = []
    for treatment in rows.iterator(chunk_size=BATCH):
        change(treatment)
        batch.append(treatment)
        if len(batch) >= BATCH:
            treatment_model.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        treatment_model.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0027_check_in_clinic")]

    operations = [
        migrations.RunPython(depth_into_factors, depth_into_column),
        migrations.RemoveField(model_name="treatment", name=DEPTH),
    ]
