"""Demo incident stories, second half: social and messaging connectors, email, web chat,
IVR routing, voice quality, surveys and knowledge search; and the false alarms.

Placeholders: {carrier} {ticket} {contacts} {agents} {site} {queue} {region}.
"""

CHANNEL_STORIES = [
    {
        "key": "social-connector",
        "titles": ["Social inbox connector down",
                   "Facebook and Instagram messages not reaching the social inbox"],
        "channels": ["social", "messaging"],
        "severities": {"SEV3": 5, "SEV2": 1},
        "services": "SocialHub connector, social care queue",
        "summary": "The social inbox stopped receiving Facebook and Instagram direct "
                   "messages after the platform's access token expired.",
        "impact": "About {contacts} social messages went unanswered for several hours; "
                  "public complaints about no reply started trending locally.",
        "notes": ["Connector log: OAuthException code 190, token expired."],
        "containment": "Social team answering directly in the native apps.",
        "resolution": "Page token reissued with a long-lived token; backlog imported into "
                      "the inbox.",
        "talk_track": "\"Sorry for the slow reply to your message — we had a technical "
                      "problem with our inbox.\"",
        "customer_updates": [
            "We're sorry for slow replies to messages on social media today. We're "
            "catching up now.",
        ],
        "executive": "",
        "root_cause": "The connector used a short-lived token that expired after the "
                      "admin who created it left the company.",
        "contributing": "No alert on zero inbound messages.",
        "five_whys": [
            "Why did messages stop? The token expired.",
            "Why did it expire? It was tied to a personal admin account.",
            "Why a personal account? The connector setup guide said so.",
            "Why was that not revisited? Nobody owns the connector.",
            "Why? It was set up as a pilot and never handed over.",
        ],
        "went_well": "Backlog imported with no lost messages.",
        "went_badly": "Four hours before anybody noticed.",
        "lessons": "Zero traffic is an alert.",
        "action_items": [
            ("corrective", "Move the connector to a system user with a long-lived token",
             "responder", 14),
            ("detective", "Alert when no social message arrives for 30 minutes in "
                          "business hours", "responder", 21),
        ],
    },
    {
        "key": "email-backlog",
        "titles": ["Email routing backlog", "Customer emails not routed to agents"],
        "channels": ["email"],
        "severities": {"SEV2": 2, "SEV3": 5},
        "services": "Email routing, {queue} email queue",
        "summary": "Inbound emails pile up unrouted: the classification service is "
                   "failing and emails wait in the default bucket no agent works.",
        "impact": "{contacts} emails unrouted; the oldest waiting 9 hours against a 4-hour "
                  "first-response target.",
        "notes": ["Classification service returns HTTP 500 for messages with large "
                  "attachments."],
        "containment": "Default bucket assigned to the {queue} email team for manual "
                       "triage.",
        "resolution": "Classification service patched to skip attachments over 10 MB; "
                      "backlog routed.",
        "talk_track": "\"I'm sorry we took longer than usual to answer your email.\"",
        "customer_updates": [
            "Replies to emails are taking longer than usual today. If your matter is "
            "urgent, please chat with us or call.",
            "We are answering emails normally again.",
        ],
        "executive": "Email backlog of {contacts}; first-response SLA at risk.",
        "root_cause": "The classification service loads whole attachments into memory; "
                      "a batch of large scanned documents crashed it repeatedly.",
        "contributing": "Unclassified emails go to a bucket with no owner.",
        "five_whys": [
            "Why were emails not routed? Classification failed.",
            "Why? The service crashed on large attachments.",
            "Why? It reads attachments fully into memory.",
            "Why did emails then sit? The fallback bucket had no owner.",
            "Why? The fallback was meant to be temporary during migration.",
        ],
        "went_well": "No emails lost.",
        "went_badly": "The backlog was only seen when the SLA report ran.",
        "lessons": "Every fallback queue needs an owner and an age alert.",
        "action_items": [
            ("corrective", "Stream attachments in the classification service", "responder",
             30),
            ("preventive", "Give the default email bucket an owner and routing", "manager",
             7),
            ("detective", "Alert on unrouted email older than 30 minutes", "responder", 14),
        ],
    },
    {
        "key": "whatsapp-webhook",
        "titles": ["WhatsApp messages failing to deliver",
                   "Messaging webhook rejecting WhatsApp replies"],
        "channels": ["messaging"],
        "severities": {"SEV2": 2, "SEV3": 4},
        "services": "WhatsApp Business messaging, webhook gateway",
        "summary": "Agents' replies on WhatsApp are not delivered: the webhook gateway "
                   "rejects callbacks after a certificate change.",
        "impact": "About {contacts} customer conversations received no reply; customers "
                  "re-sent messages and some called.",
        "notes": ["Gateway logs: TLS handshake failures from the messaging provider."],
        "containment": "Agents asked customers to continue by chat on the website.",
        "resolution": "Intermediate certificate added to the gateway's chain.",
        "talk_track": "\"Our WhatsApp replies were delayed earlier; I can help you here.\"",
        "customer_updates": [
            "Some replies on WhatsApp are delayed. You can also chat with us on our "
            "website.",
            "WhatsApp messaging is working normally again.",
        ],
        "executive": "",
        "root_cause": "The renewed gateway certificate was installed without its "
                      "intermediate; the provider's strict TLS client refused it.",
        "contributing": "Browsers tolerated the missing intermediate, so manual checks "
                        "passed.",
        "five_whys": [
            "Why were replies not delivered? Callbacks failed.",
            "Why? TLS handshake failed.",
            "Why? The certificate chain was incomplete.",
            "Why was it not noticed? It was tested with a browser only.",
            "Why? No certificate checklist for the gateway.",
        ],
        "went_well": "Quick diagnosis from gateway logs.",
        "went_badly": "Renewal done on a Friday evening.",
        "lessons": "Test certificates with the strictest client that uses them.",
        "action_items": [
            ("preventive", "Add a chain check to the certificate renewal checklist",
             "responder", 14),
        ],
    },
    {
        "key": "chat-widget",
        "titles": ["Chat widget not loading on checkout pages",
                   "Web chat unavailable on the mobile site"],
        "channels": ["chat"],
        "severities": {"SEV1": 1, "SEV2": 3, "SEV3": 3},
        "services": "Web chat widget, checkout and help pages",
        "summary": "The chat widget fails to load on the website: the content security "
                   "policy deployed with the new checkout blocks the chat vendor's script.",
        "impact": "Chat volume fell by 70%; about {contacts} customers could not start a "
                  "chat and {agents} chat agents were idle.",
        "notes": ["Browser console: refused to load script, CSP directive script-src."],
        "containment": "Chat vendor domain added to the CSP as a hotfix.",
        "resolution": "CSP managed in one place with the chat vendor's domains and a "
                      "test.",
        "talk_track": "\"Sorry if you couldn't start a chat earlier — it's working again.\"",
        "customer_updates": [
            "Our web chat is currently unavailable. Please call us or send us an email.",
            "Web chat is available again.",
        ],
        "executive": "Web chat down on the website; chat agents idle.",
        "root_cause": "The web team's new CSP did not list the chat vendor's script "
                      "domain.",
        "contributing": "The contact center is not a reviewer of website releases.",
        "five_whys": [
            "Why did chat not load? The browser blocked the script.",
            "Why? The CSP did not allow its domain.",
            "Why? The web team did not know chat needed it.",
            "Why? No shared list of third-party domains.",
            "Why? Each team configures its own.",
        ],
        "went_well": "Wallboard showed the drop in chat volume within 10 minutes.",
        "went_badly": "Web team's on-call was hard to reach.",
        "lessons": "Contact-center channels embedded in the website need a release test.",
        "action_items": [
            ("preventive", "Add a chat-widget smoke test to the website release pipeline",
             "responder", 21),
            ("detective", "Alert when chat starts fall by half against the same hour last "
                          "week", "responder", 14),
        ],
    },
    {
        "key": "ivr-misroute",
        "titles": ["Billing calls routed to Sales after IVR change",
                   "IVR menu change misrouting callers"],
        "channels": ["ivr", "voice"],
        "severities": {"SEV3": 4, "SEV4": 2},
        "services": "IVR main menu, {queue} queue",
        "summary": "Since this morning's IVR menu change, option 2 (billing) routes to "
                   "the Sales queue.",
        "impact": "About {contacts} billing callers reached Sales and were transferred; "
                  "transfer rate up from 8% to 31%.",
        "notes": ["IVR change ticket CHG-{ticket} deployed at 07:30."],
        "containment": "Sales agents given a warm-transfer shortcut to Billing.",
        "resolution": "Menu option 2 re-pointed to the Billing queue.",
        "talk_track": "\"Let me put you straight through to the right team.\"",
        "customer_updates": [],
        "executive": "",
        "root_cause": "The menu change swapped two option targets; the change was tested "
                      "by reading the configuration, not by calling.",
        "contributing": "No test call script for IVR changes.",
        "five_whys": [
            "Why were callers misrouted? Option 2 pointed at Sales.",
            "Why? Targets were swapped in the change.",
            "Why was it not caught? No test calls after the change.",
            "Why? The change procedure does not require them.",
            "Why? IVR changes were rare until this year.",
        ],
        "went_well": "Sales agents noticed within an hour.",
        "went_badly": "Rollback was not prepared.",
        "lessons": "Every IVR change gets test calls on every option.",
        "action_items": [
            ("preventive", "Add test calls for every option to the IVR change procedure",
             "manager", 14),
        ],
    },
    {
        "key": "one-way-audio",
        "titles": ["One-way audio on agent softphones",
                   "Customers cannot hear agents at {site}"],
        "channels": ["voice"],
        "severities": {"SEV2": 3, "SEV3": 3},
        "services": "Softphone, {site} network, voice media",
        "summary": "Agents at {site} hear customers but customers hear silence; the "
                   "site firewall update changed the RTP port range.",
        "impact": "About {contacts} calls had one-way audio; customers hung up and called "
                  "again, {agents} agents affected.",
        "notes": ["Packet capture shows outbound RTP blocked above port 20000."],
        "containment": "{site} agents moved to the VPN profile that bypasses the site "
                       "firewall.",
        "resolution": "Firewall rule restored for the full RTP range.",
        "talk_track": "\"I'm sorry if you couldn't hear us on a previous call — we had a "
                      "technical fault which is now fixed.\"",
        "customer_updates": [
            "Some calls to us are affected by a sound problem. If you cannot hear us, "
            "please call back or use chat.",
            "Calls are working normally again.",
        ],
        "executive": "One-way audio at {site}; repeat calls rising.",
        "root_cause": "A firewall template update narrowed the allowed RTP port range.",
        "contributing": "The voice team was not on the network change's approval list.",
        "five_whys": [
            "Why one-way audio? Outbound RTP was blocked.",
            "Why? The firewall allowed fewer ports.",
            "Why? A template update changed the range.",
            "Why was voice not consulted? Not an approver for firewall changes.",
            "Why? The approval list predates the move to softphones.",
        ],
        "went_well": "Packet capture pinpointed the cause quickly.",
        "went_badly": "Repeat calls were counted as new contacts in the SLA report.",
        "lessons": "Network changes at sites are voice changes.",
        "action_items": [
            ("preventive", "Add the voice team as approver of site firewall changes",
             "manager", 14),
            ("detective", "Monitor MOS and one-way audio per site", "responder", 30),
        ],
    },
    {
        "key": "survey-sms",
        "titles": ["Post-call survey SMS not sent",
                   "CSAT surveys not going out after calls"],
        "channels": ["sms", "voice"],
        "severities": {"SEV4": 5},
        "services": "Post-call CSAT survey",
        "summary": "Post-call CSAT survey texts stopped being sent after the survey "
                   "tool's API key was rotated.",
        "impact": "No customer impact; CSAT sample for the week reduced by about "
                  "{contacts} surveys.",
        "notes": [],
        "containment": "",
        "resolution": "New API key configured in the survey integration.",
        "talk_track": "",
        "customer_updates": [],
        "executive": "",
        "root_cause": "",
        "contributing": "",
        "five_whys": [],
        "went_well": "",
        "went_badly": "",
        "lessons": "",
        "action_items": [],
    },
    {
        "key": "kb-search",
        "titles": ["Knowledge base search down in agent desktop",
                   "Agent knowledge articles not loading"],
        "channels": ["crm"],
        "severities": {"SEV4": 4, "SEV3": 1},
        "services": "Knowledge base, agent desktop",
        "summary": "Knowledge base search in the agent desktop returns no results; agents "
                   "are using the intranet copy.",
        "impact": "Slightly longer handle time for new agents; no direct customer impact.",
        "notes": [],
        "containment": "",
        "resolution": "Search index rebuilt by the knowledge base vendor.",
        "talk_track": "",
        "customer_updates": [],
        "executive": "",
        "root_cause": "",
        "contributing": "",
        "five_whys": [],
        "went_well": "",
        "went_badly": "",
        "lessons": "",
        "action_items": [],
    },
]

# Declared, then found to be nothing (or not ours): cancelled.
FALSE_ALARM_STORIES = [
    ("Abandon rate spike on the Sales queue",
     "Marketing campaign went out early; volume spike, not a fault. Handed to planning.",
     ["voice"]),
    ("Wallboard shows zero agents logged in",
     "Wallboard display fault only; agents and routing were fine.", ["voice", "wfm"]),
    ("Chat volume dropped to zero",
     "Reporting feed delayed; chats were being handled normally.", ["chat"]),
    ("Email queue not draining",
     "Bank holiday roster: fewer agents as planned, not a fault.", ["email"]),
    ("IVR call volume alert",
     "Monitoring threshold set for weekday volumes; weekend traffic is normal.", ["ivr"]),
    ("SMS delivery failures reported by agents",
     "Failures were to invalid numbers from one customer upload; no platform fault.",
     ["sms"]),
]
