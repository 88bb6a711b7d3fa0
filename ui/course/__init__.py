"""The tutor around the lesson: the "Check yourself" block and the lesson's path with its Next links."""
