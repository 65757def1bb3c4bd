"""The clientdesk application: the App, its screens and styles, and the command line."""
