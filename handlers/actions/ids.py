"""Action ids carried by buttons; the value of each button is only an id (an alert fingerprint, an
approval request id), so a click names a thing and carries no instructions."""

INVESTIGATE_ALERT = "investigate_alert"
SILENCE_ALERT = "silence_alert"
ACKNOWLEDGE_ALERT = "acknowledge_alert"
NOT_A_PROBLEM = "not_a_problem"  # the alert post is a false positive
APPROVE_ACTION = "approve_action"
DENY_ACTION = "deny_action"
# 👍/👎 under a diagnosis or an @mention answer; the value is only "good" or "bad"
FEEDBACK_DIAGNOSIS = "feedback_diagnosis"
FEEDBACK_ANSWER = "feedback_answer"
FEEDBACK_VALUES = {"good", "bad"}
# on a post-mortem draft; the value is only the incident id
PUBLISH_POSTMORTEM = "publish_postmortem"
DISCARD_POSTMORTEM = "discard_postmortem"
