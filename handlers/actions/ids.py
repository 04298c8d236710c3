"""Action ids carried by buttons; the value of each button is only an id (an alert fingerprint, a request id)."""

INVESTIGATE_ALERT = "investigate_alert"
SILENCE_ALERT = "silence_alert"
