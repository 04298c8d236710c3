"""Budgets: what model calls may spend per hour and day, shared by every replica through the state store;
checked before each model call, recorded after it, told to people at 80 %, 95 % and 100 %."""
