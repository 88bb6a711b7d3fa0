"""The class room in every page's sidebar: a student's seat and the room store's doorway."""
