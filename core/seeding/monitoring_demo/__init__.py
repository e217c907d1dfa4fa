"""The demo programme's monitoring data: households, children, consent, visits, observations,
identifications and a few duplicate records for the review page.

About 2,000 households in the 44 demo communities (three times as many in mining
communities), 5,000 children and youth aged 3 to 19, visited by the facilitators of their
communities over the last 23 months: a household visit each, a second one for some, the
artisanal mine sites and the schools, and a handful of visits in the last days so the referral
desk has deadlines running. Each observation is classified by the engine (`Classifier`), never
by hand; identifications follow the desk's urgency windows from the moment of the visit.

The plan is built in Python from a fixed seed (`plan_demo`), relative to the moment of the
run: the same on every machine, with dates that stay recent whenever the demo is seeded. Rows
carry stable keys (`external_id` "demo:…"), and only missing rows are written, with
bulk_create (which still encrypts names: `EncryptedTextField.get_prep_value`). No row is
audited one by one: the demo's one `system:seed` event counts them.
"""

from __future__ import annotations

from core.seeding.monitoring_demo.households import KEY_PREFIX
from core.seeding.monitoring_demo.plan import DemoPlan, plan_demo
from core.seeding.monitoring_demo.writing import seed_monitoring

__all__ = ["KEY_PREFIX", "DemoPlan", "plan_demo", "seed_monitoring"]
