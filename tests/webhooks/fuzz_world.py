"""The webhooks app's objects for the bad-input fuzz (tests/nasty_input.py)."""


def extend(world):
    from escalations.models import Customer
    from integrations.webhooks import services
    from integrations.webhooks.customer_updates import customer_opt_in

    user = world.user
    # A public address the fuzz never reaches: deliveries are only written, not sent
    # (the fuzz's requests roll back before any on-commit task).
    subscription = services.subscription_create(
        by=user, name="Fuzz receiver", url="https://receiver.example.com/hooks",
        event_types=["incident.declared"])
    delivery = services.subscription_send_test(subscription=subscription, by=user)
    customer = Customer.objects.get(pk=world.ids["customers"])
    customer.email = "fuzz.customer@example.com"  # an opt-in needs an address to write to
    customer.save(update_fields=["email"])
    opt_in = customer_opt_in(customer=customer, by=user, note="Asked on the phone")
    world.ids.update({"webhook-subscriptions": subscription.pk,
                      "webhook-deliveries": delivery.pk,
                      "customer-update-opt-ins": opt_in.pk})
    world.bodies.update({
        "POST /api/webhook-subscriptions/": {
            "name": "Desk", "url": "https://desk.example.com/hook",
            "event_types": ["incident.declared"], "preset": "generic"},
        "PATCH /api/webhook-subscriptions/{id}/": {"name": "Desk", "enabled": True},
        "POST /api/customer-update-opt-ins/": {"customer": world.ids["customers"],
                                               "note": "Asked by email"},
    })
    world.forms.update({
        "/webhooks/subscriptions/new/": {
            "name": "Desk", "url": "https://desk.example.com/hook", "preset": "generic",
            "event_types": ["incident.declared"]},
        f"/webhooks/subscriptions/{subscription.pk}/edit/": {
            "name": "Desk", "url": "https://desk.example.com/hook", "preset": "generic",
            "event_types": ["incident.declared"]},
    })
