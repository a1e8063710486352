"""REST routers of the platform itself (health, metrics, admin); modules bring their own."""
