"""The record, the source of truth: the database and its models and migrations, access, revisions, anchors, the change log and the unit of work."""
