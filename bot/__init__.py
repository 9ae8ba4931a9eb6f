"""The platform-neutral core of CMAS Study Bot: domain rules, the learning engine and storage.

Nothing in this package may import a chat SDK or the scheduler library; adapters translate their
platform's updates into `bot.events` values and render `bot.outgoing` values.
"""
