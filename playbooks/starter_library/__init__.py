"""Starter library of contact-center playbooks (plain Python data, no Django imports).

Imported by the data migration that seeds the library and by the demo, so it must stay
importable without Django settings. Each playbook is a dict:

    slug, name, kind ("incident" | "escalation"), purpose, rules, steps

Steps: title, instructions (Markdown), responsible_role (a role group name), due_minutes
(offset from when the playbook attaches; None for no due time), required (required steps
block closing the incident/escalation) and evidence ("none" | "note" | "link" | "file").

Attach rules
------------
``rules`` is a list of dicts. All conditions inside one rule must match (AND); the
playbook attaches when any one rule matches (OR). An empty list means the playbook is
only ever attached by hand. Keys:

- ``severity`` (incident playbooks): "SEV1".."SEV4", meaning *at least this bad*:
  "SEV2" matches SEV1 and SEV2 incidents, "SEV4" matches every severity.
- ``channel`` (either kind): a seeded channel key (see ``incidents/seeds.py``): "voice",
  "ivr", "chat", "email", "sms", "social", "messaging", "bot", "crm", "wfm".
- ``category`` (escalation playbooks): "complaint", "billing", "technical", "regulatory",
  "social_media", "executive".
- ``priority`` (escalation playbooks): "P1".."P4", meaning *at least this urgent*:
  "P2" matches P1 and P2.
- ``customer_tier`` (escalation playbooks): "standard", "priority", "vip", "high_value".
- ``regulatory`` (escalation playbooks): True, meaning only escalations under a
  regulatory regime.

Rules are re-evaluated when the object changes, so raising a voice incident from SEV2 to
SEV1 also attaches the CCaaS platform playbook.

Call ``validate_library()`` after editing this file.
"""

import re

KINDS = ("incident", "escalation")
ROLES = ("Manager", "Incident Responder", "Escalation Lead", "Vendor Manager")
EVIDENCE = ("none", "note", "link", "file")
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
PRIORITIES = ("P1", "P2", "P3", "P4")
CHANNELS = ("voice", "ivr", "chat", "email", "sms", "social", "messaging", "bot", "crm", "wfm")
CATEGORIES = ("complaint", "billing", "technical", "regulatory", "social_media", "executive")
CUSTOMER_TIERS = ("standard", "priority", "vip", "high_value")

HOUR = 60
DAY = 24 * HOUR

# Allowed rule keys per playbook kind, with the allowed values for each key.
RULE_VALUES = {
    "incident": {
        "severity": SEVERITIES,
        "channel": CHANNELS,
    },
    "escalation": {
        "channel": CHANNELS,
        "category": CATEGORIES,
        "priority": PRIORITIES,
        "customer_tier": CUSTOMER_TIERS,
        "regulatory": (True,),
    },
}

STEP_KEYS = {"title", "instructions", "responsible_role", "due_minutes", "required", "evidence"}
PLAYBOOK_KEYS = {"slug", "name", "kind", "purpose", "rules", "steps"}


STARTER_PLAYBOOKS = [
    # ------------------------------------------------------------------------------------
    {
        "slug": "telephony-carrier-outage",
        "name": "Telephony carrier outage",
        "kind": "incident",
        "purpose": (
            "Use when inbound or outbound calls fail because of the telephony carrier or SIP "
            "trunk rather than the contact-center platform. Gets callers a clear message fast, "
            "moves traffic to a working route and secures the evidence for the service-credit "
            "claim."
        ),
        "rules": [
            {"channel": "voice", "severity": "SEV2"},
        ],
        "steps": [
            {
                "title": "Confirm the fault with the carrier NOC and open a P1 ticket",
                "instructions": (
                    "Call the carrier NOC on the number in the vendor record (not the general "
                    "support line) and open a priority-1 fault. Give them:\n"
                    "- affected numbers (DDIs) or trunk group IDs\n"
                    "- first failure time in UTC\n"
                    "- 2–3 sample failed calls: caller number, dialled number, time, SIP "
                    "response code or what the caller hears\n\n"
                    "Ask when their first update is due. Attach the ticket link (portal URL, "
                    "or the confirmation email in the shared mailbox)."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 10,
                "required": True,
                "evidence": "link",
            },
            {
                "title": "Enable the IVR emergency message",
                "instructions": (
                    "Publish the pre-recorded outage message on the main service numbers, "
                    "or use text-to-speech if nothing fits:\n\n"
                    "> \"We're having a problem with our phone lines and some calls may not "
                    "connect. You can also reach us by chat or email at [website]. We're sorry "
                    "for the inconvenience.\"\n\n"
                    "Calls that never reach the platform won't hear this, so ask the carrier "
                    "whether they can play a network announcement. Attach a screenshot of the "
                    "published message setting showing the time."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 10,
                "required": True,
                "evidence": "file",
            },
            {
                "title": "Establish the scope with test calls",
                "instructions": (
                    "Make test calls from a mobile to each main service number and to one "
                    "number per trunk group. Check the SBC or trunk dashboard for registration "
                    "status and failed call attempts. Record which numbers fail, which routes "
                    "still work, and whether outbound calls (callbacks, dialler) are also "
                    "affected. Add the results to the incident timeline."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 15,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Reroute via the secondary carrier or switch queues to callback",
                "instructions": (
                    "- If a secondary carrier or backup SIP trunk is set up, move the main "
                    "numbers to it (number-routing portal, or ask the carrier to divert to the "
                    "DR number range).\n"
                    "- If backup capacity is short, turn on virtual hold / callback for the "
                    "busiest queues.\n\n"
                    "Record each number diverted, where it now goes and when. All of this must "
                    "be reversed at recovery."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 20,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Brief team leaders and agents with the talk track",
                "instructions": (
                    "Send the briefing to team leaders for floor huddles and post it in the "
                    "agent channel. Suggested wording:\n\n"
                    "> \"Some customers can't get through by phone because of a fault with our "
                    "phone provider. Apologise, deal with the query, and tell callers who got "
                    "cut off that we know about it.\"\n\n"
                    "Tell agents not to transfer to external numbers. Ask WFM to move idle "
                    "voice agents to chat, email or back-office work. Paste the briefing text "
                    "as the note."
                ),
                "responsible_role": "Manager",
                "due_minutes": 20,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Post a customer-facing status update",
                "instructions": (
                    "Post a short update on the status page and the website contact page: "
                    "what is affected (phone lines), what still works (chat, email, app), and "
                    "when the next update is due. Match the update cadence for the severity. "
                    "Don't name the carrier or guess at a fix time. Attach the link to the "
                    "published update."
                ),
                "responsible_role": "Manager",
                "due_minutes": 30,
                "required": True,
                "evidence": "link",
            },
            {
                "title": "Monitor abandon rate and service level",
                "instructions": (
                    "Every 30 minutes until recovery, note calls offered, answered, abandon "
                    "rate and service level from the real-time dashboard. Compare them with the "
                    "same interval last week. Watch the callback backlog and chat queue "
                    "for overflow. Post each reading to the incident timeline. The figures go "
                    "into the post-mortem and the credit claim."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 30,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Confirm recovery and revert diversions",
                "instructions": (
                    "When the carrier reports the fault cleared:\n"
                    "- make test calls to every affected number, inbound and outbound\n"
                    "- revert the diversions and callback settings, then remove the IVR "
                    "message\n"
                    "- check calls land in the right queues with the right caller number\n\n"
                    "Keep the incident in monitoring for at least 30 minutes before resolving."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": None,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Get the vendor incident reference and request the RFO",
                "instructions": (
                    "Ask the carrier account manager in writing for their master incident "
                    "reference and a formal Reason for Outage (RFO). The RFO should give the "
                    "root cause, exact start and end times, and preventive actions, and must "
                    "arrive within the contract's RFO deadline (often 5 business days). Chase "
                    "it if it's late. Attach the link to the request or to the received RFO."
                ),
                "responsible_role": "Vendor Manager",
                "due_minutes": 1 * DAY,
                "required": True,
                "evidence": "link",
            },
            {
                "title": "Record downtime minutes for the service-credit claim",
                "instructions": (
                    "Record outage start and end times in UTC (check ours against the RFO), "
                    "minutes of full outage and of degradation, affected numbers, and an "
                    "estimate of lost calls against the usual volume. Check the figures against "
                    "the SLA schedule in the contract. Raise the service-credit claim within "
                    "the claim window (often 30 days)."
                ),
                "responsible_role": "Vendor Manager",
                "due_minutes": None,
                "required": False,
                "evidence": "note",
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "ccaas-platform-outage",
        "name": "CCaaS platform outage",
        "kind": "incident",
        "purpose": (
            "Use when the contact-center platform itself (ACD, agent desktop, chat) is down for "
            "most agents or customers. Invokes business continuity at the carrier level, keeps "
            "customers and executives informed and brings the floor back in a controlled way."
        ),
        "rules": [
            {"channel": "voice", "severity": "SEV1"},
            {"channel": "chat", "severity": "SEV1"},
        ],
        "steps": [
            {
                "title": "Confirm the outage and open a P1 with the CCaaS vendor",
                "instructions": (
                    "Check the vendor status page. Test agent login, the admin portal and an "
                    "inbound call from outside. Open a P1 case by phone, not the web form, "
                    "and ask for the vendor's incident bridge and their incident number. "
                    "Attach the link to the case."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 10,
                "required": True,
                "evidence": "link",
            },
            {
                "title": "Rule out our own network, SSO and desktop",
                "instructions": (
                    "With IT, check:\n"
                    "- corporate internet, VPN and firewall changes in the last 24 hours\n"
                    "- SSO / identity provider status\n"
                    "- browser, softphone or headset driver updates pushed overnight\n"
                    "- whether an agent on a different network (home, mobile hotspot) can log "
                    "in\n\n"
                    "Record what was checked and the result."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 15,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Open the bridge and inform executives",
                "instructions": (
                    "Open the incident bridge and name the incident commander, comms lead and "
                    "vendor liaison. Tell the Head of Customer Operations and the duty "
                    "executive:\n"
                    "- what is down and since when\n"
                    "- which customers are affected and what workaround is in place\n"
                    "- when the next update is due\n\n"
                    "Record who was told and when."
                ),
                "responsible_role": "Manager",
                "due_minutes": 15,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Invoke business continuity routing for inbound calls",
                "instructions": (
                    "Ask the carrier to divert the main numbers at network level to the BCP "
                    "destination: backup platform, overflow partner or a recorded announcement. "
                    "Platform-level IVR messages won't play while the platform is down. Record "
                    "the number ranges, the destination and the time of the change."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 15,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Replace the chat widget with an outage notice",
                "instructions": (
                    "If chat is down, hide the chat widget (CMS or tag manager) so customers "
                    "don't wait in a dead queue. Show a banner on help and contact pages:\n\n"
                    "> \"Our chat and phone lines are currently unavailable. We're working to "
                    "restore them and will update this page by [time].\"\n\n"
                    "Attach a screenshot of the live page."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 20,
                "required": False,
                "evidence": "file",
            },
            {
                "title": "Brief team leaders and redeploy agents",
                "instructions": (
                    "Brief team leaders with the talk track and plan: agents move to the email "
                    "backlog, social and back-office work. Only make urgent outbound calls "
                    "through the approved backup (e.g. recorded mobile handsets). **Never take "
                    "card payments over personal or unrecorded phones.** Ask WFM to log the "
                    "interval as an exception. Paste the briefing as the note."
                ),
                "responsible_role": "Manager",
                "due_minutes": 30,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Post a customer status update and keep the cadence",
                "instructions": (
                    "Post on the status page and the website: which channels are affected, "
                    "what still works, and when the next update is due. Keep to the SEV1 "
                    "update cadence even when there is no news. Agree with the social team "
                    "that they reply to mentions with a link to the update. Attach the link."
                ),
                "responsible_role": "Manager",
                "due_minutes": 30,
                "required": True,
                "evidence": "link",
            },
            {
                "title": "Escalate through the vendor account team",
                "instructions": (
                    "If the vendor has given no meaningful update within 30 minutes, escalate "
                    "to the technical account manager and the vendor's duty or escalation "
                    "manager. Ask for an ETA and for the workaround they are pursuing. Record "
                    "the names, times and what was promised."
                ),
                "responsible_role": "Vendor Manager",
                "due_minutes": 45,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Recover in a controlled order",
                "instructions": (
                    "When the vendor declares service restored:\n"
                    "1. test agent login, an inbound call to each main number, chat end to end "
                    "and recording playback\n"
                    "2. revert the carrier diversions and restore the chat widget\n"
                    "3. bring agents back in waves to avoid a login storm\n"
                    "4. clear stuck chats, queued callbacks and missed-call lists\n\n"
                    "Note any gap in call recordings (a compliance issue)."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": None,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Obtain the RFO and log the SLA breach",
                "instructions": (
                    "Request the formal RFO within the contract deadline (often 5 business "
                    "days) and check its timeline against ours. Record the downtime minutes "
                    "against the monthly availability SLA and raise the service-credit claim. "
                    "Attach the link to the RFO or the claim."
                ),
                "responsible_role": "Vendor Manager",
                "due_minutes": 1 * DAY,
                "required": True,
                "evidence": "link",
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "chatbot-failure",
        "name": "Chatbot failure or looping",
        "kind": "incident",
        "purpose": (
            "Use when the chatbot or virtual agent loops, gives wrong answers or fails to hand "
            "over to a person. Gets customers to a human quickly, then fixes or rolls back the "
            "bot and follows up the conversations that went wrong."
        ),
        "rules": [
            {"channel": "bot"},
        ],
        "steps": [
            {
                "title": "Reproduce the failure and capture it",
                "instructions": (
                    "Run the failing journey on web, app and any messaging channel the bot "
                    "serves. Capture a screen recording or screenshots of the loop or wrong "
                    "answer, and note conversation IDs from the bot console. Check whether all "
                    "intents fail or only some (e.g. order tracking, authentication)."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 15,
                "required": True,
                "evidence": "file",
            },
            {
                "title": "Turn on the bypass to live agents",
                "instructions": (
                    "If a fix isn't minutes away, switch on the bot's *always offer an agent* "
                    "or bypass setting so customers go straight to the live chat queue. If the "
                    "queue can't cope, set the bot to a static message that lists other ways "
                    "to contact us. Ask WFM how much extra volume the bot usually contains and "
                    "record the setting changed."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 20,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Check recent changes and dependencies",
                "instructions": (
                    "Check:\n"
                    "- the last bot flow publish (who and when) and any NLU model retrain\n"
                    "- the bot platform's status page and release notes\n"
                    "- back-end APIs the bot calls (order lookup, login, payments) for errors "
                    "or timeouts\n\n"
                    "Loops usually follow a flow publish, or an API timeout that sends the bot "
                    "back to its fallback."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 30,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Roll back the last bot publish",
                "instructions": (
                    "If a publish came just before the failure, roll back to the previous "
                    "version in the bot builder. Record the from and to version numbers, then "
                    "rerun the journeys from the first step."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 30,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Brief live chat agents",
                "instructions": (
                    "Tell chat agents that customers may arrive frustrated after the bot. "
                    "Suggested opener:\n\n"
                    "> \"Sorry you had trouble with our virtual assistant, I can help you "
                    "with that now.\"\n\n"
                    "Ask them to tag these chats with the incident reference, and to check "
                    "the customer's earlier bot transcript before asking them to repeat "
                    "anything."
                ),
                "responsible_role": "Manager",
                "due_minutes": 30,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Watch the chat queue and bot metrics",
                "instructions": (
                    "Every 30 minutes record live chat queue depth, longest wait, abandonment, "
                    "and the bot's fallback and handover rates. If the wait climbs past the "
                    "service-level target, ask WFM to move agents from email or voice."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 30,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Follow up customers affected by wrong answers",
                "instructions": (
                    "Pull transcripts of conversations that looped or got wrong information "
                    "since the start time (e.g. wrong refund eligibility or fees). Where the "
                    "customer was authenticated or left contact details, ask the team to "
                    "contact them. Log wrong information given as a potential complaint. "
                    "Record how many were found and followed up."
                ),
                "responsible_role": "Manager",
                "due_minutes": 4 * HOUR,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Verify the fix before switching the bot back on",
                "instructions": (
                    "Test the top intents by volume and the failing journey on every channel. "
                    "Attach the test evidence (screenshots or conversation IDs), then switch "
                    "the bypass off. Watch the fallback rate for an hour before resolving."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": None,
                "required": True,
                "evidence": "file",
            },
            {
                "title": "Log the fault with the bot vendor",
                "instructions": (
                    "If the bot or its NLU is vendor-hosted, open a case with the conversation "
                    "IDs and timings. Ask for the root cause and whether other customers were "
                    "affected. Attach the link to the case."
                ),
                "responsible_role": "Vendor Manager",
                "due_minutes": None,
                "required": False,
                "evidence": "link",
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "ivr-failure",
        "name": "IVR failure",
        "kind": "incident",
        "purpose": (
            "Use when the IVR fails in whole or in part: a dead menu branch, recognition not "
            "working, a failed account lookup or the wrong hours or holiday routing. Routes "
            "callers around the fault to agents and restores a tested IVR."
        ),
        "rules": [
            {"channel": "ivr", "severity": "SEV3"},
        ],
        "steps": [
            {
                "title": "Identify the failing branch or component",
                "instructions": (
                    "Call the main numbers and walk the menu to find where it fails: greeting, "
                    "DTMF or speech recognition, ID&V or account lookup, payment line, or "
                    "transfer to the queue. Check the IVR logs for errors. Check the last "
                    "change deployed: prompts, routing, opening hours, holiday table (a "
                    "common cause). Record the call path and what fails."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 15,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Route callers around the broken branch",
                "instructions": (
                    "Change the routing so the failing option goes straight to the matching "
                    "agent queue, or to a general queue if skills routing depends on IVR "
                    "data. If the whole IVR is down, have the platform or carrier send the "
                    "numbers to a default queue. Record each change so it can be reversed."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 20,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Check the integrations behind the IVR",
                "instructions": (
                    "If the menus play but lookups fail, check the services the IVR calls: CRM "
                    "or account lookup, the CTI data passed to agents, the payment gateway, "
                    "and text-to-speech or speech recognition. Open a ticket with the owner "
                    "of whichever one is failing."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 30,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Handle the automated payment line",
                "instructions": (
                    "If the payment IVR is affected, don't send card payments to agents unless "
                    "they have the secure agent-assisted payment tool (DTMF masking). Agents "
                    "must never hear or write down card numbers. Otherwise add a prompt "
                    "pointing callers to the app or website. Record the option chosen."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 30,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Add a short notice to the IVR",
                "instructions": (
                    "If callers will notice a difference, add a prompt before the menu:\n\n"
                    "> \"Some of our automated services aren't available at the moment. An "
                    "adviser will help you, but you may need to confirm some details.\"\n\n"
                    "Attach a screenshot of the published prompt."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 30,
                "required": False,
                "evidence": "file",
            },
            {
                "title": "Brief agents on calls arriving without IVR data",
                "instructions": (
                    "Tell agents that callers may arrive without ID&V done or without a screen "
                    "pop. They should carry out full ID&V manually and expect longer handling "
                    "times. Suggested line:\n\n"
                    "> \"Our automated system isn't working properly today, so I just need to "
                    "take you through a few security questions.\""
                ),
                "responsible_role": "Manager",
                "due_minutes": 30,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Adjust staffing for the lost self-service",
                "instructions": (
                    "Calls the IVR would have handled now reach agents. Ask WFM for an "
                    "intraday reforecast and move agents from other channels, or cancel "
                    "training and meetings, if service level is at risk. Record the service "
                    "level, abandon rate and handling time every hour."
                ),
                "responsible_role": "Manager",
                "due_minutes": 1 * HOUR,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Restore and test the IVR end to end",
                "instructions": (
                    "After the fix, test every top-level option and the failed branch, "
                    "including out-of-hours and holiday routing (change the test clock if the "
                    "platform allows). Then revert the bypass routing and remove the notice. "
                    "Attach the test call log: number dialled, path and result."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": None,
                "required": True,
                "evidence": "file",
            },
            {
                "title": "Link the change that caused it",
                "instructions": (
                    "If a change caused the failure, link the change record and note whether "
                    "it was tested and approved. Raise a follow-up action to add the failing "
                    "path to the IVR regression test script."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": None,
                "required": False,
                "evidence": "link",
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "crm-outage",
        "name": "CRM outage",
        "kind": "incident",
        "purpose": (
            "Use when agents can't reach customer records, or the CRM is too slow to use. "
            "Moves the floor onto a safe downtime procedure, keeps ID&V sound, and makes sure "
            "every contact taken offline gets entered and followed up afterwards."
        ),
        "rules": [
            {"channel": "crm", "severity": "SEV3"},
        ],
        "steps": [
            {
                "title": "Confirm the scope and open a ticket with the CRM owner",
                "instructions": (
                    "Check the CRM vendor's status page. Test login, customer search, record "
                    "save and the CTI screen pop. Work out whether it's down, slow, or one "
                    "module or integration. Open a ticket with the IT service desk or the "
                    "vendor, giving the times and example record IDs. Attach the ticket link."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 15,
                "required": True,
                "evidence": "link",
            },
            {
                "title": "Switch agents to the downtime procedure and brief them",
                "instructions": (
                    "Agents record every contact on the approved offline contact log (shared "
                    "template on restricted storage): time, customer name, account number, "
                    "reason, action promised, agent. **No personal notes or desktop "
                    "spreadsheets.** Don't promise CRM actions (refunds, address changes) by "
                    "a set time; promise a callback. Suggested line: \"Our systems are down "
                    "just now. I've taken your details and we'll call you back by [time].\""
                ),
                "responsible_role": "Manager",
                "due_minutes": 20,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Agree what agents may do without full ID&V",
                "instructions": (
                    "Without the CRM, agents can't complete normal ID&V. Agree with compliance "
                    "what is allowed. Typically: general information only, no account changes, "
                    "no disclosure of personal or account data, no payments unless the payment "
                    "tool works on its own. Record the decision and who made it."
                ),
                "responsible_role": "Manager",
                "due_minutes": 30,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Hold automations that depend on the CRM",
                "instructions": (
                    "Ask the integration owners to pause outbound dialler campaigns, automatic "
                    "case routing and CRM-triggered emails or SMS, queueing the messages "
                    "rather than dropping them. This avoids duplicates and wrong messages "
                    "when the CRM comes back. Record what was paused."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 30,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Add an IVR message if most calls are affected",
                "instructions": (
                    "If agents can't resolve most queries, add a short IVR message:\n\n"
                    "> \"Our systems are running slowly today, so we may need to call you back. "
                    "You can also manage your account in our app.\"\n\n"
                    "Attach a screenshot of the published message."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 45,
                "required": False,
                "evidence": "file",
            },
            {
                "title": "Monitor handling time, service level and the callback list",
                "instructions": (
                    "Every hour, record service level, average handling time and how many "
                    "callbacks have been promised. Ask WFM to plan time for back-entry and "
                    "callbacks after recovery."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 1 * HOUR,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Verify recovery and release the held automations",
                "instructions": (
                    "Test login, search, save, screen pop and the main integrations. Release "
                    "the paused automations one at a time and check the integration queues "
                    "drain without duplicate cases or messages. Tell the floor to return to "
                    "normal working."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": None,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Back-enter the offline log, make the callbacks, destroy the log",
                "instructions": (
                    "Assign people to enter every offline log entry into the CRM within one "
                    "business day and make every promised callback. Reconcile the number "
                    "logged against the number entered. Then delete the offline log and "
                    "record when it was deleted and by whom."
                ),
                "responsible_role": "Manager",
                "due_minutes": None,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Obtain the root cause from the CRM vendor",
                "instructions": (
                    "If the vendor caused the outage, request their incident report or RFO, "
                    "and check the downtime against the contract's availability SLA for "
                    "service credits. Attach the link."
                ),
                "responsible_role": "Vendor Manager",
                "due_minutes": None,
                "required": False,
                "evidence": "link",
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "data-privacy-pci-exposure",
        "name": "Data-privacy or PCI exposure",
        "kind": "incident",
        "purpose": (
            "Attach by hand when personal data or cardholder data may have been exposed (e.g. "
            "a misdirected email, card numbers captured in recordings, an open report link, "
            "a compromised agent account). Contains the exposure, preserves evidence and "
            "meets the GDPR 72-hour and card-scheme notification duties."
        ),
        "rules": [],
        "steps": [
            {
                "title": "Contain the exposure",
                "instructions": (
                    "Stop further exposure without destroying evidence:\n"
                    "- disable the affected report, export, integration or shared link\n"
                    "- suspend compromised or misused agent accounts\n"
                    "- restrict access to affected recordings or screen captures\n"
                    "- ask the recipient of a misdirected email to delete it, and get that in "
                    "writing\n\n"
                    "**Contain, don't delete.** Record each action and its time."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 15,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Preserve the evidence",
                "instructions": (
                    "Before retention rules purge anything, export platform audit logs, access "
                    "logs, email traces and the affected recording and chat IDs. Put legal hold "
                    "on mailboxes and recordings, and store copies in a restricted folder. "
                    "Attach a chain-of-custody record: what was collected, by whom, when and "
                    "where it is stored (with file hashes where possible)."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": 1 * HOUR,
                "required": True,
                "evidence": "file",
            },
            {
                "title": "Notify the DPO and information security",
                "instructions": (
                    "Tell the DPO and the security on-call in writing:\n"
                    "- what happened, and when we **became aware** (the 72-hour clock starts "
                    "then)\n"
                    "- the kinds of data and the approximate number of people or cards\n"
                    "- what has been contained so far\n\n"
                    "Record who was told and when."
                ),
                "responsible_role": "Manager",
                "due_minutes": 1 * HOUR,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Notify the acquirer for card-scheme reporting",
                "instructions": (
                    "If cardholder data (card number, CVV, track data) may be involved, the "
                    "PCI compliance owner tells the acquiring bank straight away. The acquirer "
                    "handles Visa and Mastercard notification and may require a PCI Forensic "
                    "Investigator; don't contact the schemes or appoint one yourself. Record "
                    "the time and reference. If no card data is involved, record that "
                    "assessment."
                ),
                "responsible_role": "Manager",
                "due_minutes": 1 * DAY,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Assess the risk and decide on reporting",
                "instructions": (
                    "With the DPO, record: the kinds of data, the number of records and "
                    "people, whether the data was encrypted, and how likely and how serious "
                    "harm to people is. Decide whether to report to the supervisory "
                    "authority (Art. 33) and whether to tell the people affected (high risk, "
                    "Art. 34). Record the decision and reasons, including a decision not to "
                    "report."
                ),
                "responsible_role": "Manager",
                "due_minutes": 1 * DAY,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Report to the supervisory authority within 72 hours (GDPR Art. 33)",
                "instructions": (
                    "If reportable, the DPO reports to the lead supervisory authority (e.g. "
                    "the ICO in the UK, the DPC in Ireland) within 72 hours of becoming "
                    "aware. If facts are missing, submit what is known and add the rest "
                    "later (Art. 33(4)). **The clock starts at awareness, which may be before "
                    "this playbook attached: check the timeline.** Attach the submission "
                    "reference or a link to it."
                ),
                "responsible_role": "Manager",
                "due_minutes": 72 * 60,
                "required": True,
                "evidence": "link",
            },
            {
                "title": "Tell affected customers if the risk is high",
                "instructions": (
                    "Where Art. 34 applies, tell the people affected without undue delay, in "
                    "wording the DPO has approved. Say what happened, what it may mean for "
                    "them, what we have done, what they should do (e.g. watch for phishing; "
                    "their bank may reissue cards) and who to contact. Attach the final "
                    "letter or email."
                ),
                "responsible_role": "Manager",
                "due_minutes": None,
                "required": False,
                "evidence": "file",
            },
            {
                "title": "Prepare agents for inbound questions",
                "instructions": (
                    "Before customers are told, give agents an approved FAQ and route the "
                    "queries to a small trained team or a dedicated queue. Agents must not "
                    "speculate about the cause or the scale, and should pass any media or "
                    "regulator contact to the DPO. Paste the FAQ as the note."
                ),
                "responsible_role": "Manager",
                "due_minutes": None,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Fix the control that failed",
                "instructions": (
                    "Find and fix the cause. Contact-center examples: pause-and-resume "
                    "recording not triggering, DTMF masking switched off, screen recording "
                    "capturing the payment page, a report shared with too many people, "
                    "clean-desk rules not followed. Record the fix. Before you speak to an "
                    "agent whose action caused the exposure, preserve the evidence and bring "
                    "in HR."
                ),
                "responsible_role": "Incident Responder",
                "due_minutes": None,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Record the breach in the breach register",
                "instructions": (
                    "Whether or not it was reported, the DPO records the breach in the "
                    "internal register (Art. 33(5)): the facts, the effects and the fixes "
                    "made. Attach the link to the register entry."
                ),
                "responsible_role": "Manager",
                "due_minutes": None,
                "required": True,
                "evidence": "link",
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "regulatory-complaint",
        "name": "Regulatory complaint",
        "kind": "escalation",
        "purpose": (
            "Use for complaints under a regulator's complaint-handling rules (e.g. FCA DISP, "
            "PSD2, Ofcom). Gets the clock right from the start, and makes sure the final "
            "response is evidenced, signed off, sent before the deadline and includes the "
            "customer's referral rights."
        ),
        "rules": [
            {"category": "regulatory"},
            {"regulatory": True},
        ],
        "steps": [
            {
                "title": "Confirm the regime and the received date",
                "instructions": (
                    "Check the escalation has the right regulatory regime. Set the received "
                    "date to when the complaint first reached us on any channel (call, letter, "
                    "social, a branch), not when it was escalated. The regulatory deadline is "
                    "counted from that date. Record where the received date came from."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 1 * HOUR,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Send a written acknowledgement",
                "instructions": (
                    "Send a prompt written acknowledgement (desk standard: within one business "
                    "day) with the complaint reference, a named contact, what happens next and "
                    "the expected timescale. Include the complaints procedure where the regime "
                    "requires it. Attach a copy of what was sent."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 1 * DAY,
                "required": True,
                "evidence": "file",
            },
            {
                "title": "Check for vulnerability and contact preferences",
                "instructions": (
                    "Review the contact history for signs of vulnerability (health, "
                    "bereavement, financial difficulty, capability) and record any support "
                    "needed: format, a third-party authority, preferred times. Pause "
                    "collections or other actions that could cause harm while the complaint "
                    "is open, where policy allows."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 1 * DAY,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Gather and secure the evidence",
                "instructions": (
                    "Gather call recordings, chat and social transcripts, CRM notes, letters "
                    "and emails, and system logs for the period complained about. Request "
                    "recordings before their retention period ends. List each item with its "
                    "ID so the reviewer can find it."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 3 * DAY,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Investigate and decide the outcome",
                "instructions": (
                    "The investigator must not have been involved in the events complained "
                    "about. Address every point the customer raised. Decide: upheld, partly "
                    "upheld or not upheld, with reasons. Where upheld, work out redress "
                    "(financial loss, interest, and distress and inconvenience under the "
                    "desk's guidance). Record the findings."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": None,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Get sign-off on the response and any redress",
                "instructions": (
                    "A manager reviews the draft response for accuracy, tone and whether every "
                    "point is answered, and approves redress above the lead's compensation "
                    "limit. Record the approval and any changes made."
                ),
                "responsible_role": "Manager",
                "due_minutes": None,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Send the final response (or permitted holding response) before the "
                         "deadline",
                "instructions": (
                    "The final response states the outcome and redress and answers each point. "
                    "Where the regime requires, it includes the customer's right to refer to "
                    "the ombudsman and the time limit for doing so. If you can't finish in "
                    "time, send the holding or extension response the regime allows before "
                    "the deadline and record the extension. Attach the letter as sent."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": None,
                "required": True,
                "evidence": "file",
            },
            {
                "title": "Keep the customer updated",
                "instructions": (
                    "Update the customer at the intervals promised in the acknowledgement, and "
                    "whenever something changes. Log each update (date, channel, summary) so "
                    "the file shows the customer was kept informed."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": None,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Record the root cause and any wider impact",
                "instructions": (
                    "Record the root cause. If other customers could be affected (a systemic "
                    "issue), raise it with compliance for root-cause analysis and possible "
                    "proactive remediation. Make sure the complaint is categorised correctly "
                    "for the regulatory complaints return."
                ),
                "responsible_role": "Manager",
                "due_minutes": None,
                "required": False,
                "evidence": "note",
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "high-value-customer-complaint",
        "name": "High-value customer complaint",
        "kind": "escalation",
        "purpose": (
            "Use for complaints from VIP or high-value customers. Gives the customer one senior "
            "owner and a quick personal call, keeps the account manager informed, and closes "
            "the loop so the relationship is kept."
        ),
        "rules": [
            {"customer_tier": "vip"},
            {"customer_tier": "high_value"},
        ],
        "steps": [
            {
                "title": "Review the account and contact history",
                "instructions": (
                    "Before contacting the customer, review open cases, earlier complaints and "
                    "recent contacts on all channels. Note the account or relationship "
                    "manager, the contract value and the renewal date. Note anything already "
                    "promised so you don't contradict it."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 30,
                "required": True,
                "evidence": "none",
            },
            {
                "title": "Flag the account for the frontline",
                "instructions": (
                    "Add a CRM alert that the customer has an open escalation with you as "
                    "owner. Agents who take their next contact should pass it to you rather "
                    "than start a new case."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 30,
                "required": False,
                "evidence": "none",
            },
            {
                "title": "Inform the account manager",
                "instructions": (
                    "Tell the account or relationship manager about the complaint, and agree "
                    "who speaks to the customer and when, so the customer doesn't get mixed "
                    "messages. Record what was agreed."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 1 * HOUR,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Call the customer personally",
                "instructions": (
                    "Phone, don't email, within two working hours. Introduce yourself as their "
                    "single point of contact, let them explain, and repeat the issue back in "
                    "their words. Agree what happens next and when and how you'll update them. "
                    "Record the call summary and the agreed update times."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 2 * HOUR,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Fix what can be fixed now",
                "instructions": (
                    "Take the immediate actions within your authority: reverse a wrong charge, "
                    "rebook the engineer, expedite the order. Offer goodwill within your "
                    "approval limit. Record each action, any goodwill amount and the reason."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 1 * DAY,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Approve exceptions and goodwill above the limit",
                "instructions": (
                    "Decide on compensation, fee waivers or policy exceptions beyond the "
                    "lead's limit. Record the amount, the reason and how it compares with "
                    "similar cases, so goodwill stays consistent."
                ),
                "responsible_role": "Manager",
                "due_minutes": None,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Update the customer at the agreed times",
                "instructions": (
                    "Keep every update you agreed, even with no news. A missed update does "
                    "more damage than a delay. Log each update: date, channel and what was "
                    "said."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": None,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Close the loop in writing",
                "instructions": (
                    "Before closing, check with the customer that the issue is resolved. Then "
                    "confirm in writing what was done and any goodwill given. If they aren't "
                    "satisfied, explain the formal complaint route. Attach the closing letter "
                    "or email."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": None,
                "required": True,
                "evidence": "file",
            },
            {
                "title": "Feed back the lessons",
                "instructions": (
                    "Record the root cause and pass feedback to the team that handled the "
                    "original contacts. If it's a process or product gap, raise it with the "
                    "owner. Decide whether the account needs a service review with the "
                    "account manager."
                ),
                "responsible_role": "Manager",
                "due_minutes": None,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Make a follow-up call",
                "instructions": (
                    "About two weeks after closing, call to check the fix has held and the "
                    "customer is happy. Record the outcome. Reopen if the problem has come "
                    "back."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 14 * DAY,
                "required": False,
                "evidence": "note",
            },
        ],
    },
    # ------------------------------------------------------------------------------------
    {
        "slug": "social-media-crisis",
        "name": "Social-media crisis",
        "kind": "escalation",
        "purpose": (
            "Use when a public post or thread about our service is gaining traction or "
            "attracting media interest. Captures the evidence, gets an approved public holding "
            "reply out quickly, moves the customer to a private channel and keeps the "
            "frontline on message."
        ),
        "rules": [
            {"category": "social_media"},
        ],
        "steps": [
            {
                "title": "Capture the post and its reach",
                "instructions": (
                    "Screenshot the post and the key replies before anything is edited or "
                    "deleted. Note the URL, the account, its follower count, engagement so "
                    "far, and whether journalists or well-known accounts have shared it. "
                    "Attach the screenshots with timestamps."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 30,
                "required": True,
                "evidence": "file",
            },
            {
                "title": "Pause scheduled posts and campaigns",
                "instructions": (
                    "Ask marketing to pause scheduled social posts and paid social ads on the "
                    "affected platforms. Cheerful promotional posts in the middle of a crisis "
                    "make it worse. Record who paused what."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 30,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Assess with PR and decide who owns the response",
                "instructions": (
                    "With the PR or communications lead, decide whether this is one unhappy "
                    "customer (handle as a complaint), a growing pile-on, or media interest. "
                    "Anything beyond one customer's case goes to PR for the public response. "
                    "Record the assessment, the owner and when to reassess."
                ),
                "responsible_role": "Manager",
                "due_minutes": 1 * HOUR,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Post an approved public holding reply",
                "instructions": (
                    "Reply from the brand account with wording PR has approved. Keep it short "
                    "and human, don't argue, and move the conversation to a private channel:\n\n"
                    "> \"Hi [name], we're sorry to see this. We want to look into it straight "
                    "away. Please send us a DM and we'll pick it up.\"\n\n"
                    "Never mention account or personal details in public. Attach the link to "
                    "the reply."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 1 * HOUR,
                "required": True,
                "evidence": "link",
            },
            {
                "title": "Brief the frontline",
                "instructions": (
                    "Give phone, chat and social agents the approved lines. They must not "
                    "comment on the post, should pass media enquiries to the press office, "
                    "and should not engage with abusive replies. Paste the briefing as the "
                    "note."
                ),
                "responsible_role": "Manager",
                "due_minutes": 2 * HOUR,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Resolve the customer's case privately",
                "instructions": (
                    "Do ID&V in the private channel before discussing the account. Open or "
                    "link the underlying complaint and work it as a priority. If the post "
                    "expresses dissatisfaction under a regulated regime, register it as a "
                    "complaint so the regulatory clock starts. Record the case reference."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 4 * HOUR,
                "required": True,
                "evidence": "note",
            },
            {
                "title": "Monitor volume and sentiment",
                "instructions": (
                    "Use the social listening tool to track mentions per hour, sentiment and "
                    "reach. Report at the interval agreed with PR. Escalate if volume keeps "
                    "rising, mainstream media get involved or new claims appear."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": 2 * HOUR,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Bring in legal, DPO, HR or security where needed",
                "instructions": (
                    "Escalate beyond customer operations when:\n"
                    "- there are legal threats or possibly defamatory claims (legal)\n"
                    "- personal data has been posted or exposed (DPO)\n"
                    "- staff are named, doxxed or threatened (HR and security)\n\n"
                    "Record who was brought in and when."
                ),
                "responsible_role": "Manager",
                "due_minutes": None,
                "required": False,
                "evidence": "note",
            },
            {
                "title": "Close out publicly and review",
                "instructions": (
                    "Once resolved, and with the customer's agreement, post a short public "
                    "follow-up. Resume scheduled posts when PR agrees. Record time to first "
                    "public reply, peak reach, the outcome and what to change next time."
                ),
                "responsible_role": "Escalation Lead",
                "due_minutes": None,
                "required": True,
                "evidence": "note",
            },
        ],
    },
]


_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def validate_library(library=STARTER_PLAYBOOKS) -> None:
    """Check the library's shape and values; raise ValueError naming the playbook/step."""
    seen_slugs = set()
    for index, playbook in enumerate(library):
        slug = playbook.get("slug")
        where = f"playbook {slug!r}" if slug else f"playbook #{index}"

        missing = PLAYBOOK_KEYS - playbook.keys()
        if missing:
            raise ValueError(f"{where}: missing keys {sorted(missing)}")
        unknown = playbook.keys() - PLAYBOOK_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if not isinstance(slug, str) or not _SLUG_RE.match(slug):
            raise ValueError(f"{where}: slug must be kebab-case")
        if slug in seen_slugs:
            raise ValueError(f"{where}: duplicate slug")
        seen_slugs.add(slug)
        for key in ("name", "purpose"):
            if not isinstance(playbook[key], str) or not playbook[key].strip():
                raise ValueError(f"{where}: {key} must be a non-empty string")

        kind = playbook["kind"]
        if kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r}")

        _validate_rules(where, kind, playbook["rules"])

        steps = playbook["steps"]
        if not isinstance(steps, list) or not steps:
            raise ValueError(f"{where}: has no steps")
        titles = set()
        for number, step in enumerate(steps, start=1):
            _validate_step(f"{where} step {number} ({step.get('title')!r})", step)
            if step["title"] in titles:
                raise ValueError(f"{where} step {number}: duplicate title {step['title']!r}")
            titles.add(step["title"])
        if not any(step["required"] for step in steps):
            raise ValueError(f"{where}: has no required step")


def _validate_rules(where, kind, rules):
    if not isinstance(rules, list):
        raise ValueError(f"{where}: rules must be a list")
    allowed = RULE_VALUES[kind]
    for number, rule in enumerate(rules, start=1):
        rule_where = f"{where} rule {number}"
        if not isinstance(rule, dict) or not rule:
            raise ValueError(f"{rule_where}: must be a non-empty dict (an empty rule would "
                             "match everything)")
        for key, value in rule.items():
            if key not in allowed:
                raise ValueError(f"{rule_where}: rule key {key!r} is not allowed on "
                                 f"{kind} playbooks")
            # `is True` guard: 1 == True, but the regulatory flag must be a real bool.
            if key == "regulatory" and value is not True:
                raise ValueError(f"{rule_where}: regulatory must be True")
            if value not in allowed[key]:
                raise ValueError(f"{rule_where}: unknown value {value!r} for {key!r}")


def _validate_step(where, step):
    missing = STEP_KEYS - step.keys()
    if missing:
        raise ValueError(f"{where}: missing keys {sorted(missing)}")
    unknown = step.keys() - STEP_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("title", "instructions"):
        if not isinstance(step[key], str) or not step[key].strip():
            raise ValueError(f"{where}: {key} must be a non-empty string")
    if step["responsible_role"] not in ROLES:
        raise ValueError(f"{where}: unknown role {step['responsible_role']!r}")
    due = step["due_minutes"]
    if due is not None:
        if isinstance(due, bool) or not isinstance(due, int):
            raise ValueError(f"{where}: due_minutes must be an integer or None")
        if due < 0:
            raise ValueError(f"{where}: negative due_minutes {due}")
    if not isinstance(step["required"], bool):
        raise ValueError(f"{where}: required must be True or False")
    if step["evidence"] not in EVIDENCE:
        raise ValueError(f"{where}: unknown evidence {step['evidence']!r}")
