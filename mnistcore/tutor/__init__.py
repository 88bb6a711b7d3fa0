"""The tutor around the lesson: its questions, the typed lines they accept, and the notebooks a student takes home."""
