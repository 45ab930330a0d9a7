"""Starter incident playbooks for the systems behind the channels: IVR failure, CRM
outage, data-privacy or PCI exposure.

Plain Python data (no Django imports): the shape is described in ``__init__.py``."""

from .units import DAY, HOUR

SYSTEM_PLAYBOOKS = [
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
]
