"""Demo incidents: six months of a contact center's outages, run through the services.

``seed_incidents()`` plays each incident's life forward in time — declare, triage,
status updates, contain, resolve, sometimes reopen, post-mortem, action items, close —
passing every service the instant it happened (``at=``), and stops each incident at
*now*: the recent ones are therefore still declared, triaged, contained, resolved or in
post-mortem, exactly as a real floor would look. A fixed ``random.Random(42)`` makes
the same incidents every time (their instants are relative to ``now``).

Historical SEV1/SEV2 incidents are declared without a severity and given it at triage
(minutes later): declaring them with one would page everybody today for outages that
ended months ago. The incidents of the last hours are declared with their severity and
do page, like live ones.

Idempotent: if any incident declared by a demo user carries a demo title, nothing is
done.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .. import services
from ..choices import ActionItemKind, Audience, IncidentRole, Priority, TimelineKind
from ..models import Channel, Incident, Severity

M = timedelta(minutes=1)
H = timedelta(hours=1)
D = timedelta(days=1)

DECLARERS = ("responder", "manager")  # the demo users who may declare incidents
HISTORY_DAYS = 182
HISTORICAL_INCIDENTS = 104
FALSE_ALARMS = 6
DUPLICATES = 4

CARRIERS = ["Northwind Telecom", "Telvia"]
SITES = ["Leeds", "Manchester", "Newark", "Cape Town (BPO)"]
QUEUES = ["Billing", "Sales", "Technical support", "Collections", "Retentions", "Claims"]
REGIONS = ["UK North", "UK South", "US East", "Ireland"]

# --- What goes wrong in a contact center ------------------------------------------------
#
# Placeholders: {carrier} {ticket} {contacts} {agents} {site} {queue} {region}.

SCENARIOS = [
    {
        "key": "sip-trunk",
        "titles": ["Carrier SIP trunk failure dropping inbound calls",
                   "Inbound calls failing on the {carrier} SIP trunks"],
        "channels": ["voice", "ivr"],
        "severities": {"SEV1": 3, "SEV2": 4},
        "services": "Inbound 0800/0345 numbers, SIP trunk group A, ACD all queues",
        "summary": "Inbound calls on the {carrier} trunk group are failing with SIP 503 "
                   "after the carrier's session border controller rejected INVITEs. Calls "
                   "that do connect drop after about 30 seconds.",
        "impact": "About {contacts} callers got a fast busy or were dropped mid-IVR; "
                  "{agents} agents on the {queue} queue sat idle while the wallboard "
                  "showed 0 calls waiting.",
        "notes": ["Bridge opened; {carrier} NOC paged, P1 ticket {ticket}.",
                  "SBC logs show 503 Service Unavailable on 100% of INVITEs from "
                  "{carrier} since the start."],
        "containment": "Inbound numbers re-pointed to the secondary carrier route; calls "
                       "connecting again, service level recovering.",
        "resolution": "{carrier} rolled back the SBC firmware on their edge cluster; "
                      "primary route restored and traffic moved back.",
        "talk_track": "\"I'm sorry if you had trouble getting through earlier — our phone "
                      "lines had a problem with our telephone carrier which is now fixed. "
                      "How can I help you today?\"",
        "customer_updates": [
            "We are aware some customers cannot reach us by phone. Our chat and email "
            "remain available; we will update you within the hour.",
            "Calls are being connected again through a backup route. You may still wait "
            "longer than usual to speak to us.",
            "Our phone lines are working normally again. Thank you for your patience.",
        ],
        "executive": "Inbound voice impacted for all queues; {contacts} contacts affected "
                     "so far. Carrier engaged at P1, failover to secondary route in progress.",
        "root_cause": "{carrier} pushed a firmware update to their session border "
                      "controllers that rejected our INVITEs carrying a diversion header. "
                      "The change was not announced to customers.",
        "contributing": "Automatic failover to the secondary carrier needs a manual "
                        "routing change; our synthetic call monitor only tests one number.",
        "five_whys": [
            "Why did calls fail? The carrier's SBC returned 503 to every INVITE.",
            "Why did the SBC reject them? New firmware treated our diversion header as "
            "malformed.",
            "Why did we not fail over at once? Failover is a manual route change in the "
            "CCaaS console.",
            "Why is it manual? The secondary trunk was sized for 30% of traffic and nobody "
            "revisited the decision after it was upgraded.",
            "Why was the change not announced? Our contract has no change-notification "
            "clause for carrier network changes.",
        ],
        "went_well": "Bridge open within minutes; the carrier NOC answered quickly; the "
                     "chat team absorbed overflow.",
        "went_badly": "Twenty minutes lost finding who may change routing; the IVR "
                      "played no outage message.",
        "lessons": "Failover must be one click for any commander, and customers should hear "
                   "a message instead of a fast busy.",
        "action_items": [
            ("corrective", "Automate failover to the secondary carrier route on 503 spikes",
             "responder", 21),
            ("preventive", "Add a change-notification clause to the {carrier} contract",
             "vendor", 45),
            ("detective", "Extend synthetic call monitoring to every inbound number",
             "responder", 30),
        ],
    },
    {
        "key": "ivr-asr",
        "titles": ["IVR speech recognition timing out",
                   "IVR not recognising spoken menu choices"],
        "channels": ["ivr", "voice"],
        "severities": {"SEV2": 3, "SEV3": 5},
        "services": "IVR main menu, SpeakWise speech recognition, {queue} routing",
        "summary": "The IVR's speech recognition requests time out after 8 seconds; "
                   "callers hear \"Sorry, I didn't catch that\" three times and are sent "
                   "to the general queue.",
        "impact": "About {contacts} callers were misrouted to the general queue; average "
                  "speed of answer on it rose from 40 s to over 6 minutes and transfers "
                  "doubled.",
        "notes": ["SpeakWise status page shows degraded performance in {region}.",
                  "ASR latency p95 at 9.2 s (normal 0.6 s)."],
        "containment": "IVR switched to DTMF-only menus (\"press 1 for billing\"); routing "
                       "accuracy back to normal.",
        "resolution": "SpeakWise scaled out their recognition cluster in {region} and "
                      "confirmed the fix; speech menus re-enabled.",
        "talk_track": "\"Apologies that our automated menu didn't understand you earlier — "
                      "I can help you with that directly.\"",
        "customer_updates": [
            "Our automated phone menu is not recognising spoken answers. Please use your "
            "keypad to choose an option.",
            "The phone menu is working normally again.",
        ],
        "executive": "IVR speech recognition degraded; callers misrouted and ASA on the "
                     "general queue above 6 minutes. DTMF fallback being enabled.",
        "root_cause": "The speech recognition vendor's {region} cluster ran out of capacity "
                      "after a customer migration on their side; requests queued until they "
                      "hit our 8 s timeout.",
        "contributing": "Our IVR has no automatic fallback to DTMF when recognition "
                        "latency rises.",
        "five_whys": [
            "Why were callers misrouted? Speech recognition timed out three times.",
            "Why did it time out? The vendor's cluster was saturated.",
            "Why was it saturated? They onboarded a large customer without scaling.",
            "Why did our IVR keep using speech? Fallback to DTMF is a manual setting.",
            "Why is it manual? The IVR flow predates the vendor's latency API.",
        ],
        "went_well": "Vendor status page was accurate; DTMF fallback worked first time.",
        "went_badly": "We noticed from agents' complaints about transfers, not from "
                      "monitoring.",
        "lessons": "Watch recognition latency, not just availability.",
        "action_items": [
            ("corrective", "Fall back to DTMF automatically when ASR p95 exceeds 3 s",
             "responder", 30),
            ("detective", "Alert on IVR misroute rate above 5%", "responder", 14),
        ],
    },
    {
        "key": "bot-loop",
        "titles": ["Chatbot looping on \"talk to agent\"",
                   "Virtual agent not handing over to live chat"],
        "channels": ["bot", "chat"],
        "severities": {"SEV2": 4, "SEV3": 3},
        "services": "Parley virtual agent, live chat handover, {queue} chat queue",
        "summary": "Customers who ask the chatbot to \"talk to agent\" get the main menu "
                   "again instead of a handover; the handover intent is not matched after "
                   "this morning's model release.",
        "impact": "About {contacts} chat customers were stuck in the loop; many gave up "
                  "and called instead, adding load to voice. Live chat agents ({agents}) "
                  "had empty queues.",
        "notes": ["Bot analytics: handover intent confidence dropped from 0.94 to 0.31 "
                  "after release 2024.{ticket}.",
                  "Social team reports customers posting screenshots of the loop."],
        "containment": "Added a \"Chat with a person\" button that bypasses the bot; "
                       "handover volume back to normal.",
        "resolution": "Rolled back the bot's language model to the previous release; "
                      "handover intent matched again.",
        "talk_track": "\"I'm sorry our chat assistant kept sending you back to the menu — "
                      "that was a fault on our side and it's fixed now.\"",
        "customer_updates": [
            "Some customers cannot reach a live agent from our chat assistant. Please use "
            "the \"Chat with a person\" button or call us.",
            "Our chat assistant is transferring to live agents normally again.",
        ],
        "executive": "Chatbot handover broken; chat customers diverting to voice. "
                     "Bypass button being deployed.",
        "root_cause": "A new training set for the virtual agent dropped most examples of "
                      "the handover intent; the release pipeline does not run the "
                      "regression conversations.",
        "contributing": "Release went out at 08:00, the busiest hour, with no canary.",
        "five_whys": [
            "Why did customers loop? The handover intent was not recognised.",
            "Why was it not recognised? The new model had few training examples for it.",
            "Why were examples missing? A data clean-up script removed short utterances.",
            "Why did testing not catch it? Regression conversations are run by hand.",
            "Why by hand? Nobody owns the bot's test suite since the vendor transition.",
        ],
        "went_well": "Bypass button shipped within an hour.",
        "went_badly": "Release at peak hour; rollback took two approvals.",
        "lessons": "Bots need the same release discipline as any other code.",
        "action_items": [
            ("preventive", "Run handover regression conversations in the bot release "
                           "pipeline", "responder", 21),
            ("preventive", "Release bot models outside peak hours with a 10% canary",
             "manager", 14),
            ("detective", "Alert when the handover rate falls by half in an hour",
             "responder", 30),
        ],
    },
    {
        "key": "ccaas-login",
        "titles": ["CCaaS login outage: agents cannot sign in",
                   "Agents unable to log in to Nimbus CX softphone"],
        "channels": ["voice", "chat", "email"],
        "severities": {"SEV1": 4, "SEV2": 3},
        "services": "Nimbus CX agent desktop, SSO, all queues",
        "summary": "Agents at {site} cannot sign in to the CCaaS agent desktop: SSO "
                   "returns an error after the identity provider's certificate rotation.",
        "impact": "{agents} agents could not take contacts at shift start; about "
                  "{contacts} contacts abandoned and service level fell to 22%.",
        "notes": ["SAML assertion rejected: certificate fingerprint mismatch.",
                  "Agents already signed in are unaffected; do not sign out."],
        "containment": "Emergency local accounts enabled for team leaders; overflow "
                       "routed to the {site} BPO partner.",
        "resolution": "New IdP signing certificate uploaded to the CCaaS tenant; SSO "
                      "sign-in working for all sites.",
        "talk_track": "\"Thank you for waiting — we had a technical problem earlier today "
                      "that meant fewer advisers were available. I'm here now.\"",
        "customer_updates": [
            "We are experiencing longer waiting times than usual on all channels. We are "
            "working to fix this as quickly as possible.",
            "Waiting times are coming down as more advisers become available.",
            "Our service is back to normal. Sorry for the wait.",
        ],
        "executive": "{agents} agents unable to log in at {site}; all channels affected, "
                     "service level 22%. Local accounts and BPO overflow being enabled.",
        "root_cause": "The identity provider's SAML signing certificate was rotated on "
                      "schedule but the new certificate was never uploaded to the CCaaS "
                      "tenant.",
        "contributing": "The rotation reminder went to a shared mailbox nobody reads; no "
                        "test tenant to rehearse the rotation.",
        "five_whys": [
            "Why could agents not log in? The CCaaS rejected the SAML assertion.",
            "Why was it rejected? It was signed with a certificate the tenant did not know.",
            "Why did it not know it? The new certificate was not uploaded.",
            "Why not? The rotation task had no owner in operations.",
            "Why no owner? Certificate rotations are tracked only by IT security.",
        ],
        "went_well": "Team leaders' local accounts kept the floor partly running; the "
                     "BPO took overflow within 40 minutes.",
        "went_badly": "An hour passed before anyone connected the errors to the rotation.",
        "lessons": "Every expiring credential our floor depends on needs an owner and a "
                   "calendar entry in operations.",
        "action_items": [
            ("preventive", "Register every SSO certificate used by contact-center tools "
                           "with an owner and renewal date", "manager", 30),
            ("corrective", "Document the CCaaS certificate upload procedure in the "
                           "playbook", "responder", 14),
            ("detective", "Synthetic agent login every 5 minutes per site", "responder", 21),
        ],
    },
    {
        "key": "crm-screenpop",
        "titles": ["CRM screen-pop latency", "Orbit CRM screen pops taking 20+ seconds"],
        "channels": ["crm", "voice"],
        "severities": {"SEV3": 5, "SEV4": 2},
        "services": "Orbit CRM, CTI connector, {queue} queue",
        "summary": "Customer records take 15–30 seconds to pop on the agent desktop when "
                   "a call arrives; agents are asking callers to repeat their details.",
        "impact": "Average handle time up by 45 seconds on about {contacts} calls; "
                  "customers asked to repeat security answers.",
        "notes": ["CTI connector logs show CRM API calls waiting on a database lock."],
        "containment": "Screen pop switched to the lightweight summary view; pops back "
                       "under 2 seconds.",
        "resolution": "CRM vendor added the missing index on the interactions table; "
                      "full view restored.",
        "talk_track": "\"Bear with me a moment while your details load — thank you.\"",
        "customer_updates": [
            "Some calls may take a little longer than usual while we look up your "
            "details.",
        ],
        "executive": "",
        "root_cause": "A CRM release added a query on the interactions table without an "
                      "index; each screen pop scanned 40 million rows.",
        "contributing": "The CRM vendor's performance tests use a small data set.",
        "five_whys": [
            "Why were pops slow? The interactions query took 20 s.",
            "Why? It scanned the whole table.",
            "Why? The new column had no index.",
            "Why was it not caught? Performance tests run on a small data set.",
            "Why? Production-sized test data was never requested from the vendor.",
        ],
        "went_well": "The summary view workaround was already documented.",
        "went_badly": "Agents reported it for two days before an incident was declared.",
        "lessons": "Handle time jumps are incidents, not noise.",
        "action_items": [
            ("preventive", "Ask the CRM vendor for performance tests on production-sized "
                           "data", "vendor", 45),
            ("detective", "Alert when screen-pop time p90 exceeds 5 s", "responder", 21),
        ],
    },
    {
        "key": "sms-delay",
        "titles": ["SMS gateway delays", "Outbound SMS delayed by up to 2 hours"],
        "channels": ["sms"],
        "severities": {"SEV2": 2, "SEV3": 5, "SEV4": 2},
        "services": "Relay SMS aggregator, appointment reminders, one-time passcodes",
        "summary": "Outbound SMS (passcodes, appointment reminders, callback "
                   "confirmations) are queued at the aggregator for 40–120 minutes.",
        "impact": "About {contacts} customers did not receive one-time passcodes in time "
                  "and called the {queue} line instead.",
        "notes": ["Relay SMS confirms a routing issue with one mobile network."],
        "containment": "Passcodes moved to the backup aggregator; reminders left on the "
                       "primary.",
        "resolution": "Aggregator fixed its route to the affected mobile network; queue "
                      "drained.",
        "talk_track": "\"If your text message code hasn't arrived, I can verify you another "
                      "way.\"",
        "customer_updates": [
            "Text messages from us, including passcodes, may be delayed. Please call us if "
            "you need to verify your identity.",
            "Text messages are being delivered normally again.",
        ],
        "executive": "SMS passcodes delayed; verification calls up. Backup aggregator in "
                     "use.",
        "root_cause": "The aggregator lost its direct connection to one mobile network and "
                      "routed through a congested partner.",
        "contributing": "We had no delivery-time monitoring, only send success.",
        "five_whys": [
            "Why were passcodes late? The aggregator queued them.",
            "Why? Its route to one network was congested.",
            "Why did we not switch? Our platform only uses the backup on hard errors.",
            "Why only on errors? Delivery receipts are not checked.",
            "Why not? The integration was built for marketing SMS, not passcodes.",
        ],
        "went_well": "The backup aggregator was already contracted.",
        "went_badly": "Customers told us before monitoring did.",
        "lessons": "Measure delivery time for time-critical messages.",
        "action_items": [
            ("detective", "Monitor SMS delivery-receipt latency per network", "responder",
             21),
            ("corrective", "Route passcodes by delivery latency, not only errors",
             "responder", 45),
        ],
    },
    {
        "key": "wfm-publish",
        "titles": ["WFM schedule publish failure",
                   "ShiftPlan schedules not published for next week"],
        "channels": ["wfm"],
        "severities": {"SEV3": 3, "SEV4": 4},
        "services": "ShiftPlan WFM, agent schedules, {site}",
        "summary": "The weekly schedule publish job failed; agents at {site} cannot see "
                   "next week's shifts and real-time adherence shows everyone out of "
                   "adherence.",
        "impact": "No direct customer impact yet; {agents} agents cannot plan, and "
                  "next week's staffing is at risk if not fixed by Friday.",
        "notes": ["Publish job error: forecast group 'Retentions' references a deleted "
                  "skill."],
        "containment": "Schedules exported to PDF and sent to team leaders.",
        "resolution": "Deleted skill restored in the WFM; publish job re-run "
                      "successfully.",
        "talk_track": "",
        "customer_updates": [],
        "executive": "",
        "root_cause": "A skill was deleted in the ACD while a WFM forecast group still "
                      "used it; the publish job fails on the first invalid reference.",
        "contributing": "ACD and WFM configuration changes are made by different teams.",
        "five_whys": [
            "Why did publishing fail? A forecast group referenced a deleted skill.",
            "Why was it deleted? ACD clean-up of unused skills.",
            "Why was it thought unused? The WFM dependency is not visible in the ACD.",
            "Why not visible? The two systems sync skills one way only.",
            "Why? The integration was never extended after go-live.",
        ],
        "went_well": "Team leaders had PDFs within two hours.",
        "went_badly": "The failure email went to a former planner.",
        "lessons": "Changes to skills need a WFM check.",
        "action_items": [
            ("preventive", "Add a WFM dependency check to the skill change procedure",
             "manager", 30),
        ],
    },
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

TIMES_OF_DAY = [  # (hour, weight): busy contact-center hours, a quieter night
    *[(hour, 1) for hour in range(0, 7)], *[(hour, 6) for hour in range(7, 10)],
    *[(hour, 5) for hour in range(10, 18)], *[(hour, 3) for hour in range(18, 22)],
    (22, 1), (23, 1),
]

# Stage durations per severity (minimum, maximum); some land beyond the targets.
TIMINGS = {
    "SEV1": {"triage": (3 * M, 25 * M), "contain": (20 * M, 110 * M),
             "resolve": (90 * M, 7 * H), "updates": 30 * M},
    "SEV2": {"triage": (5 * M, 45 * M), "contain": (40 * M, 4 * H),
             "resolve": (3 * H, 14 * H), "updates": 60 * M},
    "SEV3": {"triage": (20 * M, 3 * H), "contain": (1 * H, 10 * H),
             "resolve": (6 * H, 4 * D), "updates": 4 * H},
    "SEV4": {"triage": (1 * H, 10 * H), "contain": (4 * H, 2 * D),
             "resolve": (1 * D, 12 * D), "updates": None},
}
SEVERITY_SHARE = {"SEV1": 6, "SEV2": 4, "SEV3": 3, "SEV4": 3}
# scenario, severity, declared this long ago, the last step taken so far.
LIVE = [
    ("sms-delay", "SEV2", 14 * M, "declare"),
    ("kb-search", "SEV4", 50 * M, "declare"),
    ("bot-loop", "SEV2", 95 * M, "triage"),
    ("crm-screenpop", "SEV3", 4 * H, "triage"),
    ("sip-trunk", "SEV1", 2 * H, "contain"),
    ("email-backlog", "SEV3", 11 * H, "contain"),
    ("ccaas-login", "SEV2", 30 * H, "resolve"),
    ("one-way-audio", "SEV2", 3 * D, "resolve"),
    ("chat-widget", "SEV1", 6 * D, "submit"),
    ("ivr-asr", "SEV2", 9 * D, "submit"),
]
UPDATES_BEFORE_CONTAINMENT = {"SEV1": 3, "SEV2": 2, "SEV3": 1, "SEV4": 0}
AGENT_SCALE = {"SEV1": 3, "SEV2": 1.5, "SEV3": 0.6, "SEV4": 0.2}
PRIORITY = {"SEV1": Priority.P1, "SEV2": Priority.P2, "SEV3": Priority.P3,
            "SEV4": Priority.P4}


@dataclass
class Plan:
    """One incident's life: what happens, when. Instants after ``now`` never happen."""

    declared_at: datetime
    scenario: dict | None
    severity: str | None
    words: dict
    title: str
    channels: list
    declarer: str
    commander: str | None
    live: bool = False
    stop_after: str | None = None  # a live incident's last step so far (its state now)
    false_alarm: tuple | None = None
    duplicate_of: "Plan | None" = None  # the plan of the incident it duplicates


def _demo_titles():
    titles = {story[0] for story in FALSE_ALARM_STORIES}
    for scenario in SCENARIOS:
        for title in scenario["titles"]:
            if "{" in title:
                titles.update(title.format(carrier=c, site=s) for c in CARRIERS for s in SITES)
            else:
                titles.add(title)
    return titles


def already_seeded():
    return Incident.objects.filter(declared_by__username__in=DECLARERS,
                                   title__in=_demo_titles()).exists()


def seed_incidents(now: datetime | None = None) -> int:
    """Load the demo incidents; returns how many were declared (0 if already there)."""
    now = now or timezone.now()
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["manager", "responder", "escalation", "vendor", "finance"])}
    if not {"manager", "responder"} <= set(users) or already_seeded():
        return 0
    rng = random.Random(42)  # noqa: S311 - reproducible demo data, not security
    severities = {s.key: s for s in Severity.objects.all()}
    channels = {c.key: c for c in Channel.objects.all()}
    plans = _plans(rng, now)
    with transaction.atomic():
        declared = {}  # id(plan) → its incident, for duplicates to link to
        for plan in plans:
            runner = _Runner(plan, rng=rng, now=now, users=users, severities=severities,
                             channels=channels, declared=declared)
            declared[id(plan)] = runner.run()
    return len(plans)


# --- Planning ---------------------------------------------------------------------------


def _pick(rng, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _between(rng, low: timedelta, high: timedelta) -> timedelta:
    seconds = rng.uniform(low.total_seconds(), high.total_seconds())
    return timedelta(seconds=round(seconds))


def _office_hours(rng, instant: datetime) -> datetime:
    """``instant``, or the next weekday morning if it falls outside 09:00–18:00."""
    if instant.weekday() < 5 and 9 <= instant.hour < 18:
        return instant
    day = instant if instant.hour < 9 else instant + D
    while day.weekday() >= 5:
        day += D
    return day.replace(hour=9, minute=0, second=0) + _between(rng, 5 * M, 90 * M)


def _words(rng, severity):
    scale = {"SEV1": 6, "SEV2": 3, "SEV3": 1, "SEV4": 0.3}.get(severity, 1)
    return {
        "carrier": rng.choice(CARRIERS), "site": rng.choice(SITES),
        "queue": rng.choice(QUEUES), "region": rng.choice(REGIONS),
        "ticket": rng.randint(100000, 999999),
        "contacts": f"{int(rng.randint(150, 900) * scale):,}",
        "agents": max(2, int(rng.randint(10, 40) * AGENT_SCALE.get(severity, 1))),
    }


def _scenario_plan(rng, declared_at, *, scenario=None, severity=None, live=False):
    scenario = scenario or rng.choice(SCENARIOS)
    if severity is None:
        weights = {key: weight * SEVERITY_SHARE[key]
                   for key, weight in scenario["severities"].items()}
        severity = _pick(rng, weights)
    words = _words(rng, severity)
    declarer = rng.choices(DECLARERS, weights=[65, 35])[0]
    return Plan(declared_at=declared_at, scenario=scenario, severity=severity, words=words,
                title=rng.choice(scenario["titles"]).format(**words),
                channels=list(scenario["channels"]), declarer=declarer,
                commander=rng.choice(["responder", "responder", "manager"]), live=live)


def _historical_instant(rng, now):
    day = rng.randint(1, HISTORY_DAYS)
    hour = rng.choices([h for h, _ in TIMES_OF_DAY], weights=[w for _, w in TIMES_OF_DAY])[0]
    return (now - day * D).replace(hour=hour, minute=rng.randint(0, 59),
                                   second=rng.randint(0, 59), microsecond=0)


def _plans(rng, now):
    plans = [_scenario_plan(rng, _historical_instant(rng, now))
             for _ in range(HISTORICAL_INCIDENTS)]
    for story in FALSE_ALARM_STORIES[:FALSE_ALARMS]:
        plan = Plan(declared_at=_historical_instant(rng, now), scenario=None,
                    severity=rng.choice(["SEV2", "SEV3", "SEV3", "SEV4"]), words={},
                    title=story[0], channels=story[2], declarer="responder",
                    commander="responder", false_alarm=story)
        plans.append(plan)
    # The floor right now: incidents of the last days and hours, at known ages so every
    # state is on show (declared, triaged, contained, resolved, post-mortem).
    by_key = {s["key"]: s for s in SCENARIOS}
    for key, severity, age, stop_after in LIVE:
        plan = _scenario_plan(rng, (now - age).replace(microsecond=0), scenario=by_key[key],
                              severity=severity, live=True)
        plan.stop_after = stop_after
        plans.append(plan)
    plans.sort(key=lambda p: p.declared_at)
    # A few duplicates: someone else declares the same outage minutes later.
    originals = [i for i, p in enumerate(plans)
                 if p.scenario and p.severity in ("SEV1", "SEV2") and not p.live]
    for index in rng.sample(originals, DUPLICATES):
        original = plans[index]
        plans.append(Plan(
            declared_at=original.declared_at + _between(rng, 3 * M, 12 * M),
            scenario=None, severity=None, words=original.words, title=original.title,
            channels=original.channels, declarer="manager", commander=None,
            duplicate_of=original,
        ))
    plans.sort(key=lambda p: p.declared_at)  # a duplicate always comes after its original
    return plans


# --- Playing an incident's life ---------------------------------------------------------


class _Runner:
    """Plays one plan's steps in time order, stopping at ``now``."""

    def __init__(self, plan, *, rng, now, users, severities, channels, declared):
        self.plan, self.rng, self.now = plan, rng, now
        self.users, self.severities, self.channels = users, severities, channels
        self.declared = declared  # incidents of earlier plans, by id(plan)
        self.incident = None
        self.items = []
        self.steps = []

    def user(self, username):
        return self.users.get(username) or self.users["manager"]

    def text(self, template):
        return template.format(**self.plan.words) if template else ""

    def at(self, instant, action, *args, stage=None):
        self.steps.append((instant, len(self.steps), action, args, stage))

    def run(self):
        plan = self.plan
        if plan.duplicate_of is not None:
            self._duplicate()
        elif plan.false_alarm:
            self._false_alarm()
        else:
            self._lifecycle()
        for instant, _order, action, args, stage in sorted(self.steps, key=lambda s: s[:2]):
            if instant > self.now:
                break  # the rest of this incident's life is still ahead
            action(instant, *args)
            if stage is not None and stage == plan.stop_after:
                break
        if plan.live and self.incident is not None:
            self._live_touches()
        return self.incident

    # --- stories ---

    def _declare(self, at, with_severity):
        plan = self.plan
        severity = self.severities[plan.severity] if plan.severity else None
        scenario = plan.scenario or {}
        self.incident = services.incident_declare(
            by=self.user(plan.declarer), title=plan.title,
            severity=severity if with_severity else None,
            priority=PRIORITY.get(plan.severity),
            summary=self.text(scenario.get("summary", "")),
            customer_impact=self.text(scenario.get("impact", "")),
            affected_services=self.text(scenario.get("services", "")),
            channels=[self.channels[key] for key in plan.channels],
            commander=self.user(plan.commander) if plan.commander else None,
            contacts_affected=_number(plan.words.get("contacts")),
            # Only where the story has agents sitting idle (not an email backlog).
            agents_idle=plan.words["agents"] if "{agents}" in scenario.get("impact", "")
            else None,
            at=at,
        )

    def _duplicate(self):
        original = self.declared[id(self.plan.duplicate_of)]

        def cancel(at):
            services.incident_cancel(
                incident=self.incident, by=self.user("manager"),
                reason="Same outage, already declared; following it there.",
                duplicate_of=original, at=at)

        self.at(self.plan.declared_at, lambda at: self._declare(at, with_severity=False))
        self.at(self.plan.declared_at + _between(self.rng, 2 * M, 15 * M), cancel)

    def _false_alarm(self):
        plan, rng = self.plan, self.rng
        title, reason, _channels = plan.false_alarm
        commander = self.user(plan.commander)
        start = plan.declared_at
        self.at(start, lambda at: self._declare(at, with_severity=True))
        if rng.random() < 0.5:
            self.at(start + _between(rng, 5 * M, 30 * M),
                    lambda at: services.incident_triage(incident=self.incident, by=commander,
                                                        at=at))
        self.at(start + _between(rng, 35 * M, 2 * H),
                lambda at: services.incident_cancel(incident=self.incident,
                                                    by=self.user("manager"), reason=reason,
                                                    at=at))

    def _lifecycle(self):
        plan, rng, scenario = self.plan, self.rng, self.plan.scenario
        severity = self.severities[plan.severity]
        timing = TIMINGS[plan.severity]
        commander = self.user(plan.commander)
        start = plan.declared_at
        # Historical SEV1/SEV2: severity confirmed at triage (see the module docstring).
        pages = severity.rank <= services.PAGING_SEVERITY_RANK
        with_severity = plan.live or not pages
        self.at(start, lambda at: self._declare(at, with_severity=with_severity),
                stage="declare")

        triaged = start + _between(rng, *timing["triage"])
        self.at(triaged, lambda at: services.incident_triage(
            incident=self.incident, by=commander, severity=severity, commander=commander,
            at=at), stage="triage")
        for offset, note in enumerate(scenario["notes"]):
            when = start + (triaged - start) * (offset + 1) / (len(scenario["notes"]) + 1)
            self.at(when + M, self._note, note, offset == 0)

        contains = bool(scenario["containment"]) and (plan.severity != "SEV4"
                                                      or rng.random() < 0.4)
        contained = start + _between(rng, *timing["contain"])
        if contained <= triaged:
            contained = triaged + _between(rng, 10 * M, 40 * M)
        resolved = max(start + _between(rng, *timing["resolve"]),
                       (contained if contains else triaged) + _between(rng, 20 * M, 3 * H))
        if contains:
            self.at(contained, lambda at: services.incident_contain(
                incident=self.incident, by=commander, summary=self.text(scenario["containment"]),
                at=at), stage="contain")
        self._updates(triaged, contained if contains else resolved, timing["updates"],
                      commander)
        # The attached playbooks are worked as the incident goes; all required steps are
        # done by resolution (they would block the close otherwise).
        for when in (triaged + 2 * M, contained if contains else triaged + 30 * M):
            self.at(when, self._work_playbooks, commander, False)
        self.at(resolved - M, self._work_playbooks, commander, True)
        self.at(resolved, lambda at: services.incident_resolve(
            incident=self.incident, by=commander, summary=self.text(scenario["resolution"]),
            at=at), stage="resolve")
        if len(scenario["customer_updates"]) > 1 and plan.severity != "SEV4":
            self.at(resolved + _between(rng, 5 * M, 20 * M), self._update, Audience.CUSTOMER,
                    self.text(scenario["customer_updates"][-1]), commander)

        # Reopened: the fix did not hold (only where no post-mortem clock would restart).
        if not severity.postmortem_required and contains and rng.random() < 0.12:
            reopened = resolved + _between(rng, 40 * M, 8 * H)
            self.at(reopened, lambda at: services.incident_reopen(
                incident=self.incident, by=commander,
                reason="Same symptoms back after the fix; agents reporting it again.", at=at))
            recontained = reopened + _between(rng, 20 * M, 2 * H)
            self.at(recontained, lambda at: services.incident_contain(
                incident=self.incident, by=commander,
                summary="Workaround re-applied while the fix is redone.", at=at))
            resolved = recontained + _between(rng, 1 * H, 10 * H)
            self.at(resolved, lambda at: services.incident_resolve(
                incident=self.incident, by=commander,
                summary=self.text(scenario["resolution"]) + " Fix re-applied and verified "
                "for a full business day.", at=at))

        wants_postmortem = severity.postmortem_required or (
            scenario["root_cause"] and plan.severity == "SEV3" and rng.random() < 0.3)
        if wants_postmortem:
            self._postmortem(resolved, commander)
        else:
            closed = _office_hours(rng, resolved + _between(rng, 1 * H, 3 * D))
            self.at(closed, lambda at: services.incident_close(
                incident=self.incident, by=commander, at=at))

    def _work_playbooks(self, at, by, finish):
        from playbooks.demo import work_playbooks

        if self.incident is not None:
            work_playbooks(self.incident, by=by, at=at, finish=finish)

    def _postmortem(self, resolved, commander):
        rng, scenario = self.rng, self.plan.scenario
        reviewer = self.user("manager" if commander.username != "manager" else "responder")
        # Post-mortems are written and reviewed in office hours, one step after another.
        started = _office_hours(rng, resolved + _between(rng, 2 * H, 2 * D))
        items_at = _office_hours(rng, started + _between(rng, 12 * H, 2 * D))
        submitted = _office_hours(rng, items_at + _between(rng, 3 * H, 2 * D))
        published = _office_hours(rng, submitted + _between(rng, 3 * H, 2 * D))
        closed = _office_hours(rng, published + _between(rng, 2 * H, 2 * D))

        def start(at):
            services.incident_start_postmortem(incident=self.incident, by=commander, at=at)
            services.postmortem_edit(
                postmortem=self.incident.postmortem, by=commander,
                summary=self.text(scenario["summary"]),
                customer_impact=self.text(scenario["impact"]))

        def submit(at):
            services.postmortem_edit(
                postmortem=self.incident.postmortem, by=commander, reviewer=reviewer,
                root_cause=self.text(scenario["root_cause"]),
                contributing_factors=self.text(scenario["contributing"]),
                five_whys="\n".join(self.text(why) for why in scenario["five_whys"]),
                went_well=self.text(scenario["went_well"]),
                went_badly=self.text(scenario["went_badly"]),
                lessons=self.text(scenario["lessons"]))
            services.postmortem_transition(postmortem=self.incident.postmortem, by=commander,
                                           name="submit", at=at)

        self.at(started, start)
        for offset, (kind, title, owner, due_days) in enumerate(scenario["action_items"]):
            self._action_item(items_at + offset * _between(rng, 2 * M, 20 * M), kind, title,
                              owner, due_days, commander)
        self.at(submitted, submit, stage="submit")
        self.at(published, lambda at: services.postmortem_transition(
            postmortem=self.incident.postmortem, by=reviewer, name="publish", at=at))
        self.at(closed, lambda at: services.incident_close(
            incident=self.incident, by=commander, at=at))

    def _action_item(self, created, kind, title, owner, due_days, by):
        rng = self.rng
        owner = self.user(owner)
        due = (created + due_days * D).date()
        holder = {}

        def create(at):
            holder["item"] = services.action_item_create(
                incident=self.incident, by=by, kind=ActionItemKind(kind), title=self.text(title),
                owner=owner, due_date=due, at=at,
                description="Agreed in the post-mortem review.")

        def move(at, name, reason=""):
            holder["item"] = services.action_item_transition(
                item=holder["item"], by=owner, name=name, reason=reason, at=at)

        self.at(created, create)
        if rng.random() < 0.75:
            self.at(_office_hours(rng, created + _between(rng, 2 * H, 2 * D)), move, "start")
        outcome = rng.random()
        if outcome < 0.08:
            self.at(_office_hours(rng, created + _between(rng, 3 * D, 15 * D)), move, "decline",
                    "Superseded by the platform migration planned for next quarter.")
        elif outcome < 0.9:  # most are done, some after their due date
            self.at(_office_hours(rng, created + _between(rng, 4 * D, (due_days + 10) * D)),
                    move, "complete")

    def _updates(self, first, last, cadence, commander):
        """Status updates between triage and containment (or resolution): the customer
        ones at roughly the severity's cadence, one internal with the talk track and an
        executive one for the worst."""
        plan, rng, scenario = self.plan, self.rng, self.plan.scenario
        if cadence is None:
            return
        progress = scenario["customer_updates"][:-1] or scenario["customer_updates"]
        when = first + _between(rng, 2 * M, 10 * M)
        for body in progress[:UPDATES_BEFORE_CONTAINMENT[plan.severity]]:
            if when >= last:
                break
            self.at(when, self._update, Audience.CUSTOMER, self.text(body), commander)
            when += cadence + _between(rng, -5 * M, 10 * M)
        if scenario["talk_track"]:
            self.at(first + _between(rng, 1 * M, 15 * M), self._update, Audience.INTERNAL,
                    "Agent talk track approved — please use this wording:\n\n> "
                    + self.text(scenario["talk_track"]), commander)
        if scenario["executive"] and (plan.severity == "SEV1" or (
                plan.severity == "SEV2" and rng.random() < 0.5)):
            self.at(first + _between(rng, 10 * M, 30 * M), self._update, Audience.EXECUTIVE,
                    self.text(scenario["executive"]), commander)

    def _update(self, at, audience, body, by):
        services.status_update_post(
            incident=self.incident, by=by, audience=audience, body=body,
            channels=[self.channels[key] for key in self.plan.channels], at=at)

    def _note(self, at, text, pinned):
        # incident_add_note writes "now"; the timeline helper takes the instant.
        services.timeline_add(self.incident, TimelineKind.NOTE, self.text(text),
                              by=self.user(self.plan.commander), at=at, pinned=pinned)

    def _live_touches(self):
        """What people did on the live incidents in the last minutes (written now):
        the approved talk track on the incident, a communications lead."""
        incident = Incident.objects.get(pk=self.incident.pk)
        if incident.state not in ("declared", "triaged", "contained"):
            return
        commander = self.user(self.plan.commander)
        talk_track = self.text(self.plan.scenario["talk_track"])
        if talk_track:
            services.incident_edit(incident=incident, by=commander, talk_track=talk_track)
        if incident.severity and incident.severity.rank <= services.PAGING_SEVERITY_RANK:
            services.incident_assign_role(incident=incident, by=commander,
                                          role=IncidentRole.COMMUNICATIONS_LEAD,
                                          user=self.user("escalation"))


def _number(text):
    return int(text.replace(",", "")) if text else None
