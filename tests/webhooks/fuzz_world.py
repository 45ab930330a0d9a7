"""The webhooks app's objects for the bad-input fuzz (tests/nasty_input.py)."""


def extend(world):
    from integrations.webhooks import services

    user = world.user
    # A public address the fuzz never reaches: deliveries are only written, not sent
    # (the fuzz's requests roll back before any on-commit task).
    subscription = services.subscription_create(
        by=user, name="Fuzz receiver", url="https://receiver.example.com/hooks",
        event_types=["incident.declared"])
    delivery = services.subscription_send_test(subscription=subscription, by=user)
    world.ids.update({"webhook-subscriptions": subscription.pk,
                      "webhook-deliveries": delivery.pk})
    world.bodies.update({
        "POST /api/webhook-subscriptions/": {
            "name": "Desk", "url": "https://desk.example.com/hook",
            "event_types": ["incident.declared"], "preset": "generic"},
        "PATCH /api/webhook-subscriptions/{id}/": {"name": "Desk", "enabled": True},
    })
    world.forms.update({
        "/webhooks/subscriptions/new/": {
            "name": "Desk", "url": "https://desk.example.com/hook", "preset": "generic",
            "event_types": ["incident.declared"]},
        f"/webhooks/subscriptions/{subscription.pk}/edit/": {
            "name": "Desk", "url": "https://desk.example.com/hook", "preset": "generic",
            "event_types": ["incident.declared"]},
    })
