"""Pages that bring several features together (a member's own groups with
their latest reports): the one place above both groups and documents, so
neither has to import the other."""
