"""The investigation: the Claude tool loop, the offline investigator, tools and knowledge search."""
