"""Periodic work: one APScheduler job runs a tick that asks the database what is due and sends it."""
