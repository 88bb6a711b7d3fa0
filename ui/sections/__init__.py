"""Sections of a page too long to read inline: the learning page's descent on a line and its speed claims."""
