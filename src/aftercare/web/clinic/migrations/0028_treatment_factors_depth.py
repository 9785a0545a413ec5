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


def depth_into_factors(apps: Any, schema_editor: Any) -> None:
    treatment_model = apps.get_model("clinic", "Treatment")
    for treatment in treatment_model.objects.all().iterator():
        factors = dict(treatment.factors) if isinstance(treatment.factors, dict) else {}
        if treatment.needle_depth_mm is not None:
            factors[DEPTH] = float(treatment.needle_depth_mm)
        if not treatment.protocol_id.startswith("microneedling"):
            for name in MICRONEEDLING_ONLY:
                if factors.get(name) in (False, None):
                    factors.pop(name, None)
        treatment.factors = factors
        treatment.save(update_fields=["factors"])


def depth_into_column(apps: Any, schema_editor: Any) -> None:
    treatment_model = apps.get_model("clinic", "Treatment")
    for treatment in treatment_model.objects.all().iterator():
        factors = dict(treatment.factors) if isinstance(treatment.factors, dict) else {}
        depth = factors.pop(DEPTH, None)
        for name in MICRONEEDLING_ONLY:
            factors.setdefault(name, None if name == "fitzpatrick" else False)
        treatment.needle_depth_mm = None if depth is None else Decimal(str(depth))
        treatment.factors = factors
        treatment.save(update_fields=["factors", "needle_depth_mm"])


class Migration(migrations.Migration):
    dependencies = [("clinic", "0027_check_in_clinic")]

    operations = [
        migrations.RunPython(depth_into_factors, depth_into_column),
        migrations.RemoveField(model_name="treatment", name=DEPTH),
    ]
