"""The Discord adapter: slash commands and buttons in, the core's replies out (discord.py 2.7).

Chat ids: a DM is the user's id (the same number reaches the user later), a server is
`guild:<id>`, so a server's members share one group and one leaderboard whatever channel they
use. Channel rounds are posted where `/quiz` was run; see `state.py` for how the reveal finds them.
"""
