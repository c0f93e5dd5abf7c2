"""The archive as files, both ways: testimony, translation and recording files read in; the archive exported and backed up."""
