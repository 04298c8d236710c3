"""Post-mortems: drafted from an incident's run trace when it resolves, published (the GitHub issue, a
markdown file, the knowledge index) or discarded from its thread."""
