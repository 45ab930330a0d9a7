"""Who may do what with vendor reviews and packs, declared once (``rules``).

* Every role with the app reads reviews, their action items and the packs' status.
* Vendor managers and managers plan, hold and publish reviews and generate packs
  (they hold ``reports.change_vendorreview`` *and* work vendors).
* A pack holds money (fees, credits, spend): its files download only with
  ``core.view_money`` (Manager, Vendor manager, Finance). Other roles see that a pack
  exists and the review's minutes, not the pack itself — no money-free variant.
  The one exception is an executive pack built for its owner: it holds only what
  that owner may see (``reports/executive.py`` leaves money out), so its owner opens it.
"""

import rules

from core.predicates import has_model_perm

sees_money = has_model_perm("core.view_money")


@rules.predicate
def own_executive_pack(user, pack):
    return (pack is not None and getattr(pack, "kind", None) == "executive"
            and pack.created_by_id == user.pk)


rules.add_perm("reports.read_reviews", has_model_perm("reports.view_vendorreview"))
rules.add_perm("reports.plan_review", has_model_perm("reports.change_vendorreview")
               & has_model_perm("vendors.change_vendor"))
rules.add_perm("reports.generate_pack", has_model_perm("reports.add_reportpack")
               & has_model_perm("vendors.change_vendor") & sees_money)
rules.add_perm("reports.download_pack", has_model_perm("reports.view_reportpack")
               & (sees_money | own_executive_pack))
rules.add_perm("reports.manage_schedules", has_model_perm("reports.change_packschedule")
               & has_model_perm("vendors.change_vendor"))
