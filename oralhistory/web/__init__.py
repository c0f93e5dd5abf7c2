"""The web layer, Flask only: the views, the URL builder, guards, security, the interface's language, request deadlines and the index follower's thread."""
