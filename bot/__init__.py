"""AgentOps: the Slack-first ChatOps bot for ML operations (app wiring, config, state, warehouse)."""
