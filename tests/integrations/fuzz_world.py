"""The integrations app's objects for the bad-input fuzz (tests/nasty_input.py)."""


def extend(world):
    from integrations import services
    from integrations.models import Alert
    from integrations.processing import event_process
    from tests.integrations import samples

    integration, token = services.integration_create(by=world.user, name="Fuzz Prometheus",
                                                     kind="alertmanager")
    # PagerDuty's enqueue path takes only a PagerDuty integration's token.
    _, pagerduty_token = services.integration_create(by=world.user, name="Fuzz PagerDuty",
                                                     kind="pagerduty")
    event = services.intake_accept(integration=integration, payload=samples.alertmanager())
    event_process(event.pk)
    world.ids.update({"integrations": integration.pk, "alerts": Alert.objects.get(
        integration=integration).pk, "intake": token})
    world.bodies.update({
        "POST /api/integrations/intake/{token}/": samples.alertmanager(),
        "POST /api/integrations/pagerduty/v2/enqueue":
            samples.pagerduty(routing_key=pagerduty_token),
    })
    world.forms.update({
        "/integrations/new/": {"name": "Fuzz new", "kind": "generic",
                               "default_severity": "medium", "auto_resolve": "contain",
                               "flap_minutes": 30, "poll_minutes": 5},
        f"/integrations/{integration.pk}/edit/": {
            "name": "Fuzz Prometheus", "default_severity": "medium", "auto_resolve": "contain",
            "flap_minutes": 30, "poll_minutes": 5},
    })
