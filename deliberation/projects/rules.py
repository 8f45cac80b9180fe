"""Who may keep needs, claims, partner units and projects in the admin (named per model, asked
by communities.admin_mixins). Township and community staff keep needs and their claims; partner
units and projects are the town's, kept by township staff and read by community staff. Nothing
is deleted: needs and projects are withdrawn or cancelled through the services, with a reason.
District and city staff read the totals (selectors.project_scope) and change nothing."""

from communities.rules import add_model_perms, keepers, nobody, township

from .models import Claim, Need, PartnerUnit, Project

add_model_perms(Need, view=keepers, change=keepers, delete=nobody)
add_model_perms(Claim, view=keepers, change=keepers, delete=nobody)
add_model_perms(PartnerUnit, view=keepers, change=township, delete=nobody)
add_model_perms(Project, view=keepers, change=township, delete=nobody)
