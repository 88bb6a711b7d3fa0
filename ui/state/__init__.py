"""State a page keeps: the registry of kept values, the URL-kept settings, the session, reloads, browsers, shared data."""
