"""Demo incident stories, first half: carrier trunks, IVR speech recognition, bots, the
CCaaS platform, CRM screen-pops, SMS and workforce management.

Placeholders: {carrier} {ticket} {contacts} {agents} {site} {queue} {region}.
"""

PLATFORM_STORIES = [
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
]
