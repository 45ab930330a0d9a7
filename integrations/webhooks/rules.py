"""Who may do what with outbound webhooks, declared once (``rules``).

Managers configure subscriptions and read the delivery log. Nobody else sees them:
a subscription's URL is often itself a credential (a Slack or Teams incoming-webhook
address posts to a channel for anyone who has it), and the log shows the payloads.
Letting a subscription reach private network addresses also needs a staff account:
it points the server at its own network.
"""

import rules

from core.predicates import has_model_perm

manages = has_model_perm("webhooks.change_webhooksubscription")


@rules.predicate
def is_staff(user):
    return bool(user) and user.is_staff


rules.add_perm("webhooks.manage", manages)
rules.add_perm("webhooks.allow_private_addresses", manages & is_staff)
rules.add_perm("webhooks.manage_customer_updates",
               has_model_perm("webhooks.change_customerupdateoptin")
               & has_model_perm("core.view_customer_personal_data"))
