"""Starter incident playbooks for the channels themselves: telephony carrier outage,
CCaaS platform outage, chatbot failure or looping.

Plain Python data (no Django imports): the shape is described in ``__init__.py``."""

from .units import DAY, HOUR

CHANNEL_PLAYBOOKS = [
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
]
