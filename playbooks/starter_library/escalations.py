"""Starter escalation playbooks: regulatory complaint, high-value customer complaint,
social-media crisis.

Plain Python data (no Django imports): the shape is described in ``__init__.py``."""

from .units import DAY, HOUR

ESCALATION_PLAYBOOKS = [
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
