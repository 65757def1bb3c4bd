"""Domain models, rules and persistence for clientdesk.

Nothing in this package imports Textual, Rich or the UI packages: it is used
alike by the app, the command line and scripts, and is tested without a
terminal.
"""
