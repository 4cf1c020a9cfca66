/* types.c: the kinds of meeting and email a sale has (their titles, the topics they
 * touch, who they are with), and each kind of deal's path: its steps by stage phase,
 * with the chance of each on small and large deals. paths.c turns them into a deal's
 * script. */
#include "plan.h"
#include "util.h"

#include <string.h>
#include <strings.h>

const struct atype act_types[] = {
	/* Meetings. */
	{ "intro_call", "Intro call", 1, TOPIC_BIT(T_SITUATION) | TOPIC_BIT(T_PAIN), 30, P_CHAMPION, 0 },
	{ "discovery", "Discovery call", 1, TOPIC_BIT(T_PAIN) | TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_IMPACT), 60,
	    P_CHAMPION, 0 },
	{ "technical_discovery", "Technical discovery", 1, TOPIC_BIT(T_DECISION_CRITERIA) | TOPIC_BIT(T_SITUATION), 60,
	    P_TECH, 0 },
	{ "demo", "Product demo", 1, TOPIC_BIT(T_DECISION_CRITERIA) | TOPIC_BIT(T_COMPETITION), 60, P_CHAMPION, 0 },
	{ "stakeholder_alignment", "Stakeholder alignment", 1, TOPIC_BIT(T_CHAMPION) | TOPIC_BIT(T_DECISION_PROCESS),
	    45, P_CHAMPION, 0 },
	{ "solution_workshop", "Solution design workshop", 1, TOPIC_BIT(T_DECISION_CRITERIA) | TOPIC_BIT(T_METRICS), 90,
	    P_TECH, 0 },
	{ "security_review", "Security review", 1, TOPIC_BIT(T_PAPER_PROCESS) | TOPIC_BIT(T_DECISION_CRITERIA), 60,
	    P_TECH, 0 },
	{ "pilot_kickoff", "Pilot kickoff", 1, TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_TIMELINE), 45, P_CHAMPION, 0 },
	{ "pilot_readout", "Pilot readout", 1, TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_CHAMPION) | TOPIC_BIT(T_IMPACT), 60,
	    P_CHAMPION, 0 },
	{ "business_case", "Business case review", 1,
	    TOPIC_BIT(T_ECONOMIC_BUYER) | TOPIC_BIT(T_BUDGET) | TOPIC_BIT(T_IMPACT), 60, P_EB, 0 },
	{ "executive_sponsor", "Executive sponsor meeting", 1,
	    TOPIC_BIT(T_ECONOMIC_BUYER) | TOPIC_BIT(T_CRITICAL_EVENT), 30, P_EB, 0 },
	{ "pricing", "Pricing discussion", 1, TOPIC_BIT(T_BUDGET) | TOPIC_BIT(T_COMPETITION), 45, P_EB, 0 },
	{ "proposal_review", "Proposal walkthrough", 1, TOPIC_BIT(T_DECISION_PROCESS) | TOPIC_BIT(T_PAPER_PROCESS), 45,
	    P_EB, 0 },
	{ "procurement_sync", "Procurement and legal sync", 1, TOPIC_BIT(T_PAPER_PROCESS) | TOPIC_BIT(T_TIMELINE), 30,
	    P_CHAMPION, 0 },
	{ "negotiation", "Commercial negotiation", 1, TOPIC_BIT(T_BUDGET) | TOPIC_BIT(T_COMPETITION), 60, P_EB, 0 },
	{ "implementation_kickoff", "Implementation kickoff", 1, TOPIC_BIT(T_TIMELINE) | TOPIC_BIT(T_METRICS), 60,
	    P_CHAMPION, A_AFTER_CLOSE },
	{ "status_sync", "Weekly sync", 1, TOPIC_BIT(T_CHAMPION) | TOPIC_BIT(T_TIMELINE), 30, P_CHAMPION, 0 },
	{ "account_review", "Account review", 1, TOPIC_BIT(T_SITUATION) | TOPIC_BIT(T_PAIN), 45, P_CHAMPION, 0 },
	{ "expansion_discovery", "Expansion discovery", 1,
	    TOPIC_BIT(T_PAIN) | TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_IMPACT), 60, P_CHAMPION, 0 },
	{ "usage_review", "Usage and value review", 1,
	    TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_IMPACT) | TOPIC_BIT(T_SITUATION), 45, P_CHAMPION, 0 },
	{ "qbr", "Quarterly business review", 1,
	    TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_ECONOMIC_BUYER) | TOPIC_BIT(T_IMPACT), 60, P_EB, 0 },
	{ "renewal_terms", "Renewal terms discussion", 1,
	    TOPIC_BIT(T_BUDGET) | TOPIC_BIT(T_PAPER_PROCESS) | TOPIC_BIT(T_TIMELINE), 45, P_EB, 0 },
	{ "rollout_kickoff", "Rollout kickoff", 1, TOPIC_BIT(T_TIMELINE) | TOPIC_BIT(T_METRICS), 45, P_CHAMPION,
	    A_AFTER_CLOSE },
	{ "success_plan", "Success plan for the new term", 1, TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_TIMELINE), 45,
	    P_CHAMPION, A_AFTER_CLOSE },
	{ "loss_debrief", "Decision debrief", 1, TOPIC_BIT(T_COMPETITION) | TOPIC_BIT(T_DECISION_CRITERIA), 30,
	    P_CHAMPION, 0 },
	{ "timeline_review", "Timeline review", 1, TOPIC_BIT(T_TIMELINE) | TOPIC_BIT(T_CRITICAL_EVENT), 30, P_CHAMPION,
	    0 },
	{ "internal_prep", "Deal review", 1, 0, 30, P_CHAMPION, A_INTERNAL },
	/* Emails. */
	{ "recap", "Recap", 0, 0, 0, P_CHAMPION, 0 },
	{ "agenda", "Agenda", 0, 0, 0, P_CHAMPION, 0 },
	{ "introduction", "Introduction", 0, TOPIC_BIT(T_SITUATION) | TOPIC_BIT(T_PAIN), 0, P_CHAMPION, A_FIRST },
	{ "intro_follow_up", "Following up", 0, TOPIC_BIT(T_PAIN), 0, P_CHAMPION, A_FIRST },
	{ "scheduling", "Scheduling", 0, TOPIC_BIT(T_TIMELINE), 0, P_CHAMPION, 0 },
	{ "resources", "Follow-up resources", 0, TOPIC_BIT(T_DECISION_CRITERIA), 0, P_CHAMPION, 0 },
	{ "check_in", "Checking in", 0, TOPIC_BIT(T_CHAMPION), 0, P_CHAMPION, 0 },
	{ "case_study", "Customer story", 0, TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_COMPETITION), 0, P_CHAMPION, 0 },
	{ "demo_follow_up", "Demo follow-up", 0, TOPIC_BIT(T_DECISION_CRITERIA) | TOPIC_BIT(T_COMPETITION), 0,
	    P_CHAMPION, 0 },
	{ "security_questionnaire", "Security questionnaire", 0, TOPIC_BIT(T_PAPER_PROCESS), 0, P_TECH, 0 },
	{ "mutual_action_plan", "Mutual action plan", 0,
	    TOPIC_BIT(T_DECISION_PROCESS) | TOPIC_BIT(T_TIMELINE) | TOPIC_BIT(T_CRITICAL_EVENT), 0, P_CHAMPION, 0 },
	{ "pilot_criteria", "Pilot success criteria", 0, TOPIC_BIT(T_METRICS), 0, P_CHAMPION, 0 },
	{ "roi_model", "ROI model", 0, TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_IMPACT) | TOPIC_BIT(T_BUDGET), 0, P_EB, 0 },
	{ "proposal", "Proposal", 0, TOPIC_BIT(T_BUDGET) | TOPIC_BIT(T_ECONOMIC_BUYER), 0, P_EB, 0 },
	{ "reference_call", "Reference call", 0, TOPIC_BIT(T_CHAMPION) | TOPIC_BIT(T_COMPETITION), 0, P_CHAMPION, 0 },
	{ "redlines", "Contract redlines", 0, TOPIC_BIT(T_PAPER_PROCESS), 0, P_CHAMPION, 0 },
	{ "order_form", "Order form", 0, TOPIC_BIT(T_PAPER_PROCESS) | TOPIC_BIT(T_ECONOMIC_BUYER), 0, P_EB, 0 },
	{ "welcome", "Welcome aboard", 0, TOPIC_BIT(T_TIMELINE), 0, P_CHAMPION, A_AFTER_CLOSE },
	{ "account_check_in", "Planning the next phase", 0, TOPIC_BIT(T_SITUATION), 0, P_CHAMPION, 0 },
	{ "rollout_plan", "Rollout plan", 0, TOPIC_BIT(T_TIMELINE), 0, P_CHAMPION, A_AFTER_CLOSE },
	{ "renewal_notice", "Upcoming renewal", 0, TOPIC_BIT(T_TIMELINE) | TOPIC_BIT(T_SITUATION), 0, P_CHAMPION, 0 },
	{ "usage_report", "Usage report", 0, TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_IMPACT), 0, P_CHAMPION, 0 },
	{ "renewal_quote", "Renewal quote", 0, TOPIC_BIT(T_BUDGET) | TOPIC_BIT(T_PAPER_PROCESS), 0, P_EB, 0 },
	{ "renewal_confirmed", "Renewal confirmed", 0, TOPIC_BIT(T_TIMELINE), 0, P_CHAMPION, A_AFTER_CLOSE },
	{ "reply", "Reply", 0, 0, 0, P_CHAMPION, 0 },
	{ "question", "Quick question", 0, TOPIC_BIT(T_DECISION_CRITERIA), 0, P_CHAMPION, A_INBOUND },
	{ "reschedule", "Moving our meeting", 0, TOPIC_BIT(T_TIMELINE), 0, P_CHAMPION, A_INBOUND },
	{ "nudge", "Checking in", 0, TOPIC_BIT(T_TIMELINE), 0, P_CHAMPION, 0 },
	{ "breakup", "Closing the loop", 0, TOPIC_BIT(T_TIMELINE), 0, P_CHAMPION, 0 },
	{ "lost_competitor", "Our decision", 0, TOPIC_BIT(T_COMPETITION) | TOPIC_BIT(T_DECISION_CRITERIA), 0,
	    P_CHAMPION, A_INBOUND },
	{ "no_decision", "Putting this on hold", 0, TOPIC_BIT(T_DECISION_PROCESS), 0, P_CHAMPION, A_INBOUND },
	{ "budget_pulled", "Budget update", 0, TOPIC_BIT(T_BUDGET), 0, P_EB, A_INBOUND },
	{ "timing", "Timing", 0, TOPIC_BIT(T_TIMELINE) | TOPIC_BIT(T_CRITICAL_EVENT), 0, P_CHAMPION, A_INBOUND },
	{ "slip_update", "New timeline", 0, TOPIC_BIT(T_TIMELINE), 0, P_CHAMPION, A_INBOUND },
	{ "out_of_office", "Automatic reply", 0, 0, 0, P_CHAMPION, A_INBOUND },
	{ NULL, NULL, 0, 0, 0, P_CHAMPION, 0 },
};

int
act_type_find(const char *id)
{
	int i;

	for (i = 0; act_types[i].id; i++)
		if (strcmp(act_types[i].id, id) == 0)
			return i;
	diex(EXIT_FAIL, "bug: no activity type '%s'", id);
}

static const struct step new_path[] = {
	{ "introduction", 0, 1, 1, 0, NULL },
	{ "intro_follow_up", 0, .5, .5, 0, NULL },
	{ "intro_call", 0, 1, 1, 0, NULL },
	{ "discovery", 1, 1, 1, 0, NULL },
	{ "technical_discovery", 1, .3, .9, 0, NULL },
	{ "resources", 1, .5, .7, 0, NULL },
	{ "demo", 2, 1, 1, 0, NULL },
	{ "demo_follow_up", 2, 1, 1, 0, "demo" },
	{ "stakeholder_alignment", 2, .2, .8, 0, NULL },
	{ "solution_workshop", 2, 0, .7, 0, "demo" },
	{ "case_study", 2, .3, .6, 0, NULL },
	{ "pilot_criteria", 3, 0, .8, 1, "demo" },
	{ "pilot_kickoff", 3, 0, .8, 1, "demo" },
	{ "pilot_readout", 3, 0, .8, 1, "pilot_kickoff" },
	{ "security_questionnaire", 3, .2, .9, 0, NULL },
	{ "security_review", 3, .1, .8, 0, NULL },
	{ "mutual_action_plan", 3, .3, .9, 0, NULL },
	{ "business_case", 4, .2, .9, 0, NULL },
	{ "roi_model", 4, .1, .8, 0, NULL },
	{ "executive_sponsor", 4, .1, .8, 0, NULL },
	{ "pricing", 4, 1, 1, 0, NULL },
	{ "proposal", 4, 1, 1, 0, NULL },
	{ "reference_call", 4, .1, .6, 0, NULL },
	{ "proposal_review", 5, .6, .9, 0, NULL },
	{ "redlines", 5, .2, .9, 0, NULL },
	{ "procurement_sync", 5, .3, .9, 0, NULL },
	{ "negotiation", 5, .4, .8, 0, NULL },
	{ "order_form", 5, 1, 1, 0, NULL },
	{ "welcome", 6, 1, 1, 0, NULL },
	{ "implementation_kickoff", 6, 1, 1, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

static const struct step expansion_path[] = {
	{ "account_check_in", 0, 1, 1, 0, NULL },
	{ "account_review", 0, 1, 1, 0, NULL },
	{ "expansion_discovery", 1, 1, 1, 0, NULL },
	{ "resources", 1, .4, .7, 0, NULL },
	{ "demo", 2, .6, .9, 0, NULL },
	{ "demo_follow_up", 2, 1, 1, 0, "demo" },
	{ "stakeholder_alignment", 2, .2, .7, 0, NULL },
	{ "case_study", 2, .2, .5, 0, NULL },
	{ "security_review", 3, 0, .4, 0, NULL },
	{ "mutual_action_plan", 3, .2, .7, 0, NULL },
	{ "business_case", 4, .1, .7, 0, NULL },
	{ "pricing", 4, 1, 1, 0, NULL },
	{ "proposal", 4, 1, 1, 0, NULL },
	{ "proposal_review", 5, .5, .8, 0, NULL },
	{ "redlines", 5, .1, .6, 0, NULL },
	{ "procurement_sync", 5, .2, .7, 0, NULL },
	{ "order_form", 5, 1, 1, 0, NULL },
	{ "rollout_plan", 6, 1, 1, 0, NULL },
	{ "rollout_kickoff", 6, .6, .9, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

static const struct step renewal_path[] = {
	{ "renewal_notice", 0, 1, 1, 0, NULL },
	{ "usage_review", 0, 1, 1, 0, NULL },
	{ "usage_report", 1, .5, .9, 0, NULL },
	{ "qbr", 1, .3, .9, 0, NULL },
	{ "check_in", 2, .3, .5, 0, NULL },
	{ "executive_sponsor", 2, 0, .6, 0, NULL },
	{ "renewal_quote", 3, 1, 1, 0, NULL },
	{ "renewal_terms", 4, 1, 1, 0, NULL },
	{ "redlines", 5, .1, .5, 0, NULL },
	{ "procurement_sync", 5, .2, .6, 0, NULL },
	{ "order_form", 5, 1, 1, 0, NULL },
	{ "renewal_confirmed", 6, 1, 1, 0, NULL },
	{ "success_plan", 6, .5, .8, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

const struct step *
path_steps(enum path p)
{
	return p == PATH_RENEWAL ? renewal_path : p == PATH_EXPANSION ? expansion_path : new_path;
}

enum path
deal_path(const struct dg_config *cfg, const char *type)
{
	int i;

	for (i = 0; type && i < cfg->plan.renewal_types.n; i++)
		if (strcasecmp(type, cfg->plan.renewal_types.v[i]) == 0)
			return PATH_RENEWAL;
	for (i = 0; type && i < cfg->plan.expansion_types.n; i++)
		if (strcasecmp(type, cfg->plan.expansion_types.v[i]) == 0)
			return PATH_EXPANSION;
	return PATH_NEW;
}

const char *
path_name(enum path p)
{
	return p == PATH_RENEWAL ? "renewal" : p == PATH_EXPANSION ? "expansion" : "new_business";
}

const char *
loss_name(enum loss l)
{
	static const char *const names[] = { NULL, "went_quiet", "chose_competitor", "no_decision", "budget_pulled",
		"timing" };

	return names[l];
}
