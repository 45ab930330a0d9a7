"""Starting configuration every installation gets: SEV1–SEV4 and the channels.

Run by migration 0002 and again after every migrate or flush (post_migrate), so a
test database flushed between tests still has them. Managers change them in the
admin; existing rows are never overwritten.
"""

from datetime import timedelta

H = timedelta(hours=1)
M = timedelta(minutes=1)

SEVERITIES = [
    # key, name, rank, colour, description, triage, containment, update, resolution,
    # post-mortem due, post-mortem required
    ("SEV1", "Critical", 1, "#cf222e",
     "A main channel is down for most customers (voice/ACD, IVR, chat platform) or "
     "customer data is exposed. All hands; executives informed.",
     15 * M, 1 * H, 30 * M, 4 * H, 5 * 24 * H, True),
    ("SEV2", "Major", 2, "#d1570a",
     "A channel is badly degraded or down for a segment (one region, one queue, the "
     "chatbot looping); service level visibly falling.",
     30 * M, 2 * H, 1 * H, 8 * H, 10 * 24 * H, True),
    ("SEV3", "Minor", 3, "#9a6700",
     "Partial degradation with a workaround (slow CRM screen pops, a broken IVR branch).",
     2 * H, 8 * H, 4 * H, 3 * 24 * H, None, False),
    ("SEV4", "Low", 4, "#57606a",
     "Cosmetic or single-agent issues; no visible customer impact.",
     8 * H, None, None, 10 * 24 * H, None, False),
]

CHANNELS = [("voice", "Voice / ACD"), ("ivr", "IVR"), ("chat", "Chat"), ("email", "Email"),
            ("sms", "SMS"), ("social", "Social media"), ("messaging", "Messaging apps"),
            ("bot", "Chatbot / virtual agent"), ("crm", "CRM"), ("wfm", "Workforce management")]


def seed_severities_and_channels(severity_model=None, channel_model=None):
    if severity_model is None:
        from .models import Channel, Severity

        severity_model, channel_model = Severity, Channel
    for (key, name, rank, colour, description, triage, containment, update, resolution,
         postmortem_due, required) in SEVERITIES:
        severity_model.objects.get_or_create(key=key, defaults={
            "name": name, "rank": rank, "colour": colour, "description": description,
            "triage_target": triage, "containment_target": containment,
            "update_cadence": update, "resolution_target": resolution,
            "postmortem_due": postmortem_due, "postmortem_required": required,
        })
    for order, (key, name) in enumerate(CHANNELS):
        channel_model.objects.get_or_create(key=key, defaults={"name": name, "order": order})


def seed_after_migrate(sender, **kwargs):
    seed_severities_and_channels()
