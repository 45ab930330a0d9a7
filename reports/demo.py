def seed_reports(demo):
    """Filled in below."""
